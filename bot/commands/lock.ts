/** `/lock <env> <reason>`: holds an environment's deploy lock by hand (no deploy starts until `/unlock`). */

import { MissingCredentialsError } from '../../ops/aws-errors';
import { DeployStateStore } from '../../ops/deploy/deploy-state';
import { UsageError } from '../../ops/user-error';
import { section } from '../../slack/blocks';
import { inChannel } from '../../slack/reply';
import type { CommandModule } from './command';
import { lockedRefusal } from './deploy-thread';
import { afterWords, takeEnvironment, words } from './environment-argument';
import { formatTime } from './format-time';

/** The slash command name. */
export const name = 'lock';
/** The usage line. */
export const usage = '/lock <env> <reason>';

/** The `/lock` module. */
export const lockCommand: CommandModule = {
  name,
  usage,
  summary: "Hold an environment's deploy lock, with a reason, until /unlock or its time-to-live.",
  permission: 'lock',
  parse(text, ctx) {
    const tokens = words(text);
    const { environment, consumed } = takeEnvironment(tokens, ctx, usage);
    const reason = afterWords(text, consumed).slice(0, 200);
    if (reason === '') throw new UsageError('Say why you lock it.', usage);
    return {
      environment,
      auditArgs: `${environment.name} ${reason}`,
      async run(run) {
        if (!(await run.aws.hasCredentials(environment.region))) {
          throw new MissingCredentialsError(`lock ${environment.name}`);
        }
        const store = new DeployStateStore(run.aws, environment);
        const result = await store.acquireLock(
          { owner: run.caller.userId, ownerName: run.caller.userName, reason },
          'manual',
          run.now(),
        );
        const tz = run.config.project.timeZone;
        if (!result.acquired) throw lockedRefusal(environment.name, result.holder, tz);
        const expires = formatTime(result.lock.expiresAt, tz);
        return inChannel(
          `${environment.name} is locked by ${run.caller.userName} until ${expires}: ${reason}`,
          [
            section(
              `:lock: <@${run.caller.userId}> locked *${environment.name}*: ${reason}. No deploy starts until \`/unlock ${environment.name}\` or ${expires}.`,
            ),
          ],
        );
      },
    };
  },
};
