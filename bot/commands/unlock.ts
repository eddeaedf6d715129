/**
 * `/unlock <env> [--force]`: releases the deploy lock; its holder may, and so may an environment admin.
 * A lock a running deploy holds needs `--force`, and only an admin may force (its holder too: a
 * deploy cannot be released from under itself by a slip): the deploy notices at its next heartbeat
 * (its renewal refused) and stops before its next step, without rolling back.
 */

import { MissingCredentialsError } from '../../ops/aws-errors';
import { DeployStateStore } from '../../ops/deploy/deploy-state';
import { describeRoles } from '../../ops/describe-roles';
import { RefusalError, UsageError } from '../../ops/user-error';
import { escapeMrkdwn, section } from '../../slack/blocks';
import { ephemeral, inChannel } from '../../slack/reply';
import type { CommandModule } from './command';
import { takeEnvironment, words } from './environment-argument';

/** The slash command name. */
export const name = 'unlock';
/** The usage line. */
export const usage = '/unlock <env> [--force]';

/** The `/unlock` module. */
export const unlockCommand: CommandModule = {
  name,
  usage,
  summary: "Release an environment's deploy lock (its holder, or an admin).",
  permission: 'unlock',
  parse(text, ctx) {
    const tokens = words(text);
    const { environment, consumed } = takeEnvironment(tokens, ctx, usage);
    const force = tokens[consumed] === '--force';
    if (tokens.length > consumed + (force ? 1 : 0))
      throw new UsageError(`Unexpected argument "${tokens[consumed]!.slice(0, 30)}".`, usage);
    return {
      environment,
      auditArgs: `${environment.name}${force ? ' --force' : ''}`,
      async run(run) {
        if (!(await run.aws.hasCredentials(environment.region))) {
          throw new MissingCredentialsError(`unlock ${environment.name}`);
        }
        const store = new DeployStateStore(run.aws, environment);
        const lock = await store.readLock(run.now());
        if (!lock) return ephemeral(`${environment.name} is not locked.`);
        const admin = await run.isAdmin(environment);
        if (lock.kind === 'deploy' && !force) {
          throw new RefusalError(
            `${environment.name} is locked by a running deploy (<@${lock.owner}>: ${escapeMrkdwn(lock.reason)}).`,
            `Wait for it to end. To stop it, an admin can \`/unlock ${environment.name} --force\`: it stops before its next step and does not roll back.`,
          );
        }
        if (force && !admin) {
          throw new RefusalError(
            `Only an admin may force-release the lock on ${environment.name}.`,
            `Ask ${describeRoles(environment.permissions.admins)}.`,
          );
        }
        if (lock.owner !== run.caller.userId && !admin) {
          throw new RefusalError(
            `${environment.name} is locked by <@${lock.owner}>: only they or an admin may unlock it.`,
            `Ask them, or ${describeRoles(environment.permissions.admins)}.`,
          );
        }
        // Conditional on the lock we saw, so that a lock taken in between is not released by mistake.
        const released = await store.releaseLock(
          { token: lock.token },
          { id: run.caller.userId, name: run.caller.userName },
        );
        if (!released) return ephemeral(`${environment.name} was unlocked meanwhile.`);
        const whose = lock.owner === run.caller.userId ? 'their' : `<@${lock.owner}>'s`;
        return inChannel(`${environment.name} is unlocked.`, [
          section(
            `:unlock: <@${run.caller.userId}> released ${whose} lock on *${environment.name}* (${escapeMrkdwn(lock.reason)}).${lock.kind === 'deploy' ? ' The deploy holding it stops before its next step (at its next heartbeat) and does not roll back.' : ''}`,
          ),
        ]);
      },
    };
  },
};
