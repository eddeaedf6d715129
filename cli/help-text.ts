/** The help of `wheelhouse` and of each command, from the command table: one layout for all. */
import { commandWords, optionsOf, TOP_OPTIONS, TOP_USAGE } from './command-line';
import type { CliCommand, CliOption } from './commands/command';
import { EXIT_CODE_MEANINGS } from './exit-codes';

/** How the command line is reached, for the top-level help and the README. */
const ENTRY_POINTS = [
  'Run it as `npx wheelhouse <command>` or `npm run wheelhouse -- <command>` in the repository',
  '(bin/wheelhouse); `npm run monitors -- <subcommand>` is `wheelhouse monitors <subcommand>`.',
  'The Slack bot is not a command: `npm start` runs it (a long-running process, no exit code to read).',
].join('\n');

/** The variables every command reads. */
const ENVIRONMENT = [
  'WHEELHOUSE_CONFIG (the configuration; default wheelhouse.yml in the working directory), AWS',
  'credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID…), CI=true (or no terminal) for plain lines, SLACK_BOT_TOKEN',
  "to post the audit line to slack.auditChannel; each command's help names the others it reads.",
].join('\n');

/** `wheelhouse --help`: the usage, the commands, the options, the exit codes. */
export function topHelp(commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    `Usage: wheelhouse ${TOP_USAGE}`,
    '',
    'The Wheelhouse command line: the same operations as the Slack bot, for people and CI, with one',
    'argument style (--env <env>, --help on every command) and one meaning per exit code.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Options:',
    ...optionLines(TOP_OPTIONS),
    '',
    'Examples:',
    ...commands.flatMap((c) => c.examples.slice(0, 1)).map((e) => `  ${e}`),
    '',
    exitCodeLines(),
    '',
    `Environment: ${ENVIRONMENT}`,
    '',
    ENTRY_POINTS,
  ].join('\n');
}

/** `wheelhouse <command> --help`: the usage, what it does, its options, examples and exit codes. */
export function commandHelp(path: readonly CliCommand[]): string {
  const command = path.at(-1)!;
  const lines = [`Usage: wheelhouse ${command.usage}`, '', command.description, ''];
  if (command.kind === 'group') {
    const width = Math.max(...command.subcommands.map((c) => c.name.length)) + 2;
    lines.push('Subcommands:', ...command.subcommands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`));
    lines.push('', `wheelhouse ${commandWords(path)} <subcommand> --help for each one's options.`);
  } else {
    lines.push('Options:', ...optionLines(optionsOf(command)));
  }
  lines.push('', 'Examples:', ...command.examples.map((e) => `  ${e}`), '');
  // The codes keep their one meaning everywhere; a command says what each means for it.
  lines.push(
    command.exitCodes
      ? `Exit codes: ${command.exitCodes} (wheelhouse --help lists them all)`
      : exitCodeLines(),
  );
  return lines.join('\n');
}

/** The exit codes, as every help prints them. */
export function exitCodeLines(): string {
  return [
    'Exit codes (every command):',
    ...EXIT_CODE_MEANINGS.map(([code, text]) => `  ${code}  ${text}`),
  ].join('\n');
}

function optionLines(options: Readonly<Record<string, CliOption>>): string[] {
  const label = ([name, o]: [string, CliOption]) =>
    `${o.short ? `-${o.short}, ` : ''}--${name}${o.value ? ` ${o.value}` : ''}`;
  const entries = Object.entries(options);
  const width = Math.max(...entries.map((e) => label(e).length)) + 2;
  return entries.map((e) => `  ${label(e).padEnd(width)}${e[1].description}`);
}
