/**
 * Monitors of the service's own DogStatsD metrics, per protocol: error rate, latency and traffic.
 *
 * The service reports through the Datadog Agent sidecar with DD_ENV and DD_SERVICE set, so every
 * metric carries `env` and `service`, and `protocol:http|grpc` tells the two listeners apart.
 */
import type { EnvironmentConfig } from '../config';
import { METRIC_NAMES } from '../service/observability/metric-names';
import { minimumTraffic, ratioThresholds } from './ratio-guards';
import { appScope } from './tags';
import { thresholdsFor } from './thresholds';
import type { MonitorSpec } from './types';

/** The service's metric names: the service owns them, as a contract with these monitors. */
export const APP_METRICS = {
  /** Count of requests, tagged `protocol`, `method`, `status`, `code`. */
  requests: METRIC_NAMES.requestCount,
  /** Count of failed requests (any `code` but `ok`), same tags. */
  errors: METRIC_NAMES.requestErrors,
  /** Request duration in milliseconds, a distribution (percentiles computed server-side). */
  duration: METRIC_NAMES.requestDuration,
} as const;

/**
 * The `code` values that are the service's fault (see the service's `ErrorCode`); the others
 * (invalid argument, not found, conflict, too large) are the caller's and do not page anyone.
 */
export const SERVER_ERROR_CODES = ['internal', 'unavailable'] as const;

/** The protocols the service speaks, as they appear in the `protocol` tag. */
export const PROTOCOLS = ['http', 'grpc'] as const;

/** The app monitors of one environment; traffic-floor monitors only where traffic is expected (protected). */
export function appMonitors(project: string, env: EnvironmentConfig): readonly MonitorSpec[] {
  const t = thresholdsFor(env);
  const common = { layer: 'app', type: 'query alert', evaluationDelaySeconds: 0 } as const;
  return PROTOCOLS.flatMap((protocol): MonitorSpec[] => {
    const scope = `${appScope(project, env)},protocol:${protocol}`;
    const label = protocol === 'http' ? 'HTTP' : 'gRPC';
    const specs: MonitorSpec[] = [
      {
        ...common,
        id: `app-${protocol}-error-rate`,
        title: `${label} error rate`,
        severity: 'critical',
        deploy: 'gate',
        // One error term (`code IN (...)`), and every term of the ratio `default_zero`: the counters are
        // sent only while non-zero, and a ratio with an empty term is skipped, not evaluated.
        query:
          `sum(last_5m):default_zero(sum:${APP_METRICS.errors}{${scope},code IN (${SERVER_ERROR_CODES.join(',')})}.as_count()) / ` +
          `${minimumTraffic(`default_zero(sum:${APP_METRICS.requests}{${scope}}.as_count())`)} * 100 > ${t.appErrorPercent.critical}`,
        thresholds: ratioThresholds(t.appErrorPercent),
        noDataMinutes: null,
        runbook: {
          summary: `More ${label} requests fail on the service's side (internal, unavailable) than the threshold (percent).`,
          steps: [
            'Group the error metric by `method` and `code` on the Traffic dashboard to find the failing calls.',
            'Check the database monitors: most errors that start at once are the data layer.',
            'If a deploy just finished, `/rollback <env>`; the deploy bake rolls back on this monitor by itself.',
          ],
        },
      },
      {
        ...common,
        id: `app-${protocol}-latency-p99`,
        title: `${label} latency p99`,
        severity: 'critical',
        deploy: 'gate',
        query: `avg(last_10m):p99:${APP_METRICS.duration}{${scope}} > ${t.appLatencyP99Ms.critical}`,
        thresholds: { critical: t.appLatencyP99Ms.critical, warning: t.appLatencyP99Ms.warning },
        noDataMinutes: null,
        runbook: {
          summary: `The slowest ${label} requests take longer than the threshold (ms).`,
          steps: [
            'Group the duration by `method` to find the slow call, then look at its traces in APM.',
            'Check database capacity and connections on the Data layer dashboard.',
          ],
        },
      },
      {
        ...common,
        id: `app-${protocol}-latency-p95`,
        title: `${label} latency p95`,
        severity: 'warning',
        deploy: 'none',
        query: `avg(last_10m):p95:${APP_METRICS.duration}{${scope}} > ${t.appLatencyP95Ms.critical}`,
        thresholds: { critical: t.appLatencyP95Ms.critical, warning: t.appLatencyP95Ms.warning },
        noDataMinutes: null,
        runbook: {
          summary: `One ${label} request in twenty takes longer than the threshold (ms).`,
          steps: [
            'Group the duration by `method`; compare with the load balancer latency.',
            'Check ECS CPU: a saturated task answers slowly before it fails.',
          ],
        },
      },
    ];
    if (env.protected) {
      specs.push({
        ...common,
        id: `app-${protocol}-no-traffic`,
        title: `${label} requests stopped`,
        severity: 'warning',
        deploy: 'sensitive',
        query: `sum(last_15m):sum:${APP_METRICS.requests}{${scope}}.as_count() < 1`,
        thresholds: { critical: 1 },
        noDataMinutes: 30,
        runbook: {
          summary: `No ${label} request reached the service for 15 minutes: callers cannot reach it, or metrics stopped.`,
          steps: [
            'Check the load balancer request count: if it has traffic, the Agent sidecar stopped sending metrics.',
            'Check DNS and the listener, then the callers.',
          ],
        },
      });
    }
    return specs;
  });
}
