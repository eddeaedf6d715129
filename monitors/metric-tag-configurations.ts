/**
 * The metrics tag configurations ("Metrics without Limits") that our queries need: for every
 * distribution that a monitor or a dashboard asks a percentile of, percentile aggregations enabled
 * and exactly the tags our queries filter and group on.
 *
 * Datadog, "Distributions" (https://docs.datadoghq.com/metrics/distributions/): a distribution has
 * count, sum, min, max and avg from the start; percentiles (`p50:`…`p99:`) are computed only once
 * percentile aggregations are enabled for the metric, in the Metrics Summary or through the metrics
 * tag configuration API (`POST /api/v2/metrics/{metric_name}/tags` with `include_percentiles`).
 * Until then a `p99:` query has no data, silently. The tag list of a configuration is an allow-list
 * for every aggregation of the metric, so it holds every tag key any of our queries of that metric
 * uses, not only the percentile ones.
 *
 * A tag configuration belongs to the metric, for the whole Datadog organisation, not to one
 * environment: it is derived from the queries of every environment, so each environment's plan
 * wants the same configuration.
 */
import type { Config } from '../config';
import { defineDashboards } from './dashboards';
import { defineMonitors } from './monitors';
import { isPercentile, metricTerms } from './rules/query-terms';
import type { DashboardDefinition } from './types';

/** The tag configuration one metric must have. */
export interface TagConfigurationDefinition {
  /** The metric, e.g. `wheelhouse.request.duration`; the configuration's id in Datadog. */
  readonly metricName: string;
  readonly metricType: 'distribution';
  /** Queryable tag keys, sorted. */
  readonly tags: readonly string[];
  readonly includePercentiles: true;
}

/** Every query of the monitors and dashboards of `config`, all environments. */
export function allQueries(config: Config): readonly string[] {
  return config.environments.flatMap((env) => [
    ...defineMonitors(config, env).map((m) => m.monitor.query),
    ...defineDashboards(config, env).flatMap(dashboardQueries),
  ]);
}

/** The tag configurations the queries of `config` need, by metric name. */
export function tagConfigurationsFor(config: Config): readonly TagConfigurationDefinition[] {
  return tagConfigurationsOf(allQueries(config), templatePrefixes(config));
}

/** The tag configurations a set of queries needs (`prefixes`: template variable name → tag key). */
export function tagConfigurationsOf(
  queries: readonly string[],
  prefixes: Readonly<Record<string, string>> = {},
): readonly TagConfigurationDefinition[] {
  const terms = queries.flatMap((q) => metricTerms(q, prefixes));
  const percentileMetrics = new Set(terms.filter((t) => isPercentile(t.aggregation)).map((t) => t.metric));
  return [...percentileMetrics].sort().map((metricName) => {
    const tags = new Set<string>();
    for (const t of terms.filter((x) => x.metric === metricName)) {
      for (const tag of [...t.filterTags, ...t.groupTags]) tags.add(tag);
    }
    return { metricName, metricType: 'distribution', tags: [...tags].sort(), includePercentiles: true };
  });
}

/** The metric queries of a dashboard's widgets (`requests[].q` and formula `queries[].query`). */
export function dashboardQueries(definition: DashboardDefinition): readonly string[] {
  const found: string[] = [];
  const walk = (value: unknown, key: string | null): void => {
    if (typeof value === 'string') {
      if (key === 'q' || key === 'query') found.push(value);
      return;
    }
    if (Array.isArray(value))
      for (const v of value) walk(v, key === 'requests' || key === 'queries' ? key : null);
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) if (k !== 'events') walk(v, k);
    }
  };
  walk(definition.dashboard.widgets, null);
  return found;
}

function templatePrefixes(config: Config): Readonly<Record<string, string>> {
  const prefixes: Record<string, string> = {};
  for (const env of config.environments) {
    for (const d of defineDashboards(config, env)) {
      for (const v of d.dashboard.templateVariables ?? []) if (v.prefix) prefixes[v.name] = v.prefix;
    }
  }
  return prefixes;
}
