/** Who is on call for an environment, now and next: `clients/pagerduty-oncalls.ts` with person-facing errors. */

import { type OnCall, whoIsOnCall } from '../clients/pagerduty-oncalls';
import type { EnvironmentConfig } from '../config';
import type { PagerDutyConnection } from './pagerduty-connection';
import { PAGERDUTY_TOKEN_HINT, withPagerDutyErrors } from './pagerduty-errors';
import { UserError } from './user-error';

/** How far ahead `/oncall` looks for the next shift, in days. */
export const ONCALL_LOOKAHEAD_DAYS = 14;

/**
 * Who is on call for `environment` at `now`. Throws a {@link UserError} when PagerDuty is not
 * enabled for it, when PAGERDUTY_TOKEN is not set, and when PagerDuty refuses or fails.
 */
export async function readOnCall(
  connection: PagerDutyConnection,
  environment: EnvironmentConfig,
  now: Date,
): Promise<OnCall> {
  const what = `look up who is on call for ${environment.name}`;
  if (!environment.pagerduty.enabled || !environment.pagerduty.escalationPolicyId) {
    throw new UserError(
      `PagerDuty is not enabled for ${environment.name}: cannot ${what}.`,
      `Set pagerduty.enabled: true and pagerduty.escalationPolicyId for ${environment.name} in wheelhouse.yml.`,
    );
  }
  if (!connection.hasToken) {
    throw new UserError(`PagerDuty is not connected: cannot ${what}.`, PAGERDUTY_TOKEN_HINT);
  }
  return withPagerDutyErrors(what, async () =>
    whoIsOnCall(connection.pagerDuty(), environment, { now, lookaheadDays: ONCALL_LOOKAHEAD_DAYS }),
  );
}
