/**
 * Alert routes: severity × environment → recipients.
 *
 * Critical alerts in an environment with PagerDuty enabled page through Datadog's PagerDuty
 * integration (`@pagerduty-<service>`); warnings, and everything in environments without PagerDuty,
 * go to the environment's Slack channel (`@slack-<channel>`). Recoveries go wherever the alert went
 * (see `message.ts`), so that PagerDuty resolves the incident it opened.
 */
import type { Config, EnvironmentConfig } from '../config';
import { SEVERITIES, type Severity } from './types';

/** The integration a route notifies through. */
export type RouteChannel = 'pagerduty' | 'slack';

/** One recipient: the integration, its name in Datadog, and the `@`-handle that notifies it. */
export interface Recipient {
  readonly channel: RouteChannel;
  /** The PagerDuty service name in Datadog, or the Slack channel name. */
  readonly name: string;
  /** The handle written into a monitor message: `@pagerduty-wheelhouse-prod`, `@slack-wheelhouse-dev-alerts`. */
  readonly handle: string;
}

/** Where one severity goes in one environment. */
export interface Route {
  readonly env: string;
  readonly severity: Severity;
  readonly recipients: readonly Recipient[];
}

/** True when critical alerts of this environment page through PagerDuty. */
export function pagesOnCall(env: EnvironmentConfig): boolean {
  return env.pagerduty.enabled && env.pagerduty.datadogServiceName !== null;
}

/** The route of one severity in one environment. */
export function routeFor(env: EnvironmentConfig, severity: Severity): Route {
  if (severity === 'critical' && pagesOnCall(env)) {
    const name = env.pagerduty.datadogServiceName!;
    return {
      env: env.name,
      severity,
      recipients: [{ channel: 'pagerduty', name, handle: `@pagerduty-${name}` }],
    };
  }
  const name = env.slack.alertChannel;
  return {
    env: env.name,
    severity,
    recipients: [{ channel: 'slack', name, handle: slackHandle(env, name) }],
  };
}

/**
 * The `@slack-` handle of a channel. With one Slack workspace in Datadog it is `@slack-<channel>`;
 * with more, Datadog needs the account in it, `@slack-<account>-<channel>` (Datadog, "Slack
 * integration", section "Monitor alerts": "If you have multiple Slack accounts, use @slack-{account}-{channel}").
 */
export function slackHandle(env: EnvironmentConfig, channel: string): string {
  return env.datadog.multipleSlackWorkspaces
    ? `@slack-${env.datadog.slackAccount}-${channel}`
    : `@slack-${channel}`;
}

/** Every route of every environment, environments in file order and severities most urgent first. */
export function routeTable(config: Config): readonly Route[] {
  return config.environments.flatMap((env) => SEVERITIES.map((severity) => routeFor(env, severity)));
}

/** The distinct recipients that the monitors of one environment can notify, for route verification. */
export function recipientsOf(env: EnvironmentConfig): readonly Recipient[] {
  const byHandle = new Map<string, Recipient>();
  for (const severity of SEVERITIES) {
    for (const r of routeFor(env, severity).recipients) byHandle.set(r.handle, r);
  }
  return [...byHandle.values()];
}
