/**
 * Synthetic API tests: an HTTP check of `/readyz` and a gRPC health check
 * (`grpc.health.v1.Health/Check`) against the public endpoints, every minute from three managed
 * locations, so that a full outage pages within minutes without waiting for CloudWatch metrics.
 *
 * Datadog docs: "HTTP Testing" and "GRPC Testing" (https://docs.datadoghq.com/synthetics/api_tests/grpc_tests/,
 * health checks need no `.proto`), and "Understanding Synthetic Monitor Alerting"
 * (https://docs.datadoghq.com/synthetics/guide/how-synthetics-monitors-trigger-alerts/): a test
 * alerts when at least `min_location_failed` locations have failed for `min_failure_duration`
 * seconds, a location failing only after its fast retries (`retry`) failed too.
 */
import type { SyntheticsAPITest } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/models/SyntheticsAPITest';
import type { EnvironmentConfig } from '../../config';
import { PRIORITY, RENOTIFY_MINUTES } from '../define-monitor';
import { messageLinks } from '../message';
import { routeFor } from '../routes';
import { idTag, managedTags } from '../tags';
import type { MonitorSpec, Runbook, Severity } from '../types';
import type { ServiceEndpoints } from './endpoints';

/** Managed locations the tests run from: three, so that one location's trouble is outvoted. */
export const SYNTHETIC_LOCATIONS = ['aws:eu-west-1', 'aws:eu-central-1', 'aws:us-east-1'] as const;

/** How the tests run and when they alert. */
export const SYNTHETIC_TIMING = {
  /** Seconds between runs from each location. */
  tickEverySeconds: 60,
  /** Seconds the locations must keep failing before the test alerts. */
  minFailureDurationSeconds: 120,
  /** Locations that must fail at once: a single flaky location does not alert. */
  minLocationFailed: 2,
  /** Fast retries of a failed run before the location counts as failed, and their interval (ms). */
  retryCount: 1,
  retryIntervalMs: 10_000,
  /** Deadline of one request, seconds. */
  requestTimeoutSeconds: 10,
} as const;

/** A synthetic test before it is bound to an endpoint: its id, what it checks and its runbook. */
export interface SyntheticSpec {
  /** Stable id, unique in an environment (`synthetics-http`), kept in the `monitor-id` tag. */
  readonly id: string;
  readonly subtype: 'http' | 'grpc';
  readonly title: string;
  readonly severity: Severity;
  readonly runbook: Runbook;
}

/** A synthetic test ready for Datadog. */
export interface SyntheticDefinition {
  readonly id: string;
  readonly severity: Severity;
  /** The body sent to Datadog (`POST /api/v1/synthetics/tests/api`). */
  readonly test: SyntheticsAPITest;
}

/** The synthetic tests of every environment with Datadog (both critical: they page where criticals page). */
export const SYNTHETIC_SPECS: readonly SyntheticSpec[] = [
  {
    id: 'synthetics-http',
    subtype: 'http',
    title: 'HTTP endpoint down',
    severity: 'critical',
    runbook: {
      summary:
        'The public HTTP endpoint does not answer /readyz with 200 from two or more locations: callers see the service down.',
      steps: [
        'Open the test in Datadog Synthetics: the failing step says whether it is DNS, TLS, a timeout or a 5xx.',
        'Check `/status <env>`: no running task, or tasks failing their health checks, is the usual cause.',
        'If it started with a deploy, `/rollback <env>`.',
      ],
    },
  },
  {
    id: 'synthetics-grpc',
    subtype: 'grpc',
    title: 'gRPC endpoint down',
    severity: 'critical',
    runbook: {
      summary:
        'The public gRPC endpoint does not answer the gRPC health check with SERVING from two or more locations.',
      steps: [
        'Open the test in Datadog Synthetics for the failing step (connection, TLS, status).',
        'Compare with the HTTP check: if only gRPC fails, check the gRPC listener and its target group.',
      ],
    },
  },
];

/** The synthetic tests of one environment against `endpoints`. */
export function defineSynthetics(
  project: string,
  env: EnvironmentConfig,
  endpoints: ServiceEndpoints,
): readonly SyntheticDefinition[] {
  return SYNTHETIC_SPECS.map((spec) => ({
    id: spec.id,
    severity: spec.severity,
    test: buildTest(project, env, spec, endpoints),
  }));
}

function buildTest(
  project: string,
  env: EnvironmentConfig,
  spec: SyntheticSpec,
  endpoints: ServiceEndpoints,
): SyntheticsAPITest {
  const t = SYNTHETIC_TIMING;
  const name = `[${env.name}] ${spec.title}`;
  const common: Omit<SyntheticsAPITest, 'config'> = {
    name,
    type: 'api',
    subtype: spec.subtype,
    status: 'live',
    locations: [...SYNTHETIC_LOCATIONS],
    message: syntheticMessage(env, spec),
    tags: [
      ...new Set([
        ...managedTags(project, env.name),
        idTag(spec.id),
        'layer:synthetics',
        `severity:${spec.severity}`,
        `service:${project}`,
        ...env.datadog.tags,
      ]),
    ].sort(),
    options: {
      tickEvery: t.tickEverySeconds,
      minFailureDuration: t.minFailureDurationSeconds,
      minLocationFailed: t.minLocationFailed,
      retry: { count: t.retryCount, interval: t.retryIntervalMs },
      monitorName: name,
      monitorPriority: PRIORITY[spec.severity],
      monitorOptions: { renotifyInterval: RENOTIFY_MINUTES[spec.severity] },
    },
  };
  if (spec.subtype === 'http') {
    return {
      ...common,
      config: {
        request: { method: 'GET', url: endpoints.httpUrl, timeout: t.requestTimeoutSeconds },
        assertions: [
          { type: 'statusCode', operator: 'is', target: 200 },
          { type: 'responseTime', operator: 'lessThan', target: 5000 },
        ],
      },
    };
  }
  return {
    ...common,
    config: {
      request: {
        host: endpoints.grpcHost,
        port: endpoints.grpcPort,
        callType: 'healthcheck',
        // The empty service name asks for the server's overall health (gRPC "Health Checking Protocol").
        service: '',
        timeout: t.requestTimeoutSeconds,
      },
      // 1 is SERVING in grpc.health.v1.HealthCheckResponse.ServingStatus.
      assertions: [{ type: 'grpcHealthcheckStatus', operator: 'is', target: 1 }],
    },
  };
}

/** The notification of a synthetic test: what is wrong, first steps, links, and the route's handles. */
export function syntheticMessage(env: EnvironmentConfig, spec: SyntheticSpec): string {
  const handles = routeFor(env, spec.severity).recipients.map((r) => r.handle);
  const asMonitor = { ...spec, thresholds: { critical: 1 }, noDataMinutes: null } as unknown as MonitorSpec;
  return [
    '{{#is_alert}}',
    `CRITICAL: ${spec.title} in ${env.name}.`,
    spec.runbook.summary,
    '{{/is_alert}}',
    '{{#is_recovery}}',
    `RECOVERED: ${spec.title} in ${env.name} answers again.`,
    '{{/is_recovery}}',
    '',
    'First steps:',
    ...spec.runbook.steps.map((step, i) => `${i + 1}. ${step}`),
    '',
    ...messageLinks(asMonitor, env),
    '',
    `{{#is_alert}}${handles.join(' ')}{{/is_alert}}`,
    `{{#is_recovery}}${handles.join(' ')}{{/is_recovery}}`,
  ].join('\n');
}
