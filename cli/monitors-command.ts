/**
 * `wheelhouse monitors plan|apply|routes|alerts`: the Datadog monitors, dashboards, metric tag
 * configurations and synthetic tests of one environment, as code (`monitors/`).
 *
 * - `plan`: shows what `apply` would change; `changes` when there are some (exit 3, as `terraform plan
 *   -detailed-exitcode`). Without Datadog keys it shows what would be created.
 * - `apply`: makes the changes; refuses when a route is missing unless `allowMissingRoutes`.
 * - `routes`: checks the alert routes only; `failed` when one is missing.
 * - `alerts`: prints, per failure we watch, which alert catches it, where it goes and the worst-case
 *   time to the notification, then every alert (what it means, the first step), as Markdown, offline;
 *   the README's operator's guide embeds prod's.
 *
 * `plan` and `apply` include the synthetic tests. Their targets are the domain when one is
 * configured, else the deployed stack's `HttpEndpoint`/`GrpcEndpoint` outputs, read with the AWS
 * credentials of the environment (AWS_ACCESS_KEY_ID/AWS_PROFILE…, AWS_ENDPOINT_URL); without them the
 * synthetic tests are skipped with a line that says why.
 *
 * Datadog and PagerDuty errors: missing or refused credentials and a configuration that lacks what is
 * needed are refusals (a {@link UserError}: exit 2); the others (a 404, a 5xx, a timeout) mean the
 * operation ran and failed (`failed`: exit 1), with the service's message.
 */
import {
  createDatadogClient,
  type DatadogClient,
  missingDatadogKeys,
  readDatadogSettings,
} from '../clients/datadog-client';
import { MonitoringError } from '../clients/monitoring-error';
import { createPagerDutyClient, readPagerDutySettings } from '../clients/pagerduty-client';
import type { Config, EnvironmentConfig } from '../config';
import { alertGuideMarkdown } from '../monitors/alert-guide';
import { dashboardsFor } from '../monitors/dashboards';
import { tagConfigurationsFor } from '../monitors/metric-tag-configurations';
import { monitorsFor } from '../monitors/monitors';
import { applyPlan } from '../monitors/sync/apply';
import { hasChanges, planSync } from '../monitors/sync/plan';
import { readManaged } from '../monitors/sync/read-managed';
import { renderPlan, renderRouteChecks } from '../monitors/sync/render-plan';
import { isBroken, type RouteCheck, verifyRoutes } from '../monitors/sync/verify-routes';
import { lookupEndpoints, type StackEndpointReader } from '../monitors/synthetics/endpoints';
import { stackEndpointReader } from '../monitors/synthetics/stack-endpoints';
import {
  applySynthetics,
  planSynthetics,
  readManagedSynthetics,
  renderSyntheticsPlan,
} from '../monitors/synthetics/sync-synthetics';
import { defineSynthetics } from '../monitors/synthetics/synthetic-tests';
import { UserError } from '../ops/user-error';
import type { CommandOutcome } from './commands/command';

/** The monitors subcommands. */
export type MonitorsSubcommand = 'plan' | 'apply' | 'routes' | 'alerts';

/** What to do, as parsed from the arguments. */
export interface MonitorsCommandOptions {
  readonly subcommand: MonitorsSubcommand;
  /** Delete managed objects that are no longer defined (plan, apply). */
  readonly prune: boolean;
  /** Apply although an alert route is missing (apply). */
  readonly allowMissingRoutes: boolean;
}

/** What the command uses; `main.ts` builds it, tests point the variables at local fakes. */
export interface MonitorsCommandContext {
  readonly config: Config;
  readonly environment: EnvironmentConfig;
  /** DD_API_KEY, DD_APP_KEY, DD_SITE, DATADOG_API_URL, PAGERDUTY_TOKEN, PAGERDUTY_API_URL, AWS credentials. */
  readonly env: NodeJS.ProcessEnv;
  print(line: string): void;
  printError(line: string): void;
  /** Reads the endpoint outputs of a deployed stack. @default CloudFormation with the AWS credentials of `env` */
  readonly stackEndpoints?: StackEndpointReader;
}

/** Monitoring error codes that are a refusal (exit 2): nothing was tried that could have worked. */
const REFUSING_CODES: ReadonlySet<MonitoringError['code']> = new Set([
  'missing-credentials',
  'unauthorized',
  'not-configured',
]);

