/**
 * Every monitor and dashboard the definitions render, for every environment of both the repository's
 * `wheelhouse.yml` and the golden fixture: the rule tests run over all of them, so that a new
 * monitor cannot escape a rule.
 */
import { join, resolve } from 'node:path';
import { type Config, loadConfig } from '../../../config';
import { defineDashboards } from '../../../monitors/dashboards';
import { loadGoldenConfig } from '../../../monitors/golden';
import { defineMonitors } from '../../../monitors/monitors';
import type { DashboardDefinition, MonitorDefinition } from '../../../monitors/types';

/** One rendered monitor, with where it came from. */
export interface RenderedMonitor {
  readonly source: string;
  readonly env: string;
  readonly definition: MonitorDefinition;
}

const ROOT = resolve(__dirname, '../../..');

/** The configurations the rules are checked on. */
export function configs(): readonly { readonly source: string; readonly config: Config }[] {
  return [
    { source: 'wheelhouse.yml', config: loadConfig({ path: join(ROOT, 'wheelhouse.yml'), env: {} }).config },
    { source: 'golden fixture', config: loadGoldenConfig(ROOT) },
  ];
}

/** Every monitor of every environment of every configuration (Datadog enabled or not). */
export function allMonitors(): readonly RenderedMonitor[] {
  return configs().flatMap(({ source, config }) =>
    config.environments.flatMap((env) =>
      defineMonitors(config, env).map((definition) => ({ source, env: env.name, definition })),
    ),
  );
}

/** Every dashboard of every environment of every configuration. */
export function allDashboards(): readonly DashboardDefinition[] {
  return configs().flatMap(({ config }) =>
    config.environments.flatMap((env) => defineDashboards(config, env)),
  );
}
