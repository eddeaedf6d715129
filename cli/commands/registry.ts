/**
 * Every `wheelhouse` command, in the order `wheelhouse --help` lists them. A new command is one module
 * in this folder (see `command.ts`) and one entry here.
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