/** Runs one monitors subcommand; refusals are thrown as {@link UserError}s. */
export async function runMonitorsCommand(
  ctx: MonitorsCommandContext,
  options: MonitorsCommandOptions,
): Promise<CommandOutcome> {
  try {
    return await run(ctx, options);
  } catch (error) {
    if (!(error instanceof MonitoringError)) throw error;
    if (REFUSING_CODES.has(error.code)) throw new UserError(error.message);
    ctx.printError(`wheelhouse: ${error.message}`);
    return 'failed';
  }
}

async function run(ctx: MonitorsCommandContext, options: MonitorsCommandOptions): Promise<CommandOutcome> {
  const { config, environment, env, print: out } = ctx;
  const { subcommand: command, prune } = options;
  const project = config.project.name;
  if (command === 'alerts') {
    out(alertGuideMarkdown(config, environment));
    return 'ok';
  }

  const settings = readDatadogSettings(env, environment.datadog.site);
  const missing = missingDatadogKeys(settings);
  const datadog: DatadogClient | null = missing.length === 0 ? createDatadogClient(settings) : null;
  const pdSettings = readPagerDutySettings(env);
  const pagerduty = pdSettings.token ? createPagerDutyClient(pdSettings) : null;

  const desired = {
    monitors: monitorsFor(config, environment),
    dashboards: dashboardsFor(config, environment),
    // Percentiles of the distributions our queries use: none to enable where Datadog is off.
    tagConfigurations: environment.datadog.enabled ? tagConfigurationsFor(config) : [],
  };
  if (!environment.datadog.enabled) {
    out(`Datadog is disabled for ${environment.name} (datadog.enabled: false): nothing is defined there.`);
  }

  let routes: readonly RouteCheck[] = [];
  if (desired.monitors.length > 0) {
    routes = await verifyRoutes(
      environment,
      { datadog, pagerduty },
      { slackAccount: environment.datadog.slackAccount },
    );
    out(renderRouteChecks(routes));
    out('');
  }
  if (command === 'routes') return routes.some(isBroken) ? 'failed' : 'ok';

  if (!datadog && command === 'apply') {
    throw new UserError(
      `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set: apply needs both Datadog keys.`,
      'Create them in Datadog (Organization Settings → API Keys / Application Keys); plan works without them.',
    );
  }
  // Synthetic tests need their target: the domain, or the deployed stack's outputs.
  const lookup = environment.datadog.enabled
    ? await lookupEndpoints(environment, ctx.stackEndpoints ?? stackEndpointReader(env))
    : null;
  const synthetics = lookup?.endpoints ? defineSynthetics(project, environment, lookup.endpoints) : [];

  if (!datadog) {
    const plan = planSync(environment.name, desired, null, { prune });
    const synthPlan = planSynthetics(environment.name, synthetics, null, {
      prune,
      skipped: lookup?.reason ?? null,
    });
    out(renderPlan(plan));
    out(renderSyntheticsPlan(synthPlan));
    return hasChanges(plan) || hasChanges(synthPlan) ? 'changes' : 'ok';
  }

  const actual = await readManaged(
    datadog,
    project,
    environment.name,
    desired.tagConfigurations.map((c) => c.metricName),
  );
  const plan = planSync(environment.name, desired, actual, { prune });
  const synthPlan = planSynthetics(
    environment.name,
    synthetics,
    await readManagedSynthetics(datadog, project, environment.name),
    { prune, skipped: lookup?.reason ?? null },
  );
  out(renderPlan(plan));
  out(renderSyntheticsPlan(synthPlan));
  const changes = hasChanges(plan) || hasChanges(synthPlan);
  if (command === 'plan') return changes ? 'changes' : 'ok';

  if (!changes) {
    out('Nothing to apply.');
    return 'ok';
  }
  const broken = routes.filter(isBroken);
  if (broken.length > 0 && !options.allowMissingRoutes) {
    ctx.printError(
      `wheelhouse: not applying: ${broken.length} alert route(s) are missing or failed to check (above). Fix them, or pass --allow-missing-routes to apply anyway.`,
    );
    return 'failed';
  }
  out('');
  await applyPlan(datadog, plan, ({ change, datadogId }) =>
    out(`${change.action}d ${change.kind} ${change.id} (${datadogId})`),
  );
  await applySynthetics(datadog, synthPlan, (change, publicId) =>
    out(`${change.action}d synthetic ${change.id} (${publicId})`),
  );
  out(`Applied to ${environment.name}.`);
  return 'ok';
}
