/** Permission checks: who may run which command in which environment and channel. */
import type { CommandName, Config, EnvironmentConfig, Principals } from '../config';
import { describeRoles } from '../ops/describe-roles';
import { RefusalError } from '../ops/user-error';
import type { Caller } from './caller';
import type { GroupDirectory } from './group-directory';

/** True when the person is one of `principals` (directly, through a user group, or as everyone). */
export async function isOneOf(
  principals: Principals,
  userId: string,
  groups: GroupDirectory,
): Promise<boolean> {
  if (principals.everyone || principals.users.includes(userId)) return true;
  for (const group of principals.groups) {
    if (await groups.isMember(group, userId)) return true;
  }
  return false;
}

/** The environments a channel is bound to (empty when it is bound to none). */
export function environmentsBoundTo(config: Config, channelId: string): readonly EnvironmentConfig[] {
  return config.environments.filter((e) => e.slack.channels.includes(channelId));
}

/**
 * Refuses, with a {@link RefusalError} that says who can or where to go, unless `caller` may run
 * `command` in `environment` from this channel. Environment admins may run every command.
 */
export async function authorize(
  config: Config,
  caller: Caller,
  commandName: string,
  permission: CommandName | null,
  environment: EnvironmentConfig | null,
  groups: GroupDirectory,
): Promise<void> {
  if (!environment) return;
  const bound = environmentsBoundTo(config, caller.channelId);
  if (bound.length > 0 && !bound.includes(environment)) {
    const here = bound.map((e) => e.name).join(', ');
    const there = environment.slack.channels.map((c) => `<#${c}>`).join(' or ');
    throw new RefusalError(
      `This channel is for ${here}: /${commandName} for ${environment.name} is not run here.`,
      there ? `Run it in ${there}.` : `Run it in a channel that is not bound to an environment.`,
    );
  }
  if (!permission) return;
  const allowed = environment.permissions.commands[permission];
  const admins = environment.permissions.admins;
  if ((await isOneOf(allowed, caller.userId, groups)) || (await isOneOf(admins, caller.userId, groups)))
    return;
  throw new RefusalError(
    `You may not run /${commandName} in ${environment.name}.`,
    `It is for ${describeRoles(allowed, admins)}: ask one of them.`,
  );
}
