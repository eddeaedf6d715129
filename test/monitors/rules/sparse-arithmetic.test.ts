/**
 * Rule: a monitor with arithmetic evaluates as soon as any one of its terms has data.
 *
 * Datadog, "Monitor Arithmetic and Sparse Metrics"
 * (https://docs.datadoghq.com/monitors/guide/monitor-arithmetic-and-sparse-metrics/): count and rate
 * metrics default to `fill(null)`, a bucket where one term has no value gives the expression no
 * value, and a window of such buckets is skipped. The service's DogStatsD counters are sent only
 * while non-zero (the Agent stops sending zeros after 300 s), as are CloudWatch's ELB 5xx counts, so
 * every term of an expression is `default_zero()` (or terms of one metric are one term with `IN`).
 */
import { metricTerms } from '../../../monitors/rules/query-terms';
import { sparseArithmeticViolations } from '../../../monitors/rules/sparse-arithmetic';
import { allMonitors } from './rendered';

describe('sparse arithmetic rule', () => {
  const monitors = allMonitors();

  it('runs over every rendered monitor of every environment', () => {
    expect(new Set(monitors.map((m) => m.env))).toEqual(new Set(['dev', 'stage', 'prod']));
    expect(monitors.length).toBeGreaterThan(60);
  });

  it.each(monitors.map((m) => [`${m.source} ${m.env} ${m.definition.id}`, m.definition.monitor.query]))(
    '%s: every term of its arithmetic has data when any one does',
    (_name, query) => {
      expect(sparseArithmeticViolations(query)).toEqual([]);
    },
  );

  it.each([
    [
      'the former app error rate (two sums of one counter, no default_zero)',
      'sum(last_5m):(sum:wheelhouse.request.errors{env:prod,code:internal}.as_count() + sum:wheelhouse.request.errors{env:prod,code:unavailable}.as_count()) / sum:wheelhouse.request.count{env:prod}.as_count() * 100 > 5',
      4,
    ],
    [
      'the former load balancer 5xx rate (no default_zero)',
      'sum(last_5m):(sum:aws.applicationelb.httpcode_elb_5xx{e:prod}.as_count() + sum:aws.applicationelb.httpcode_target_5xx{e:prod}.as_count()) / sum:aws.applicationelb.request_count{e:prod}.as_count() * 100 > 5',
      3,
    ],
    [
      'one term of two without default_zero',
      'min(last_15m):default_zero(avg:aws.ecs.service.desired{e:prod} by {servicename}) - avg:aws.ecs.service.running{e:prod} by {servicename} > 0',
      1,
    ],
  ])('finds %s', (_name, query, count) => {
    expect(sparseArithmeticViolations(query)).toHaveLength(count);
  });

  it.each([
    ['a single term', 'avg(last_10m):p99:wheelhouse.request.duration{env:prod,protocol:http} > 1500'],
    [
      'one IN term over one default_zero denominator',
      'sum(last_5m):default_zero(sum:e{env:prod,code IN (internal,unavailable)}.as_count()) / default_zero(sum:r{env:prod}.as_count()) * 100 > 5',
    ],
  ])('accepts %s', (_name, query) => {
    expect(sparseArithmeticViolations(query)).toEqual([]);
  });

  it('reads the tags a term filters and groups on, IN lists included', () => {
    expect(
      metricTerms(
        'default_zero(sum:m.x{env:prod,!host:a,code IN (internal,unavailable)} by {method,code}.as_count())',
      ),
    ).toEqual([
      {
        aggregation: 'sum',
        metric: 'm.x',
        filterTags: ['env', 'host', 'code'],
        groupTags: ['method', 'code'],
        defaultZero: true,
        text: 'sum:m.x{env:prod,!host:a,code IN (internal,unavailable)} by {method,code}.as_count()',
      },
    ]);
  });
});
