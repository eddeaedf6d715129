/**
 * The bot's way to PagerDuty: the `PAGERDUTY_*` environment variables, read once at start-up, and
 * the PagerDuty client of `monitors/`, created on first use. The client module (and `@pagerduty/pdjs`,
 * about 100 ms to load) is required on first use, so that the bot starts fast and the shell never
 * loads it unless someone runs `/oncall` or `/page`. A `require`, as `keys/ssh-public-key.ts` does for
 * sshpk: a dynamic `import()` of one of our files needs a `.js` suffix that Jest cannot resolve.
 */
import type * as PagerDutyClientModule from '../clients/pagerduty-client';
import type { PagerDutyClient } from '../clients/pagerduty-client';
import { UserError } from './user-error';

/** The prefix of the per-environment routing key override, e.g. `PAGERDUTY_ROUTING_KEY_PROD`. */
export const ROUTING_KEY_OVERRIDE_PREFIX = 'PAGERDUTY_ROUTING_KEY_';

/** The variables this connection reads (besides the routing key overrides). */
const PAGERDUTY_VARIABLES = [
  'PAGERDUTY_TOKEN',
  'PAGERDUTY_API_URL',
  'PAGERDUTY_EVENTS_URL',
  'PAGERDUTY_TIMEOUT_MS',
] as const;

/** The variable that overrides the routing key of `environmentName` (`prod-eu` → `PAGERDUTY_ROUTING_KEY_PROD_EU`). */
export function routingKeyOverrideVariable(environmentName: string): string {
  return `${ROUTING_KEY_OVERRIDE_PREFIX}${environmentName.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** PagerDuty settings and the lazily created client, passed to commands in their context. */
export class PagerDutyConnection {
  private readonly env: Readonly<Record<string, string>>;
  private client: PagerDutyClient | null = null;

  /**
   * Keeps a copy of the `PAGERDUTY_*` variables of `env` (so later changes to it do not count).
   *
   * @default env process.env
   */
  constructor(env: NodeJS.ProcessEnv = process.env) {
    const kept: Record<string, string> = {};
    for (const [name, value] of Object.entries(env)) {
      if (value === undefined) continue;
      if (
        (PAGERDUTY_VARIABLES as readonly string[]).includes(name) ||
        name.startsWith(ROUTING_KEY_OVERRIDE_PREFIX)
      )
        kept[name] = value;
    }
    this.env = kept;
  }

  /** True when `PAGERDUTY_TOKEN` is set (REST calls, such as on-call lookups, need it; events do not). */
  get hasToken(): boolean {
    return Boolean(this.env.PAGERDUTY_TOKEN?.trim());
  }

  /** Base URL of Events API v2, for plans. */
  get eventsUrl(): string {
    return (this.env.PAGERDUTY_EVENTS_URL?.trim() || 'https://events.pagerduty.com').replace(/\/+$/, '');
  }

  /**
   * The routing key set for `environmentName` by `PAGERDUTY_ROUTING_KEY_<ENV>`, or null: a local
   * override of the Secrets Manager secret, for the shell and for trying a test service.
   */
  routingKeyOverride(environmentName: string): string | null {
    return this.env[routingKeyOverrideVariable(environmentName)]?.trim() || null;
  }

  /** The client, created on first use. Throws a {@link UserError} when a setting is malformed. */
  pagerDuty(): PagerDutyClient {
    if (this.client) return this.client;
    // Loaded on first use: see the file comment.
    const { createPagerDutyClient, readPagerDutySettings } =
      require('../clients/pagerduty-client') as typeof PagerDutyClientModule;
    try {
      this.client = createPagerDutyClient(readPagerDutySettings(this.env));
    } catch (error) {
      // readPagerDutySettings names the variable, its value and what it must be; it holds no secret.
      throw new UserError(
        `The bot's PagerDuty settings are wrong: ${error instanceof Error ? error.message : String(error)}.`,
        'Fix the variable in the bot’s environment and restart it.',
      );
    }
    return this.client;
  }
}
