/**
 * `npm run monitors -- <command> --env <env> [--prune] [--allow-missing-routes]`
 *
 * - `plan`: shows what `apply` would change; exits 2 when there are changes, 0 when none, 1 on error
 *   (as `terraform plan -detailed-exitcode`). Without Datadog keys it shows what would be created.
 * - `apply`: makes the changes; refuses when a route is missing unless `--allow-missing-routes`.
 * - `routes`: checks the alert routes only; exits 1 when one is missing.
 * - `alerts`: prints, per failure we watch, which alert catches it, where it goes and the worst-case
 *   time to the notification, then every alert (what it means, the first step), as Markdown, offline;
 *   the README's operator's guide embeds prod's.
 *
 * `plan` and `apply` include the synthetic tests. Their targets are the domain when one is
 * configured, else the deployed stack's `HttpEndpoint`/`GrpcEndpoint` outputs, read with the AWS
 * credentials of the environment (AWS_ACCESS_KEY_ID/AWS_PROFILE…, AWS_ENDPOINT_URL); without them the
 * synthetic tests are skipped with a line that says why.
 *
 * Environment: DD_API_KEY, DD_APP_KEY, DD_SITE, DATADOG_API_URL, DATADOG_TIMEOUT_MS, PAGERDUTY_TOKEN,
 * PAGERDUTY_API_URL, PAGERDUTY_TIMEOUT_MS, WHEELHOUSE_CONFIG, AWS credentials (synthetics' targets).
 */
import { parseArgs } from 'node:util';
import {
  createDatadogClient,
  type DatadogClient,
  missingDatadogKeys,
  readDatadogSettings,
} from '../clients/datadog-client';
import { MonitoringError } from '../clients/monitoring-error';
import { createPagerDutyClient, readPagerDutySettings } from '../clients/pagerduty-client';
import { ConfigError, findEnvironment, loadConfig } from '../config';
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

/** Exit codes, as `terraform plan -detailed-exitcode`. */
export const EXIT = { ok: 0, error: 1, changes: 2 } as const;

/** Where the CLI reads its settings and writes its output (tests pass their own). */
export interface CliOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
  /** Reads the endpoint outputs of a deployed stack. @default CloudFormation with the AWS credentials of `env` */
  readonly stackEndpoints?: StackEndpointReader;
}

const USAGE =
  'usage: npm run monitors -- <plan|apply|routes|alerts> --env <env> [--prune] [--allow-missing-routes]';

/** Runs one command and resolves to its exit code; never throws. */
export async function runCli(argv: readonly string[], options: CliOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const out = options.stdout ?? ((text: string) => process.stdout.write(`${text}\n`));
  const err = options.stderr ?? ((text: string) => process.stderr.write(`${text}\n`));
  try {
    const { positionals, values } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        env: { type: 'string' },
        prune: { type: 'boolean', default: false },
        'allow-missing-routes': { type: 'boolean', default: false },
      },
    });
    const command = positionals[0];
    if (command !== 'plan' && command !== 'apply' && command !== 'routes' && command !== 'alerts') {
      err(command ? `unknown command "${command}"\n${USAGE}` : USAGE);
      return EXIT.error;
    }
    if (!values.env) {
      err(`--env is required\n${USAGE}`);
      return EXIT.error;
    }
    const { config, warnings } = loadConfig({ env });
    for (const w of warnings) err(`warning: ${w}`);
    const environment = findEnvironment(config, values.env);
    const project = config.project.name;
    if (command === 'alerts') {
      out(alertGuideMarkdown(config, environment));
      return EXIT.ok;
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
    if (command === 'routes') return routes.some(isBroken) ? EXIT.error : EXIT.ok;

    if (!datadog && command === 'apply') {
      err(createDatadogClientError(missing));
      return EXIT.error;
    }
    // Synthetic tests need their target: the domain, or the deployed stack's outputs.
    const lookup = environment.datadog.enabled
      ? await lookupEndpoints(environment, options.stackEndpoints ?? stackEndpointReader(env))
      : null;
    const synthetics = lookup?.endpoints ? defineSynthetics(project, environment, lookup.endpoints) : [];

    if (!datadog) {
      const plan = planSync(environment.name, desired, null, { prune: values.prune });
      const synthPlan = planSynthetics(environment.name, synthetics, null, {
        prune: values.prune,
        skipped: lookup?.reason ?? null,
      });
      out(renderPlan(plan));
      out(renderSyntheticsPlan(synthPlan));
      return hasChanges(plan) || hasChanges(synthPlan) ? EXIT.changes : EXIT.ok;
    }

    const actual = await readManaged(
      datadog,
      project,
      environment.name,
      desired.tagConfigurations.map((c) => c.metricName),
    );
    const plan = planSync(environment.name, desired, actual, { prune: values.prune });
    const synthPlan = planSynthetics(
      environment.name,
      synthetics,
      await readManagedSynthetics(datadog, project, environment.name),
      { prune: values.prune, skipped: lookup?.reason ?? null },
    );
    out(renderPlan(plan));
    out(renderSyntheticsPlan(synthPlan));
    const changes = hasChanges(plan) || hasChanges(synthPlan);
    if (command === 'plan') return changes ? EXIT.changes : EXIT.ok;

    if (!changes) {
      out('Nothing to apply.');
      return EXIT.ok;
    }
    const broken = routes.filter(isBroken);
    if (broken.length > 0 && !values['allow-missing-routes']) {
      err(
        `Not applying: ${broken.length} alert route(s) are missing or failed to check (above). Fix them, or pass --allow-missing-routes to apply anyway.`,
      );
      return EXIT.error;
    }
    out('');
    await applyPlan(datadog, plan, ({ change, datadogId }) =>
      out(`${change.action}d ${change.kind} ${change.id} (${datadogId})`),
    );
    await applySynthetics(datadog, synthPlan, (change, publicId) =>
      out(`${change.action}d synthetic ${change.id} (${publicId})`),
    );
    out(`Applied to ${environment.name}.`);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof MonitoringError) err(error.message);
    else err(`monitors failed: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.error;
  }
}

function createDatadogClientError(missing: readonly string[]): string {
  return `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set: apply needs both Datadog keys (Organization Settings → API Keys / Application Keys); plan works without them`;
}

if (require.main === module) {
  void runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
