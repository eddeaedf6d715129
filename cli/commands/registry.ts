/**
 * Every `wheelhouse` command, in the order `wheelhouse --help` lists them: deploy, rollback, scale,
 * status, monitors (a group: plan, apply, routes, alerts) and help. A new command is one module in
 * this folder (see `command.ts`: its name, help, options and `run`) and one entry here; `run` reads
 * its options, calls the command's own file in `cli/` (`cli/rollback-command.ts`,
 * `cli/scale-command.ts`, …) with the context it is given (config, environment, identity, `aws()`,
 * `print`), returns `ok`, `failed` or `changes`, and throws a `UserError` to refuse.
 */
import type { CliCommand } from './command';
import { deployCommand } from './deploy';
import { helpCommand } from './help';
import { monitorsCommand } from './monitors';
import { rollbackCommand } from './rollback';
import { scaleCommand } from './scale';
import { statusCommand } from './status';

/** The command table. */
export const CLI_COMMANDS: readonly CliCommand[] = [
  deployCommand,
  rollbackCommand,
  scaleCommand,
  statusCommand,
  monitorsCommand,
  helpCommand,
];
