/**
 * Every `wheelhouse` command, in the order `wheelhouse --help` lists them. A new command is one module
 * in this folder (see `command.ts`) and one entry here: `rollback` and `scale` are modules like
 * `deploy.ts`, an `EnvironmentCommand` whose `run` reads its options and calls `runRollbackCommand` /
 * `runScaleCommand` (cli/rollback-command.ts, cli/scale-command.ts) with the context it is given
 * (config, environment, identity, `aws()`, `print`), returning `ok` or `failed` and throwing a
 * `UserError` to refuse.
 */
import type { CliCommand } from './command';
import { deployCommand } from './deploy';
import { helpCommand } from './help';
import { monitorsCommand } from './monitors';
import { statusCommand } from './status';

/** The command table. */
export const CLI_COMMANDS: readonly CliCommand[] = [
  deployCommand,
  statusCommand,
  monitorsCommand,
  helpCommand,
];
