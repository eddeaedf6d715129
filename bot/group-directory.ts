/** Who is in a Slack user group: looked up through the Web API (cached) or given by the shell's environment. */
import { z } from 'zod';
import type { BotLogger } from '../ops/logger';

/** Answers which user groups a person is in, one group at a time. */
export interface GroupDirectory {
  /** True when `userId` is a member of `groupId`. */
  isMember(groupId: string, userId: string): Promise<boolean>;
}

/** A group directory with fixed memberships (the local shell, tests). */
export function staticGroupDirectory(
  memberships: Readonly<Record<string, readonly string[]>>,
): GroupDirectory {
  return {
    async isMember(groupId, userId) {
      return memberships[userId]?.includes(groupId) ?? false;
    },
  };
}

/** The part of Slack's Web API client the directory needs. */
export interface UserGroupsApi {
  apiCall(method: 'usergroups.users.list', options: { usergroup: string }): Promise<unknown>;
}

const usersListResponse = z.object({ ok: z.literal(true), users: z.array(z.string()) });

/** Options for {@link slackGroupDirectory}. */
export interface SlackGroupDirectoryOptions {
  /** How long a group's member list is reused. @default 60_000 */
  readonly ttlMs?: number;
}

/**
 * A group directory backed by `usergroups.users.list` (scope `usergroups:read`), caching each
 * group's members so that permission checks cost no request on the hot path.
 */
export function slackGroupDirectory(
  api: UserGroupsApi,
  logger: BotLogger,
  options: SlackGroupDirectoryOptions = {},
): GroupDirectory {
  const ttl = options.ttlMs ?? 60_000;
  const cache = new Map<string, { at: number; members: Promise<ReadonlySet<string>> }>();
  const load = async (groupId: string): Promise<ReadonlySet<string>> => {
    try {
      const parsed = usersListResponse.parse(
        await api.apiCall('usergroups.users.list', { usergroup: groupId }),
      );
      return new Set(parsed.users);
    } catch (error) {
      // A failed lookup counts as "not a member" (the refusal names who can help) and is not cached.
      cache.delete(groupId);
      logger.error({ err: error, groupId }, 'cannot list the members of a Slack user group');
      return new Set();
    }
  };
  return {
    async isMember(groupId, userId) {
      const now = Date.now();
      let entry = cache.get(groupId);
      if (!entry || now - entry.at > ttl) {
        entry = { at: now, members: load(groupId) };
        cache.set(groupId, entry);
      }
      return (await entry.members).has(userId);
    },
  };
}
