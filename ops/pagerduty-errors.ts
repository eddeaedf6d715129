/**
 * Turns PagerDuty errors (`MonitoringError` from `monitors/`) into {@link UserError}s that say what to
 * do: set PAGERDUTY_TOKEN, fix the routing key, enable PagerDuty for the environment, or retry. The
 * messages come from `clients/monitoring-error.ts`, which never puts a token or a key in them.
 */
import { MonitoringError } from '../clients/monitoring-error';
import { UserError } from './user-error';

/** The hint for a missing `PAGERDUTY_TOKEN`. */
export const PAGERDUTY_TOKEN_HINT =
  'Set PAGERDUTY_TOKEN in the bot’s environment to a PagerDuty REST API key (PagerDuty → Integrations → API Access Keys; read-only is enough) and restart the bot.';

/** Where the routing key comes from, for hints: the secret, or the local override. */
export interface RoutingKeySource {
  readonly description: string;
}

/** Runs `call`, translating PagerDuty errors that a person can act on; `what` completes "cannot …". */
export async function withPagerDutyErrors<T>(
  what: string,
  call: () => Promise<T>,
  routingKey?: RoutingKeySource,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof MonitoringError)) throw error;
    throw toUserError(what, error, routingKey);
  }
}

function toUserError(what: string, error: MonitoringError, routingKey?: RoutingKeySource): UserError {
  const retry =
    'Try again in a minute (https://status.pagerduty.com shows outages); if it is urgent, page from the PagerDuty app or by phone.';
  switch (error.code) {
    case 'missing-credentials':
      return new UserError(`PagerDuty is not connected: cannot ${what}.`, PAGERDUTY_TOKEN_HINT);
    case 'not-configured':
      return new UserError(`${error.message}.`, 'Then deploy the configuration and retry.');
    case 'unauthorized':
      return new UserError(
        `PagerDuty refused the bot's credentials (${error.status ?? 'no status'}): cannot ${what}.`,
        routingKey
          ? `Check the routing key (${routingKey.description}): it must be the Events API v2 integration key of the environment's service.`
          : 'PAGERDUTY_TOKEN is wrong, revoked or lacks access: create a new REST API key in PagerDuty and restart the bot with it.',
      );
    case 'not-found':
    case 'rejected':
      return new UserError(
        `PagerDuty rejected the request: cannot ${what}. (${error.message})`,
        routingKey
          ? `Check the routing key (${routingKey.description}): it must be the Events API v2 integration key of the environment's service.`
          : 'Check pagerduty.escalationPolicyId in wheelhouse.yml against PagerDuty.',
      );
    case 'unavailable':
      return new UserError(
        `PagerDuty is failing${error.status ? ` (${error.status})` : ''}: cannot ${what}.`,
        retry,
      );
    case 'timeout':
      return new UserError(`PagerDuty did not answer in time: cannot ${what}.`, retry);
  }
}
