/**
 * The table people can check: for each failure we watch, which alert catches it, where it goes and
 * the worst case from the failure to the notification; a full outage pages within 5 minutes in prod.
 *
 * Datadog docs behind the terms: "Cloud Metric Delay" (https://docs.datadoghq.com/integrations/guide/cloud-metric-delay/:
 * the AWS integration crawls CloudWatch every 10 minutes), "DogStatsD"
 * (https://docs.datadoghq.com/developers/dogstatsd/: the Agent flushes every 10 seconds), "Monitors"
 * evaluation every minute, and "Understanding Synthetic Monitor Alerting"
 * (https://docs.datadoghq.com/synthetics/guide/how-synthetics-monitors-trigger-alerts/).
 */

import { EXIT } from '../../cli/exit-codes';
import {
  alertTimes,
  duration,
  FAILURES,
  failureCoverage,
  monitorAlertTime,
  OUTAGE_PAGE_SECONDS,
  sourceOf,
  windowSeconds,
} from '../../monitors/alert-times';
import { loadGoldenConfig } from '../../monitors/golden';
import { LAYERS } from '../../monitors/monitors';
import { routeFor } from '../../monitors/routes';
import { SYNTHETIC_SPECS } from '../../monitors/synthetics/synthetic-tests';
import { runMonitorsCli } from '../support/monitors-cli';

const config = loadGoldenConfig();
const env = (name: string) => config.environments.find((e) => e.name === name)!;

describe('worst-case time to the notification', () => {
  it('pages every full outage of prod within 5 minutes', () => {
    const prod = env('prod');
    const outages = failureCoverage(config, prod).filter((c) => c.failure.outage);
    expect(outages.length).toBeGreaterThanOrEqual(3);
    for (const { failure, catchers } of outages) {
      const fastest = catchers[0]!;
      expect([failure.name, fastest.seconds <= OUTAGE_PAGE_SECONDS]).toEqual([failure.name, true]);
      // AND it pages: a critical routed to PagerDuty
      expect(routeFor(prod, fastest.severity).recipients.map((r) => r.channel)).toEqual(['pagerduty']);
    }
  });

  it('gives every alert of every environment a finite time, from a known source', () => {
    for (const e of config.environments) {
      for (const spec of LAYERS.flatMap((layer) => layer(config.project.name, e))) {
        const t = monitorAlertTime(spec);
        expect([spec.id, Number.isFinite(t.seconds) && t.seconds > 0]).toEqual([spec.id, true]);
      }
      for (const t of alertTimes(config, e).values()) expect(Number.isFinite(t.seconds)).toBe(true);
    }
  });

  it('has an alert for every failure we watch in every environment', () => {
    for (const e of config.environments) {
      for (const { failure, catchers } of failureCoverage(config, e)) {
        expect([e.name, failure.name, catchers.length > 0]).toEqual([e.name, failure.name, true]);
      }
    }
  });

  it('names only alerts that exist somewhere (a renamed monitor must be renamed here too)', () => {
    const known = new Set([
      ...SYNTHETIC_SPECS.map((s) => s.id),
      ...config.environments.flatMap((e) =>
        LAYERS.flatMap((layer) => layer(config.project.name, e)).map((s) => s.id),
      ),
    ]);
    // db-pool-resets joins with the database failover work of issue 13; it is skipped until it exists.
    const pending = new Set(['db-pool-resets']);
    for (const f of FAILURES)
      for (const id of f.alerts) if (!pending.has(id)) expect([id, known.has(id)]).toEqual([id, true]);
  });

  it('adds window, evaluation delay, source delay and the evaluation interval', () => {
    const spec = LAYERS[0]!(config.project.name, env('prod')).find((s) => s.id === 'alb-5xx-rate')!;
    // 5 min window + 15 min evaluation delay + 10 min CloudWatch crawl + 1 min evaluation
    expect(monitorAlertTime(spec).seconds).toBe(300 + 900 + 600 + 60);
  });

  it.each([
    [
      'sum(last_5m):sum:aws.applicationelb.request_count{x}.as_count() > 1',
      300,
      'CloudWatch (AWS integration)',
    ],
    ['avg(last_10m):p99:wheelhouse.request.duration{x} > 1', 600, 'DogStatsD (Agent sidecar)'],
    ['events("source:amazon_ecs x stopped").rollup("count").last("30m") > 1', 1800, 'AWS integration events'],
    ['events("source:wheelhouse x").rollup("count").last("1h") > 0', 3600, 'Events API'],
  ])('reads %s: %i s window from %s', (query, window, source) => {
    expect(windowSeconds(query)).toBe(window);
    expect(sourceOf(query).source).toBe(source);
  });

  it('refuses a query without a window or a known source', () => {
    expect(() => windowSeconds('max:aws.ecs.service.running{x} < 1')).toThrow('no evaluation window');
    expect(() => sourceOf('avg(last_5m):avg:aws.x{a} / avg:app.y{b} > 1')).toThrow('no known source');
  });

  it.each([
    [30, '30 s'],
    [200, '3 min 20 s'],
    [900, '15 min'],
  ])('writes %i s as %s', (seconds, text) => {
    expect(duration(seconds)).toBe(text);
  });
});

describe('npm run monitors -- alerts', () => {
  it('prints the failure table before the alert table', async () => {
    const { code, out: text } = await runMonitorsCli(['alerts', '--env', 'prod'], {});
    expect(code).toBe(EXIT.ok);
    expect(text).toMatch(/^\| failure \| caught first by \| goes to \| worst case \| adds up from \|\n/);
    expect(text).toContain(
      '| service down (endpoint does not answer) | `synthetics-http` (also `synthetics-grpc` 3 min 20 s, `ecs-no-running-tasks` 31 min) | pages on-call | 3 min 20 s |',
    );
    expect(text).toContain('| `synthetics-grpc` | critical | pages on-call |');
  });
});
