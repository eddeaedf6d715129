/**
 * Paging an environment's PagerDuty service (Events API v2): trigger, acknowledge and resolve by
 * deduplication key, with the routing key from Secrets Manager (`pagerduty.routingKeySecretName`) or
 * the local `PAGERDUTY_ROUTING_KEY_<ENV>` override. The routing key is a secret: it is passed to
 * `clients/pagerduty-events.ts` and nowhere else (never logged, rendered, or kept in a button).
 */

import type { PagerDutyClient } from '../clients/pagerduty-client';
import {
  acknowledgeIncident,
  type PageHandle,
  type PageSeverity,
  resolveIncident,
  triggerIncident,
} from '../clients/pagerduty-events';
import type { EnvironmentConfig } from '../config';
import type { AwsClients } from './aws-clients';
import type { PlanStep } from './bastion-keys';
import { type PagerDutyConnection, routingKeyOverrideVariable } from './pagerduty-connection';
import { type RoutingKeySource, withPagerDutyErrors } from './pagerduty-errors';
import { REDACTED } from './redact';
import { readSecretString } from './secrets';
import { UserError } from './user-error';

/** What `/page` asks for. */
export interface PageOptions {
  readonly summary: string;
  /** Who asked: `Slack user <name> (<id>)`. */
  readonly requestedBy: string;
  /** Deduplication key; paging twice with one key opens one incident. */
  readonly dedupKey: string;
  /** @default 'critical' */
  readonly severity?: PageSeverity;
}

/** True when the routing key of `environment` can be had without AWS (a local override). */
export function hasRoutingKeyOverride(
  connection: PagerDutyConnection,
  environment: EnvironmentConfig,
): boolean {
  return connection.routingKeyOverride(environment.name) !== null;
}

/** Refuses with what to set when PagerDuty paging is not enabled for `environment`. */
export function requirePagingEnabled(environment: EnvironmentConfig, what: string): void {
  if (!environment.pagerduty.enabled) {
    throw new UserError(
      `PagerDuty is not enabled for ${environment.name}: cannot ${what}.`,
      `Set pagerduty.enabled: true and pagerduty.serviceId for ${environment.name} in wheelhouse.yml, and store the service's Events API v2 integration key in the secret ${environment.pagerduty.routingKeySecretName}.`,
    );
  }
}

/** What paging would do, for people without AWS credentials: the event, with the routing key redacted. */
export async function planPage(
  connection: PagerDutyConnection,
  environment: EnvironmentConfig,
  options: PageOptions,
): Promise<PlanStep[]> {
  requirePagingEnabled(environment, `page ${environment.name}`);
  let event: Readonly<Record<string, unknown>> = {};
  // The event is built by the same function that sends it, so that the plan shows exactly what would go.
  const capture: PagerDutyClient = {
    settings: {
      token: null,
      apiUrl: '',
      eventsUrl: connection.eventsUrl,
      timeoutMs: 1,
      retryDelayMs: 1,
    },
    get: () => Promise.reject(new Error('a plan makes no REST call')),
    enqueue: async (e) => {
      event = e;
      return { status: 'success', dedup_key: options.dedupKey };
    },
  };
  await triggerIncident(capture, environment, { ...pageRequest(environment, options), routingKey: REDACTED });
  return [
    {
      call: 'secretsmanager:GetSecretValue',
      resource: environment.pagerduty.routingKeySecretName,
      detail: `the routing key of the ${environment.name} service (or ${routingKeyOverrideVariable(environment.name)})`,
    },
    {
      call: 'POST',
      resource: `${connection.eventsUrl}/v2/enqueue`,
      detail: JSON.stringify(event),
    },
  ];
}

/** Triggers an incident for `environment`; resolves to the handle its buttons carry. */
export async function pageEnvironment(
  aws: AwsClients,
  connection: PagerDutyConnection,
  environment: EnvironmentConfig,
  options: PageOptions,
): Promise<PageHandle> {
  const what = `page ${environment.name}`;
  requirePagingEnabled(environment, what);
  const routingKey = await readRoutingKey(aws, connection, environment, what);
  return withPagerDutyErrors(
    what,
    async () =>
      triggerIncident(connection.pagerDuty(), environment, {
        ...pageRequest(environment, options),
        routingKey,
      }),
    routingKeySource(connection, environment),
  );
}

/** Acknowledges the incident of `handle` (PagerDuty stops escalating it). */
export function acknowledgePage(
  aws: AwsClients,
  connection: PagerDutyConnection,
  environment: EnvironmentConfig,
  handle: PageHandle,
): Promise<void> {
  return actOnPage(aws, connection, environment, handle, 'acknowledge');
}

/** Resolves the incident of `handle`. */
export function resolvePage(
  aws: AwsClients,
  connection: PagerDutyConnection,
  environment: EnvironmentConfig,
  handle: PageHandle,
): Promise<void> {
  return actOnPage(aws, connection, environment, handle, 'resolve');
}

async function actOnPage(
  aws: AwsClients,
  connection: PagerDutyConnection,
  environment: EnvironmentConfig,
  handle: PageHandle,
  action: 'acknowledge' | 'resolve',
): Promise<void> {
  const what = `${action} the ${environment.name} incident`;
  requirePagingEnabled(environment, what);
  const routingKey = await readRoutingKey(aws, connection, environment, what);
  const act = action === 'acknowledge' ? acknowledgeIncident : resolveIncident;
  await withPagerDutyErrors(
    what,
    async () => act(connection.pagerDuty(), routingKey, handle),
    routingKeySource(connection, environment),
  );
}

/** What acting on an incident without AWS credentials would do. */
export function planIncidentAction(
  connection: PagerDutyConnection,
  environment: EnvironmentConfig,
  action: 'acknowledge' | 'resolve',
  handle: PageHandle,
): PlanStep[] {
  return [
    {
      call: 'secretsmanager:GetSecretValue',
      resource: environment.pagerduty.routingKeySecretName,
      detail: `the routing key of the ${environment.name} service (or ${routingKeyOverrideVariable(environment.name)})`,
    },
    {
      call: 'POST',
      resource: `${connection.eventsUrl}/v2/enqueue`,
      detail: JSON.stringify({ routing_key: REDACTED, event_action: action, dedup_key: handle.dedupKey }),
    },
  ];
}

function pageRequest(environment: EnvironmentConfig, options: PageOptions) {
  return {
    summary: options.summary,
    requestedBy: options.requestedBy,
    dedupKey: options.dedupKey,
    severity: options.severity ?? 'critical',
    details: { paged_from: 'Wheelhouse /page', stack: environment.stackName },
  } as const;
}

async function readRoutingKey(
  aws: AwsClients,
  connection: PagerDutyConnection,
  environment: EnvironmentConfig,
  what: string,
): Promise<string> {
  return (
    connection.routingKeyOverride(environment.name) ??
    readSecretString(aws, environment, environment.pagerduty.routingKeySecretName, what)
  );
}

function routingKeySource(connection: PagerDutyConnection, environment: EnvironmentConfig): RoutingKeySource {
  return {
    description: hasRoutingKeyOverride(connection, environment)
      ? `${routingKeyOverrideVariable(environment.name)} in the bot's environment`
      : `the secret ${environment.pagerduty.routingKeySecretName} in ${environment.region}`,
  };
}
