/**
 * Every slash command the bot serves: one line per module. A new command is one file plus one line
 * here (and its entry in `manifest.yml`, which a test keeps in step).
 */
import { bastionKeyCommand } from './bastion-key';
import type { CommandModule } from './command';
import { deployCommand } from './deploy';
import { helpCommand } from './help';
import { lockCommand } from './lock';
import { oncallCommand } from './oncall';
import { pageCommand } from './page';
import { rollbackCommand } from './rollback';
import { scaleCommand } from './scale';
import { signoffCommand } from './signoff';
import { statusCommand } from './status';
import { tunnelCommand } from './tunnel';
import { unlockCommand } from './unlock';

/** The registered commands, in the order `/help` lists them. */
export const COMMANDS: readonly CommandModule[] = [
  helpCommand,
  statusCommand,
  tunnelCommand,
  bastionKeyCommand,
  deployCommand,
  rollbackCommand,
  signoffCommand,
  scaleCommand,
  lockCommand,
  unlockCommand,
  oncallCommand,
  pageCommand,
];
