/**
 * Who is on call for an environment, now and next, from the environment's PagerDuty escalation
 * policy (`GET /oncalls`). For the bot's `/oncall`: data only, the command renders it.
 */
import { z } from 'zod';
import type { EnvironmentConfig } from '../config';
import { MonitoringError } from './monitoring-error';
import type { PagerDutyClient } from './pagerduty-client';

/** One person on call at one escalation level. */
export interface OnCallShift {
  readonly userId: string;
  readonly name: string;
  /** The person's PagerDuty page. */
  readonly url: string;
  /** Escalation level, 1 is paged first. */
  readonly level: number;
  /** The schedule that puts them there, or null when the policy names them directly. */
  readonly schedule: string | null;
  /** Start of the shift; null when always on call. */
  readonly start: Date | null;
  /** End of the shift; null when always on call. */
  readonly end: Date | null;
}

/** Who is on call for one environment. */
export interface OnCall {
  readonly env: string;
  readonly escalationPolicyId: string;
  /** On call now, by escalation level. */
  readonly now: readonly OnCallShift[];
  /** The next shift to start at each level (within the look-ahead), by level. */
  readonly next: readonly OnCallShift[];
}

/** Options of {@link whoIsOnCall}. */
export interface OnCallOptions {
  /** The time to answer for. @default new Date() */
  readonly now?: Date;
  /** How far ahead to look for the next shift. @default 14 */
  readonly lookaheadDays?: number;
}

const onCallsSchema = z.object({
  oncalls: z.array(
    z.object({
      escalation_level: z.number(),
      schedule: z.object({ summary: z.string() }).nullish(),
      user: z.object({ id: z.string(), summary: z.string(), html_url: z.string() }),
      start: z.string().nullish(),
      end: z.string().nullish(),
    }),
  ),
  // Classic pagination (PagerDuty REST API, "Pagination"): `more` says another page follows.
  more: z.boolean().nullish(),
  offset: z.number().nullish(),
  limit: z.number().nullish(),
});

/** Entries asked for per page (PagerDuty's maximum for classic pagination). */
export const ONCALLS_PAGE_SIZE = 100;

/** Pages read at most: a policy with more on-call entries than this in the look-ahead is a configuration error. */
export const MAX_ONCALL_PAGES = 50;

/**
 * Who is on call now and next for `env`. Throws a MonitoringError: `not-configured` when the
 * environment has no escalation policy, `missing-credentials` without PAGERDUTY_TOKEN.
 */
export async function whoIsOnCall(
  client: PagerDutyClient,
  env: EnvironmentConfig,
  options: OnCallOptions = {},
): Promise<OnCall> {
  const policy = env.pagerduty.escalationPolicyId;
  if (!env.pagerduty.enabled || !policy) {
    throw new MonitoringError(
      'pagerduty',
      'not-configured',
      `${env.name} has no PagerDuty escalation policy: set pagerduty.enabled and pagerduty.escalationPolicyId in wheelhouse.yml`,
    );
  }
  const now = options.now ?? new Date();
  const until = new Date(now.getTime() + (options.lookaheadDays ?? 14) * 86_400_000);
  const oncalls: z.infer<typeof onCallsSchema>['oncalls'] = [];
  // Follow `more` with `offset` += `limit`, so that a shift past the first page is not cut off.
  for (let page = 0, offset = 0; ; page++) {
    const body = await client.get(
      'oncalls',
      {
        'escalation_policy_ids[]': [policy],
        since: now.toISOString(),
        until: until.toISOString(),
        time_zone: 'UTC',
        limit: String(ONCALLS_PAGE_SIZE),
        offset: String(offset),
      },
      onCallsSchema,
      `list on-calls of escalation policy ${policy}`,
    );
    oncalls.push(...body.oncalls);
    if (!body.more || body.oncalls.length === 0) break;
    if (page + 1 >= MAX_ONCALL_PAGES) {
      throw new MonitoringError(
        'pagerduty',
        'rejected',
        `escalation policy ${policy} has more than ${MAX_ONCALL_PAGES * ONCALLS_PAGE_SIZE} on-call entries in ${options.lookaheadDays ?? 14} days: shorten the look-ahead`,
      );
    }
    offset = (body.offset ?? offset) + (body.limit ?? body.oncalls.length);
  }
  const shifts: OnCallShift[] = oncalls.map((o) => ({
    userId: o.user.id,
    name: o.user.summary,
    url: o.user.html_url,
    level: o.escalation_level,
    schedule: o.schedule?.summary ?? null,
    start: o.start ? new Date(o.start) : null,
    end: o.end ? new Date(o.end) : null,
  }));
  const isNow = (s: OnCallShift) => (s.start === null || s.start <= now) && (s.end === null || s.end > now);
  const current = shifts.filter(isNow).sort(byLevelThenName);
  const upcoming = shifts
    .filter((s) => s.start !== null && s.start > now)
    .sort((a, b) => a.start!.getTime() - b.start!.getTime());
  const next: OnCallShift[] = [];
  for (const shift of upcoming) if (!next.some((s) => s.level === shift.level)) next.push(shift);
  return { env: env.name, escalationPolicyId: policy, now: current, next: next.sort(byLevelThenName) };
}

function byLevelThenName(a: OnCallShift, b: OnCallShift): number {
  return a.level - b.level || a.name.localeCompare(b.name);
}
