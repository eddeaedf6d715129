/**
 * Rule: every distribution a query asks a percentile of has a tag configuration in the plan, with
 * percentiles enabled and exactly the tags our queries of that metric filter and group on.
 *
 * Datadog, "Distributions" (https://docs.datadoghq.com/metrics/distributions/), "Enabling advanced
 * query functionality": percentile aggregations (p50, p75, p90, p95, p99) are computed only once
 * enabled for the metric; until then a `p99:` query has no data. Datadog, "Metrics without Limits"
 * (https://docs.datadoghq.com/metrics/metrics-without-limits/): a tag configuration is an
 * allow-list of the queryable tags of the metric, for every aggregation, so a tag a query uses and
 * the configuration leaves out makes that query empty as well.
 */
import { RESOURCE_TAGS } from '../../../config';
import {
  allQueries,
  tagConfigurationsFor,
  tagConfigurationsOf,
} from '../../../monitors/metric-tag-configurations';
import { isPercentile, metricTerms } from '../../../monitors/rules/query-terms';
import { configs } from './rendered';

describe('percentile rule', () => {
  describe.each(configs().map((c) => [c.source, c.config] as const))('%s', (_source, config) => {
    const configurations = tagConfigurationsFor(config);
    // The dashboards' one template variable, `$env`, filters on the AWS environment tag.
    const terms = allQueries(config).flatMap((q) => metricTerms(q, { env: RESOURCE_TAGS.environment }));

    it('finds percentile queries in the monitors and dashboards (the rule has something to check)', () => {
      expect(terms.filter((t) => isPercentile(t.aggregation)).length).toBeGreaterThan(5);
    });

    it('every percentile metric has a configuration with percentiles enabled', () => {
      const percentileMetrics = new Set(
        terms.filter((t) => isPercentile(t.aggregation)).map((t) => t.metric),
      );
      for (const metric of percentileMetrics) {
        const c = configurations.find((x) => x.metricName === metric);
        expect(c).toMatchObject({ metricName: metric, metricType: 'distribution', includePercentiles: true });
      }
    });

    it('every query of a configured metric uses only tags the configuration keeps, and it keeps no other', () => {
      for (const c of configurations) {
        const used = new Set(
          terms.filter((t) => t.metric === c.metricName).flatMap((t) => [...t.filterTags, ...t.groupTags]),
        );
        expect([...c.tags].sort()).toEqual([...used].sort());
      }
    });

    it('the latency distribution keeps the tags the service sends that our queries use', () => {
      // The service tags the duration with protocol, method, status and code; DD_ENV and DD_SERVICE add env and service.
      const c = configurations.find((x) => x.metricName === 'wheelhouse.request.duration');
      expect(c?.tags).toEqual(['env', 'method', 'protocol', 'service']);
    });
  });

  it('a percentile on a new metric gets its own configuration, with filter and group-by tags', () => {
    expect(
      tagConfigurationsOf([
        'avg(last_5m):p95:new.metric{env:prod,region IN (a,b)} by {shard} > 1',
        'sum:new.metric{env:prod} by {tenant}',
        'avg:other.metric{env:prod}',
      ]),
    ).toEqual([
      {
        metricName: 'new.metric',
        metricType: 'distribution',
        tags: ['env', 'region', 'shard', 'tenant'],
        includePercentiles: true,
      },
    ]);
  });
});
