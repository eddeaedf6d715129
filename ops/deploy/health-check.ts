/**
 * Whether a rollout is healthy, decided after the stack update, in three parts (each a `health`
 * event):
 *
 * 1. rollout: the service's PRIMARY ECS deployment (the new task definition) reached `COMPLETED`,
 *    a steady state (`FAILED`: the circuit breaker stopped it);
 * 2. targets: in each target group (HTTP, gRPC), every task of that deployment is a `healthy`
 *    target: the load balancer's own health checks, read with DescribeTargetHealth, which work
 *    from anywhere the operator role can call AWS (target-health.ts);
 * 3. end-to-end: a request to the endpoint clients use (the domain when configured, `https` with
 *    hostname verification), where the network allows: from the bot's tasks, only on
 *    BOT_EGRESS_PORTS (their security group's egress); a request that cannot connect at all is
 *    `not-checked`, not a failure, while a TLS verification failure, a refused connection or a bad
 *    answer fails the deploy (end-to-end-check.ts).
 *
 * 1 and 2 wait (polling) up to `aws.watch.healthDeadlineMs` together; 3 runs once after them.
 */
import { BOT_EGRESS_PORTS } from '../../config';
import type { AwsClients, AwsEnvironment } from '../aws-clients';
import type { DeployEvent } from './deploy-events';
import { checkGrpcEndToEnd, checkHttpEndToEnd, type EndToEndOptions } from './end-to-end-check';
import {
  newTasksHealthy,
  type PrimaryDeployment,
  readPrimaryDeployment,
  readServiceTasks,
  readTargetHealth,
} from './target-health';

/** One part's result, as a `health` event. */
export type HealthResult = Extract<DeployEvent, { type: 'health' }>;

/** What the health check looks at: the stack's outputs. */
export interface HealthCheckTarget {
  readonly environment: AwsEnvironment;
  readonly cluster: string;
  readonly service: string;
  /** `HttpTargetGroupArn` / `GrpcTargetGroupArn`; null when the stack predates them (then not checked). */
  readonly targetGroups: { readonly http: string | null; readonly grpc: string | null };
  /** `HttpEndpoint` / `GrpcEndpoint` (the names clients use). */
  readonly endpoints: { readonly http: string | null; readonly grpc: string | null };
}

/**
 * Where the check runs from: in an ECS task (the bot's: ECS sets `ECS_CONTAINER_METADATA_URI_V4` in
 * every task, https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-metadata-endpoint-v4.html),
 * egress is BOT_EGRESS_PORTS; elsewhere (a GitHub runner, a laptop) any port is tried.
 */
export function egressPortsHere(env: NodeJS.ProcessEnv): readonly number[] | null {
  return env.ECS_CONTAINER_METADATA_URI_V4 ? BOT_EGRESS_PORTS : null;
}

/** Runs the three parts; `signal` stops the waiting. */
export async function checkDeploymentHealth(
  aws: AwsClients,
  target: HealthCheckTarget,
  endToEnd: EndToEndOptions,
  signal?: AbortSignal,
): Promise<HealthResult[]> {
  const deadline = Date.now() + aws.watch.healthDeadlineMs;
  const results: HealthResult[] = [];
  const ref = { environment: target.environment, cluster: target.cluster, service: target.service };

  // 1. The rollout.
  let primary: PrimaryDeployment | null = null;
  for (;;) {
    primary = await readPrimaryDeployment(aws, ref);
    const state = primary?.rolloutState ?? null;
    if (state === 'COMPLETED' || state === 'FAILED' || Date.now() >= deadline || signal?.aborted) break;
    await pause(aws, signal);
  }
  const rolloutOk = primary?.rolloutState === 'COMPLETED';
  results.push(
    result(
      'rollout',
      null,
      rolloutOk ? 'ok' : 'failed',
      primary
        ? `deployment of ${shortTaskDefinition(primary.taskDefinition)} ${primary.rolloutState ?? 'without a rollout state'}${primary.rolloutStateReason ? ` (${primary.rolloutStateReason})` : ''}; ${primary.runningCount} of ${primary.desiredCount} running`
        : `service ${target.service} has no PRIMARY deployment`,
    ),
  );

  // 2. The load balancer's target health of the new tasks.
  const groups = (['http', 'grpc'] as const).map((protocol) => ({
    protocol,
    arn: target.targetGroups[protocol],
  }));
  for (const { protocol, arn } of groups) {
    if (!arn) {
      results.push(
        result(
          'targets',
          protocol,
          'not-checked',
          'the stack has no target group output yet: deploy it again',
        ),
      );
    }
  }
  const pending = groups.filter((g): g is { protocol: 'http' | 'grpc'; arn: string } => g.arn !== null);
  let last = new Map<string, { healthy: boolean; detail: string }>();
  if (primary && pending.length > 0) {
    for (;;) {
      const tasks = (await readServiceTasks(aws, ref)).filter(
        (t) => t.taskDefinition === primary.taskDefinition,
      );
      const ips = tasks.map((t) => t.privateIp).filter((ip): ip is string => ip !== null);
      last = new Map();
      for (const group of pending) {
        const verdict = newTasksHealthy(await readTargetHealth(aws, target.environment, group.arn), ips);
        const enough = ips.length >= primary.desiredCount;
        last.set(group.protocol, {
          healthy: verdict.healthy && enough,
          detail: `${ips.length} new task(s) of ${primary.desiredCount}: ${verdict.detail}`,
        });
      }
      const all = [...last.values()].every((v) => v.healthy);
      if (all || !rolloutOk || Date.now() >= deadline || signal?.aborted) break;
      await pause(aws, signal);
    }
  }
  for (const { protocol } of pending) {
    const verdict = last.get(protocol);
    results.push(
      result(
        'targets',
        protocol,
        verdict?.healthy ? 'ok' : 'failed',
        verdict?.detail ?? 'not read: the service has no PRIMARY deployment',
      ),
    );
  }

  // 3. End to end, to the names clients use.
  const { http, grpc } = target.endpoints;
  const [httpE2e, grpcE2e] = await Promise.all([
    http ? checkHttpEndToEnd(http, endToEnd) : null,
    grpc ? checkGrpcEndToEnd(grpc, http?.startsWith('https://') ?? false, endToEnd) : null,
  ]);
  if (httpE2e) results.push(result('end-to-end', 'http', httpE2e.status, httpE2e.detail));
  if (grpcE2e) results.push(result('end-to-end', 'grpc', grpcE2e.status, grpcE2e.detail));
  return results;
}

function result(
  check: HealthResult['check'],
  protocol: HealthResult['protocol'],
  status: HealthResult['status'],
  detail: string,
): HealthResult {
  return { type: 'health', check, protocol, status, ok: status !== 'failed', detail };
}

function shortTaskDefinition(arn: string | null): string {
  return arn ? arn.replace(/^.*task-definition\//, '') : 'an unknown task definition';
}

async function pause(aws: AwsClients, signal: AbortSignal | undefined): Promise<void> {
  const { setTimeout: sleep } = await import('node:timers/promises');
  await sleep(aws.watch.pollIntervalMs, undefined, { signal, ref: false }).catch(() => {});
}
