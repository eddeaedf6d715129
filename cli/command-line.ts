/**
 * Reads `wheelhouse <command> [subcommand] [options]`: finds the command in the table, then parses its
 * options with node:util parseArgs, strict (an unknown option or a missing value is an error, never
 * ignored). Every mistake is a {@link CliUsageError} that names what was wrong and the closest command
 * or option; nothing here loads the configuration or talks to anyone.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { CliUsageError } from './cli-usage-error';
import { closestName } from './closest-name';
import type { CliCommand, CliOption, ParsedOptions, RunnableCommand } from './commands/command';

/** The usage line of the top level, after `wheelhouse `. */
export const TOP_USAGE = '<command> [subcommand] --env <env> [options]';

/** The options every command takes. */
export const COMMON_OPTIONS: Readonly<Record<string, CliOption>> = {
  verbose: { type: 'boolean', description: 'the details (the stack trace) of an internal error' },
  help: { type: 'boolean', short: 'h', description: 'this help' },
};

/** `--env`, added to the commands that act on an environment. */
export const ENV_OPTION: CliOption = {
  type: 'string',
  value: '<env>',
  description: 'the environment, as named in wheelhouse.yml (WHEELHOUSE_CONFIG)',
};

/** The options of the top level (`wheelhouse --help`, `wheelhouse --version`). */
export const TOP_OPTIONS: Readonly<Record<string, CliOption>> = {
  help: {
    type: 'boolean',
    short: 'h',
    description: 'this help; `wheelhouse <command> --help` for a command',
  },
  version: { type: 'boolean', description: "the command line's version (package.json)" },
};

/** The flags the top level takes, before any command. */
const TOP_FLAGS: ReadonlySet<string> = new Set(['--help', '-h', '--version']);

/** What the arguments ask for. */
export type CommandLine =
  /** The help of the top level (empty path) or of the command at the end of `path`. */
  | { readonly kind: 'help'; readonly path: readonly CliCommand[] }
  | { readonly kind: 'version' }
  | {
      readonly kind: 'run';
      /** From the top: `[monitors, plan]`. */
      readonly path: readonly CliCommand[];
      readonly command: RunnableCommand;
      readonly options: ParsedOptions;
      /** `--env`, for the commands that take it. */
      readonly envName: string | null;
      readonly verbose: boolean;
    };

/** The words that name a command: `monitors plan`. */
export function commandWords(path: readonly CliCommand[]): string {
  return path.map((c) => c.name).join(' ');
}

/** Every option a command takes: its own, `--env` when it acts on one, `--verbose` and `--help`. */
export function optionsOf(command: RunnableCommand): Readonly<Record<string, CliOption>> {
  return { ...(command.takesEnvironment ? { env: ENV_OPTION } : {}), ...command.options, ...COMMON_OPTIONS };
}

/** Parses `argv` against `commands`; throws {@link CliUsageError} saying what is wrong. */
export function parseCommandLine(argv: readonly string[], commands: readonly CliCommand[]): CommandLine {
  const { path, rest } = findCommand(argv, commands);
  const last = path.at(-1);
  if (last === undefined) {
    if (rest.length > 0 && !TOP_FLAGS.has(rest[0]!)) {
      throw new CliUsageError(
        `Say the command first, then its options: wheelhouse <command> ${rest[0]!.slice(0, 30)} …`,
        TOP_USAGE,
        '',
      );
    }
    const { values, positionals } = parseOptions(rest, TOP_OPTIONS, TOP_USAGE, '', true);
    if (values.help) return { kind: 'help', path: findCommand(positionals, commands).path };
    if (values.version) return { kind: 'version' };
    throw new CliUsageError(
      `Say which command to run: ${commands.map((c) => c.name).join(', ')}.`,
      TOP_USAGE,
      '',
    );
  }
  const words = commandWords(path);
  if (last.kind === 'group') {
    // `monitors --env dev` lacks the subcommand more than it has a wrong option: say that.
    if (rest.includes('--help') || rest.includes('-h')) return { kind: 'help', path };
    throw new CliUsageError(
      `Say which ${words} subcommand to run: ${last.subcommands.map((c) => c.name).join(', ')}.`,
      last.usage,
      words,
    );
  }
  const { values, positionals } = parseOptions(rest, optionsOf(last), last.usage, words, true);
  if (values.help) return { kind: 'help', path };
  const allowed = last.arguments?.length ?? 0;
  const extra = positionals[allowed];
  if (extra !== undefined) {
    throw new CliUsageError(`Unexpected argument "${extra.slice(0, 30)}".`, last.usage, words);
  }
  let envName: string | null = null;
  if (last.takesEnvironment) {
    const env = values.env;
    if (typeof env !== 'string' || env.trim() === '')
      throw new CliUsageError('--env is required.', last.usage, words);
    envName = env.trim();
  }
  return {
    kind: 'run',
    path,
    command: last,
    envName,
    verbose: values.verbose === true,
    options: {
      string: (name) => (typeof values[name] === 'string' ? (values[name] as string) : null),
      flag: (name) => values[name] === true,
      positionals,
    },
  };
}

