/**
 * How long a failure can take to reach someone: for each failure we watch, the alerts that catch
 * it, where they go, and the worst-case time from the failure to the notification.
 *
 * The worst case of a monitor is the sum of
 * - its window (`last_5m`: the whole window may be needed before the aggregate crosses the threshold),
 * - its evaluation delay (`evaluation_delay`: Datadog judges data that is this old),
 * - the delay with which its source's data reaches Datadog ({@link SOURCE_DELAYS}), and
 * - the evaluation interval (Datadog evaluates metric and event monitors once a minute).
 * It is an upper bound: when the evaluation delay covers the source's delay, the two overlap.
 *
 * A synthetic test's worst case is one interval between runs (the failure starts just after a
 * run), the request timeout and fast retries of the first failing run, and `min_failure_duration`
 * (Datadog, "Understanding Synthetic Monitor Alerting",
 * https://docs.datadoghq.com/synthetics/guide/how-synthetics-monitors-trigger-alerts/).
 */
import type { Config, EnvironmentConfig } from '../config';
import { LAYERS } from './monitors';
import { routeFor } from './routes';
import { SYNTHETIC_SPECS, SYNTHETIC_TIMING, type SyntheticSpec } from './synthetics/synthetic-tests';
import type { MonitorSpec, Severity } from './types';

/** Datadog evaluates metric and event monitors every minute (Datadog, "Monitors" → "Evaluation frequency"). */
export const EVALUATION_INTERVAL_SECONDS = 60;

/** Where a monitor's data comes from, and how late it reaches Datadog. */
export interface SourceDelay {
  readonly source: string;
  readonly delaySeconds: number;
  /** Why, with the doc it comes from. */
  readonly basis: string;
}

/**
 * The delay of each source, per Datadog's documentation.
 *
 * - CloudWatch through the AWS integration: Datadog, "Cloud Metric Delay"
 *   (https://docs.datadoghq.com/integrations/guide/cloud-metric-delay/): the integration crawls
 *   CloudWatch every 10 minutes by default, so a point can arrive 10 minutes late.
 * - DogStatsD through the Agent sidecar: the Agent flushes every 10 seconds (Datadog, "DogStatsD",
 *   https://docs.datadoghq.com/developers/dogstatsd/); 30 seconds allows for intake.
 * - Events through the AWS integration crawl like its metrics (10 minutes); events posted to the
 *   Events API (EventBridge forwarding, the deploy command) arrive within a minute.
 */
export const SOURCE_DELAYS = {
  cloudwatch: {
    source: 'CloudWatch (AWS integration)',
    delaySeconds: 600,
    basis: 'crawled every 10 min (Datadog "Cloud Metric Delay")',
  },
  dogstatsd: {
    source: 'DogStatsD (Agent sidecar)',
    delaySeconds: 30,
    basis: 'flushed every 10 s, 30 s with intake (Datadog "DogStatsD")',
  },
  awsEvents: {
    source: 'AWS integration events',
    delaySeconds: 600,
    basis: 'crawled every 10 min like CloudWatch metrics',
  },
  postedEvents: {
    source: 'Events API',
    delaySeconds: 60,
    basis: 'posted as they happen, indexed within a minute',
  },
} as const satisfies Record<string, SourceDelay>;

/** The worst-case time of one alert, and its terms. */
export interface AlertTime {
  readonly id: string;
  readonly severity: Severity;
  readonly seconds: number;
  /** The terms, for the table: `5 min window + 15 min evaluation delay + …`. */
  readonly terms: readonly string[];
}

