/**
 * Checks that every alert route of an environment leads somewhere: the PagerDuty service and its
 * escalation policy exist in PagerDuty, Datadog's PagerDuty integration knows the service, and
 * Datadog's Slack integration has the alert channel. Reports what is missing instead of letting
 * monitors notify a dead handle.
 */
import { z } from 'zod';
import type { DatadogClient } from '../../clients/datadog-client';
import { MonitoringError, toMonitoringError } from '../../clients/monitoring-error';
import type { PagerDutyClient } from '../../clients/pagerduty-client';
import type { EnvironmentConfig } from '../../config';
import { recipientsOf } from '../routes';

/** The outcome of one check. */
export type RouteCheckStatus = 'ok' | 'missing' | 'skipped' | 'error';

/** One checked link of a route. */
export interface RouteCheck {
  /** What was checked, e.g. `PagerDuty service PWHPROD01`. */
  readonly what: string;
  readonly status: RouteCheckStatus;
  /** Why, and what to do about it. */
  readonly detail: string;
}

/** The clients to check with; a null client skips its checks (its keys are not set). */
export interface RouteCheckClients {
  readonly datadog: DatadogClient | null;
  readonly pagerduty: PagerDutyClient | null;
}

/** Options of {@link verifyRoutes}. */
export interface VerifyRoutesOptions {
  /**
   * The Slack account name in Datadog's Slack integration.
   *
   * @default the project name, until the configuration has `datadog.slackAccount`
   */
  readonly slackAccount: string;
}

const serviceSchema = z.object({
  service: z.object({
    id: z.string(),
    name: z.string(),
    escalation_policy: z.object({ id: z.string() }).nullish(),
  }),
});
const escalationPolicySchema = z.object({
  escalation_policy: z.object({ id: z.string(), name: z.string() }),
});

/** Runs every check of one environment; never throws for a missing or failing link, reports it. */
export async function verifyRoutes(
  env: EnvironmentConfig,
  clients: RouteCheckClients,
  options: VerifyRoutesOptions,
): Promise<readonly RouteCheck[]> {
  const checks: RouteCheck[] = [];
  for (const recipient of recipientsOf(env)) {
    if (recipient.channel === 'pagerduty') {
      checks.push(await datadogPagerDutyService(clients.datadog, recipient.name));
    } else {
      checks.push(
        await datadogSlackChannel(clients.datadog, options.slackAccount, recipient.name, recipient.handle),
      );
    }
  }
  if (env.pagerduty.enabled) checks.push(...(await pagerDutyService(env, clients.pagerduty)));
  return checks;
}

/** True when a check says a route is broken (missing or failed), as opposed to ok or skipped. */
export function isBroken(check: RouteCheck): boolean {
  return check.status === 'missing' || check.status === 'error';
}

async function datadogPagerDutyService(datadog: DatadogClient | null, name: string): Promise<RouteCheck> {
  const what = `Datadog PagerDuty integration service ${name}`;
  if (!datadog) return { what, status: 'skipped', detail: 'DD_API_KEY/DD_APP_KEY not set' };
  return check(
    what,
    'datadog',
    'read the PagerDuty integration',
    async () => {
      await datadog.pagerDutyIntegration().getPagerDutyIntegrationService({ serviceName: name });
      return { what, status: 'ok', detail: `@pagerduty-${name} resolves` };
    },
    `add the service "${name}" in Datadog (Integrations → PagerDuty) with the service's integration key, or fix pagerduty.datadogServiceName`,
  );
}

async function datadogSlackChannel(
  datadog: DatadogClient | null,
  account: string,
  channel: string,
  handle: string,
): Promise<RouteCheck> {
  const what = `Datadog Slack channel #${channel} (account ${account})`;
  if (!datadog) return { what, status: 'skipped', detail: 'DD_API_KEY/DD_APP_KEY not set' };
  const fix = `add #${channel} to the Slack account "${account}" in Datadog (Integrations → Slack), or fix slack.alertChannel`;
  return check(
    what,
    'datadog',
    'read the Slack integration',
    async () => {
      const channels = await datadog.slackIntegration().getSlackIntegrationChannels({ accountName: account });
      const found = channels.some((c) => c.name?.replace(/^#/, '') === channel);
      return found
        ? { what, status: 'ok', detail: `${handle} resolves` }
        : { what, status: 'missing', detail: fix };
    },
    fix,
  );
}

async function pagerDutyService(
  env: EnvironmentConfig,
  pagerduty: PagerDutyClient | null,
): Promise<RouteCheck[]> {
  const serviceId = env.pagerduty.serviceId ?? '(not configured)';
  const what = `PagerDuty service ${serviceId}`;
  if (!pagerduty) return [{ what, status: 'skipped', detail: 'PAGERDUTY_TOKEN not set' }];
  const checks: RouteCheck[] = [];
  let policyOfService: string | null = null;
  checks.push(
    await check(
      what,
      'pagerduty',
      'read the service',
      async () => {
        const { service } = await pagerduty.get(
          `services/${serviceId}`,
          {},
          serviceSchema,
          `read service ${serviceId}`,
        );
        policyOfService = service.escalation_policy?.id ?? null;
        return { what, status: 'ok', detail: `"${service.name}"` };
      },
      `create it or fix pagerduty.serviceId in wheelhouse.yml`,
    ),
  );
  const policyId = env.pagerduty.escalationPolicyId;
  if (policyId) {
    const policyWhat = `PagerDuty escalation policy ${policyId}`;
    const policyCheck = await check(
      policyWhat,
      'pagerduty',
      'read the escalation policy',
      async () => {
        const { escalation_policy } = await pagerduty.get(
          `escalation_policies/${policyId}`,
          {},
          escalationPolicySchema,
          `read escalation policy ${policyId}`,
        );
        if (policyOfService !== null && policyOfService !== policyId) {
          return {
            what: policyWhat,
            status: 'missing',
            detail: `the service escalates through ${policyOfService}, not "${escalation_policy.name}": fix pagerduty.escalationPolicyId or the service`,
          };
        }
        return { what: policyWhat, status: 'ok', detail: `"${escalation_policy.name}"` };
      },
      'create it or fix pagerduty.escalationPolicyId in wheelhouse.yml',
    );
    checks.push(policyCheck);
  }
  return checks;
}

async function check(
  what: string,
  service: 'datadog' | 'pagerduty',
  operation: string,
  run: () => Promise<RouteCheck>,
  fixWhenMissing: string,
): Promise<RouteCheck> {
  try {
    return await run();
  } catch (error) {
    const e = error instanceof MonitoringError ? error : toMonitoringError(service, operation, error);
    if (e.code === 'not-found') return { what, status: 'missing', detail: fixWhenMissing };
    return { what, status: 'error', detail: e.message };
  }
}
