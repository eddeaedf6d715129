/** `wheelhouse help [command] [subcommand]`: the same help as `--help`. */
import { CliUsageError } from '../cli-usage-error';
import { closestName } from '../closest-name';
import { commandHelp, topHelp } from '../help-text';
import type { CliCommand, PlainCommand } from './command';

/** The usage line, after `wheelhouse `. */
const usage = 'help [command] [subcommand]';

/** The `help` module. */
export const helpCommand: PlainCommand = {
  kind: 'leaf',
  name: 'help',
  summary: 'this list, or the help of one command (the same as wheelhouse <command> --help)',
  usage,
  description:
    'Prints the help of the command line, or of a command or subcommand: usage, options, examples.',
  options: {},
  arguments: ['command', 'subcommand'],
  examples: ['wheelhouse help', 'wheelhouse help deploy', 'wheelhouse help monitors plan'],
  audited: false,
  takesEnvironment: false,
  async run(ctx, options) {
    const path: CliCommand[] = [];
    let choices: readonly CliCommand[] = ctx.commands;
    for (const word of options.positionals) {
      const found = choices.find((c) => c.name === word);
      if (!found) {
        const near = closestName(
          word,
          choices.map((c) => c.name),
        );
        throw new CliUsageError(
          `There is no ${path.length > 0 ? `${path.map((c) => c.name).join(' ')} subcommand` : 'command'} "${word.slice(0, 30)}"${near ? `; did you mean "${near}"?` : '.'} Known: ${choices.map((c) => c.name).join(', ')}.`,
          usage,
          'help',
        );
      }
      path.push(found);
      if (found.kind !== 'group') break;
      choices = found.subcommands;
    }
    ctx.print(path.length === 0 ? topHelp(ctx.commands) : commandHelp(path));
    return 'ok';
  },
};