/** The source of a monitor's query. Throws for a query no source is known for (a rule test runs it over every monitor). */
export function sourceOf(query: string): SourceDelay {
  if (query.startsWith('events(')) {
    return /source:amazon_/.test(query) ? SOURCE_DELAYS.awsEvents : SOURCE_DELAYS.postedEvents;
  }
  const metrics = [...query.matchAll(/(?:sum|avg|min|max|p\d+|count):([a-z_][\w.]*)\{/g)].map((m) => m[1]!);
  if (metrics.length > 0 && metrics.every((m) => m.startsWith('aws.'))) return SOURCE_DELAYS.cloudwatch;
  if (metrics.length > 0 && metrics.every((m) => !m.startsWith('aws.'))) return SOURCE_DELAYS.dogstatsd;
  throw new Error(
    `no known source for the query ${query}: add it to SOURCE_DELAYS in monitors/alert-times.ts`,
  );
}

/** The evaluation window of a query in seconds (`last_5m`, `.last("30m")`). Throws when there is none. */
export function windowSeconds(query: string): number {
  const match = /last_(\d+)([mhd])\b/.exec(query) ?? /\.last\("(\d+)([mhd])"\)/.exec(query);
  if (!match) throw new Error(`no evaluation window in the query ${query}`);
  const unit = { m: 60, h: 3600, d: 86_400 }[match[2] as 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

/** The worst-case time from a failure to the notification of a monitor. */
export function monitorAlertTime(spec: MonitorSpec): AlertTime {
  const window = windowSeconds(spec.query);
  const source = sourceOf(spec.query);
  const seconds = window + spec.evaluationDelaySeconds + source.delaySeconds + EVALUATION_INTERVAL_SECONDS;
  return {
    id: spec.id,
    severity: spec.severity,
    seconds,
    terms: [
      `${duration(window)} window`,
      ...(spec.evaluationDelaySeconds > 0
        ? [`${duration(spec.evaluationDelaySeconds)} evaluation delay`]
        : []),
      `${duration(source.delaySeconds)} ${source.source}`,
      `${duration(EVALUATION_INTERVAL_SECONDS)} evaluation interval`,
    ],
  };
}

/** The worst-case time from a failure to the notification of a synthetic test. */
export function syntheticAlertTime(spec: SyntheticSpec): AlertTime {
  const t = SYNTHETIC_TIMING;
  const firstFailure =
    t.tickEverySeconds + t.requestTimeoutSeconds + (t.retryCount * t.retryIntervalMs) / 1000;
  return {
    id: spec.id,
    severity: spec.severity,
    seconds: firstFailure + t.minFailureDurationSeconds,
    terms: [
      `${duration(t.tickEverySeconds)} to the next run`,
      `${duration(t.requestTimeoutSeconds + (t.retryCount * t.retryIntervalMs) / 1000)} timeout and retry`,
      `${duration(t.minFailureDurationSeconds)} failing from ${t.minLocationFailed} locations`,
    ],
  };
}

/** A failure we watch, and the alerts that can catch it (those an environment lacks are left out). */
export interface Failure {
  readonly name: string;
  /** A full outage: must page within {@link OUTAGE_PAGE_SECONDS} in an environment with PagerDuty. */
  readonly outage: boolean;
  readonly alerts: readonly string[];
}

/** A full outage must page within this (issue 13: "within 5 minutes"). */
export const OUTAGE_PAGE_SECONDS = 300;

/** The failures we watch, most urgent first. */
export const FAILURES: readonly Failure[] = [
  {
    name: 'service down (endpoint does not answer)',
    outage: true,
    alerts: ['synthetics-http', 'synthetics-grpc', 'ecs-no-running-tasks'],
  },
  {
    name: 'no healthy task',
    outage: true,
    alerts: ['synthetics-http', 'synthetics-grpc', 'ecs-no-running-tasks', 'alb-healthy-hosts-per-az'],
  },
  { name: 'load balancer answering 5xx', outage: true, alerts: ['synthetics-http', 'alb-5xx-rate'] },
  {
    name: 'error burst (some requests fail)',
    outage: false,
    alerts: ['app-http-error-rate', 'app-grpc-error-rate', 'alb-5xx-rate'],
  },
  {
    name: 'latency',
    outage: false,
    alerts: ['app-http-latency-p99', 'app-grpc-latency-p99', 'alb-latency-p99', 'app-http-latency-p95'],
  },
  { name: 'database failover', outage: false, alerts: ['db-failover'] },
  {
    name: 'capacity (database or service at its limit)',
    outage: false,
    alerts: ['db-capacity-near-max', 'db-connections', 'ecs-cpu', 'ecs-memory'],
  },
  {
    name: 'tasks restarting',
    outage: false,
    alerts: ['ecs-task-restarts', 'ecs-running-below-desired'],
  },
  { name: 'bastion', outage: false, alerts: ['bastion-status-check'] },
  { name: 'NAT gateway', outage: false, alerts: ['nat-port-allocation-errors'] },
];

/** The worst-case time of every alert of an environment (monitors and synthetic tests), by id. */
export function alertTimes(config: Config, env: EnvironmentConfig): ReadonlyMap<string, AlertTime> {
  const times = new Map<string, AlertTime>();
  for (const spec of LAYERS.flatMap((layer) => layer(config.project.name, env))) {
    times.set(spec.id, monitorAlertTime(spec));
  }
  for (const spec of SYNTHETIC_SPECS) times.set(spec.id, syntheticAlertTime(spec));
  return times;
}

/** One failure in one environment: the alerts that catch it, fastest first. */
export interface FailureCoverage {
  readonly failure: Failure;
  readonly catchers: readonly AlertTime[];
}

/** The failures of an environment with their catchers, fastest first. */
export function failureCoverage(config: Config, env: EnvironmentConfig): readonly FailureCoverage[] {
  const times = alertTimes(config, env);
  return FAILURES.map((failure) => ({
    failure,
    catchers: failure.alerts
      .map((id) => times.get(id))
      .filter((t): t is AlertTime => t !== undefined)
      .sort((a, b) => a.seconds - b.seconds),
  }));
}

/** Where an alert of a severity goes, in words. */
export function destination(env: EnvironmentConfig, severity: Severity): string {
  return routeFor(env, severity)
    .recipients.map((r) => (r.channel === 'pagerduty' ? 'pages on-call' : `Slack #${r.name}`))
    .join(', ');
}

/** The failure table of an environment, as Markdown. */
export function failureTableMarkdown(config: Config, env: EnvironmentConfig): string {
  const rows = failureCoverage(config, env).map(({ failure, catchers }) => {
    const first = catchers[0];
    if (!first) return `| ${failure.name} | (none in ${env.name}) | | | |`;
    const others = catchers.slice(1).map((c) => `\`${c.id}\` ${duration(c.seconds)}`);
    return `| ${failure.name} | \`${first.id}\`${others.length > 0 ? ` (also ${others.join(', ')})` : ''} | ${destination(
      env,
      first.severity,
    )} | ${duration(first.seconds)} | ${first.terms.join(' + ')} |`;
  });
  return [
    '| failure | caught first by | goes to | worst case | adds up from |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/** `200` → `3 min 20 s`, `900` → `15 min`, `30` → `30 s`. */
export function duration(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds - minutes * 60);
  if (minutes === 0) return `${rest} s`;
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}
