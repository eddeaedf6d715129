/**
 * Golden files: the monitors, dashboards and routes generated for every environment of a fixture
 * configuration, in Datadog's wire format, so that a review shows exactly what changes in Datadog.
 *
 * Update after an intended change with `npm run monitors:golden` (runs this file), then review the diff.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Config, loadConfig } from '../config';
import { defineDashboards } from './dashboards';
import { tagConfigurationsFor } from './metric-tag-configurations';
import { defineMonitors } from './monitors';
import { routeTable } from './routes';
import { createTagConfigurationRequest } from './sync/tag-configurations';
import { configuredEndpoints, GRPC_PORT, HTTP_CHECK_PATH } from './synthetics/endpoints';
import { defineSynthetics } from './synthetics/synthetic-tests';
import { syntheticToWire } from './synthetics/wire';
import { dashboardToWire, monitorToWire, tagConfigurationRequestToWire } from './wire';

/** Where the golden files live, relative to the repository root. */
export const GOLDEN_DIR = 'test/monitors/golden';

/** The configuration the golden files are generated from (a copy of the example, so editing the example changes nothing here). */
export const GOLDEN_CONFIG = 'test/monitors/fixtures/wheelhouse.yml';

/** Every golden file: name → content (pretty JSON with a final newline). */
export function renderGolden(config: Config): ReadonlyMap<string, string> {
  const files = new Map<string, string>();
  const text = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  for (const env of config.environments) {
    files.set(
      `${env.name}.monitors.json`,
      text(
        defineMonitors(config, env).map((m) => ({
          id: m.id,
          layer: m.layer,
          severity: m.severity,
          deploy: m.deploy,
          monitor: monitorToWire(m.monitor),
        })),
      ),
    );
    // Without a domain the targets are the stack's outputs, known after deploy: placeholders name them.
    const endpoints = configuredEndpoints(env) ?? {
      httpUrl: `<HttpEndpoint output of ${env.stackName}>${HTTP_CHECK_PATH}`,
      grpcHost: `<GrpcEndpoint output of ${env.stackName}>`,
      grpcPort: GRPC_PORT,
      source: 'stack outputs' as const,
    };
    files.set(
      `${env.name}.synthetics.json`,
      text(
        defineSynthetics(config.project.name, env, endpoints).map((d) => ({
          id: d.id,
          severity: d.severity,
          test: syntheticToWire(d.test),
        })),
      ),
    );
    files.set(
      `${env.name}.dashboards.json`,
      text(defineDashboards(config, env).map((d) => ({ id: d.id, dashboard: dashboardToWire(d.dashboard) }))),
    );
  }
  // Tag configurations belong to the metric, for every environment: one file (the create request bodies).
  files.set(
    'tag-configurations.json',
    text(
      tagConfigurationsFor(config).map((c) =>
        tagConfigurationRequestToWire(createTagConfigurationRequest(c)),
      ),
    ),
  );
  files.set(
    'routes.json',
    text(
      routeTable(config).map((r) => ({
        env: r.env,
        severity: r.severity,
        recipients: r.recipients.map((x) => x.handle),
      })),
    ),
  );
  return files;
}

/** Loads the fixture configuration that the golden files are generated from. */
export function loadGoldenConfig(root: string = resolve(__dirname, '..')): Config {
  return loadConfig({ path: join(root, GOLDEN_CONFIG) }).config;
}

/** Writes every golden file under `root`; returns their paths. */
export function writeGolden(root: string = resolve(__dirname, '..')): readonly string[] {
  const dir = join(root, GOLDEN_DIR);
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, content] of renderGolden(loadGoldenConfig(root))) {
    writeFileSync(join(dir, name), content);
    written.push(join(GOLDEN_DIR, name));
  }
  return written;
}

if (require.main === module) {
  for (const path of writeGolden()) process.stdout.write(`wrote ${path}\n`);
}