/**
 * The command named by the leading words of `argv` (before the first option), and what follows.
 * A word that names no command is an error naming the closest one.
 */
function findCommand(
  argv: readonly string[],
  commands: readonly CliCommand[],
): { path: CliCommand[]; rest: string[] } {
  const path: CliCommand[] = [];
  let choices: readonly CliCommand[] = commands;
  let i = 0;
  for (; i < argv.length; i++) {
    const word = argv[i]!;
    const last = path.at(-1);
    // After a command that runs, the words are its arguments.
    if (word.startsWith('-') || (last !== undefined && last.kind !== 'group')) break;
    const found = choices.find((c) => c.name === word);
    if (!found) throw unknownCommand(word, choices, path);
    path.push(found);
    if (found.kind === 'group') choices = found.subcommands;
  }
  return { path, rest: argv.slice(i) };
}

function unknownCommand(word: string, choices: readonly CliCommand[], path: readonly CliCommand[]): Error {
  const names = choices.map((c) => c.name);
  const near = closestName(word, names);
  const parent = path.at(-1);
  const what = parent ? `${commandWords(path)} subcommand` : 'command';
  const suggestion = near ? `; did you mean "${near}"?` : '.';
  return new CliUsageError(
    `There is no ${what} "${word.slice(0, 30)}"${suggestion} ${parent ? 'Subcommands' : 'Commands'}: ${names.join(', ')}.`,
    parent ? parent.usage : TOP_USAGE,
    commandWords(path),
  );
}

/** parseArgs, strict, with its messages turned into usage errors that name the closest option. */
function parseOptions(
  args: readonly string[],
  spec: Readonly<Record<string, CliOption>>,
  usage: string,
  words: string,
  allowPositionals: boolean,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, option] of Object.entries(spec)) {
    options[name] = option.short ? { type: option.type, short: option.short } : { type: option.type };
  }
  try {
    const { values, positionals } = parseArgs({ args: [...args], options, strict: true, allowPositionals });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (error) {
    // parseArgs names the option: "Unknown option '--force'", "Option '--env <value>' argument missing".
    const message = (error instanceof Error ? error.message : String(error)).replace(
      /\. To specify a positional argument.*$/s,
      '.',
    );
    const code = (error as { code?: string }).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const typed = /'(-[^']*)'/.exec(message)?.[1] ?? '';
      const near = closestName(typed.replace(/^-+/, '').replace(/=.*$/, ''), Object.keys(spec));
      throw new CliUsageError(
        `Unknown option '${typed.slice(0, 40)}'${near ? `; did you mean --${near}?` : '.'}`,
        usage,
        words,
      );
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      const typed = /'([^']*)'/.exec(message)?.[1] ?? '';
      throw new CliUsageError(`Unexpected argument "${typed.slice(0, 30)}".`, usage, words);
    }
    throw new CliUsageError(message, usage, words);
  }
}
