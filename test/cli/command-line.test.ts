/**
 * How `wheelhouse` reads its arguments, against the real command table: the command path, the options
 * (node:util parseArgs, strict: https://nodejs.org/api/util.html#utilparseargsconfig, whose errors
 * carry ERR_PARSE_ARGS_UNKNOWN_OPTION and ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL,
 * https://nodejs.org/api/errors.html#err_parse_args_unknown_option), and the usage errors.
 */
import { CliUsageError } from '../../cli/cli-usage-error';
import { closestName } from '../../cli/closest-name';
import { parseCommandLine } from '../../cli/command-line';
import { CLI_COMMANDS } from '../../cli/commands/registry';

/** What a command line resolves to, in words. */
function resolve(argv: readonly string[]) {
  const line = parseCommandLine(argv, CLI_COMMANDS);
  if (line.kind === 'version') return { kind: 'version' };
  const path = line.path.map((c) => c.name).join(' ');
  if (line.kind === 'help') return { kind: 'help', path };
  return {
    kind: 'run',
    path,
    env: line.envName,
    verbose: line.verbose,
    positionals: line.options.positionals,
  };
}

/** The usage error a command line gets: its message and hint. */
function refusal(argv: readonly string[]): { message: string; hint: string | undefined } {
  try {
    parseCommandLine(argv, CLI_COMMANDS);
  } catch (error) {
    if (error instanceof CliUsageError) return { message: error.message, hint: error.hint };
    throw error;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
}

describe('parseCommandLine', () => {
  it.each([
    ['a command with --env', ['deploy', '--env', 'dev'], { kind: 'run', path: 'deploy', env: 'dev' }],
    ['--env=value', ['status', '--env=prod'], { kind: 'run', path: 'status', env: 'prod' }],
    [
      'a subcommand',
      ['monitors', 'plan', '--env', 'prod', '--prune'],
      { kind: 'run', path: 'monitors plan' },
    ],
    ['--verbose on any command', ['status', '--env', 'dev', '--verbose'], { kind: 'run', verbose: true }],
    [
      'help with its arguments',
      ['help', 'monitors', 'plan'],
      { kind: 'run', path: 'help', positionals: ['monitors', 'plan'] },
    ],
    ['--help at the top', ['--help'], { kind: 'help', path: '' }],
    ['-h on a subcommand', ['monitors', 'apply', '-h'], { kind: 'help', path: 'monitors apply' }],
    ['--help on a group', ['monitors', '--help'], { kind: 'help', path: 'monitors' }],
    ['--help before a command', ['--help', 'deploy'], { kind: 'help', path: 'deploy' }],
    ['--help with a missing --env', ['deploy', '--help'], { kind: 'help', path: 'deploy' }],
    ['--version at the top', ['--version'], { kind: 'version' }],
  ])('reads %s', (_name, argv, expected) => {
    expect(resolve(argv)).toMatchObject(expected);
  });

  it('gives a command its own options only: --prune is plan and apply’s, not routes’', () => {
    const line = parseCommandLine(
      ['monitors', 'apply', '--env', 'prod', '--prune', '--allow-missing-routes'],
      CLI_COMMANDS,
    );
    expect(
      line.kind === 'run' && [line.options.flag('prune'), line.options.flag('allow-missing-routes')],
    ).toEqual([true, true]);
    expect(refusal(['monitors', 'routes', '--env', 'prod', '--prune']).message).toBe(
      "Unknown option '--prune'.",
    );
  });

  it.each([
    [
      'an unknown command',
      ['rollout'],
      'There is no command "rollout". Commands: deploy, rollback, scale, status, monitors, help.',
    ],
    [
      'a letter left out',
      ['rolback'],
      'There is no command "rolback"; did you mean "rollback"? Commands: deploy, rollback, scale, status, monitors, help.',
    ],
    [
      'a swapped pair of letters',
      ['stauts'],
      'There is no command "stauts"; did you mean "status"? Commands: deploy, rollback, scale, status, monitors, help.',
    ],
    ['an unknown option', ['deploy', '--env', 'dev', '--force'], "Unknown option '--force'."],
    [
      'a mistyped option',
      ['deploy', '--env', 'dev', '--verison', 'v1'],
      "Unknown option '--verison'; did you mean --version?",
    ],
    [
      'a mistyped option with its value',
      ['deploy', '--env', 'dev', '--overide-freeze=x'],
      "Unknown option '--overide-freeze'; did you mean --override-freeze?",
    ],
    ['a string option without its value', ['status', '--env'], "Option '--env <value>' argument missing"],
    [
      'a value for a flag',
      ['deploy', '--env', 'dev', '--plan=yes'],
      "Option '--plan' does not take an argument",
    ],
    ['no --env', ['status'], '--env is required.'],
    ['an empty --env', ['status', '--env', ' '], '--env is required.'],
    [
      'a word after a command that takes none',
      ['status', 'dev', '--env', 'dev'],
      'Unexpected argument "dev".',
    ],
    ['a third word after help', ['help', 'monitors', 'plan', 'now'], 'Unexpected argument "now".'],
  ])('refuses %s with a usage error', (_name, argv, message) => {
    expect(refusal(argv).message).toContain(message);
  });

  it('names the usage line of the command and where its help is', () => {
    expect(refusal(['monitors', 'plan']).hint).toBe(
      'Usage: wheelhouse monitors plan --env <env> [--prune] (wheelhouse monitors plan --help for more)',
    );
    expect(refusal(['nope']).hint).toBe(
      'Usage: wheelhouse <command> [subcommand] --env <env> [options] (wheelhouse --help for more)',
    );
  });
});

describe('closestName', () => {
  const names = ['deploy', 'status', 'monitors', 'help'];
  it.each([
    ['one letter off', 'deplay', 'deploy'],
    ['two letters swapped', 'stauts', 'status'],
    ['a letter missing', 'monitor', 'monitors'],
    ['the start of one name', 'mon', 'monitors'],
    ['upper case', 'DEPLOY', 'deploy'],
    ['nothing alike', 'rollback', null],
    ['too far from a short name', 'hex', null],
  ])('answers %s', (_name, typed, expected) => {
    expect(closestName(typed, names)).toBe(expected);
  });
});
