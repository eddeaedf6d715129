/**
 * The service's own view of a rollout and the load balancer's view of its new tasks: the PRIMARY
 * ECS deployment's rollout state (DescribeServices), the tasks it runs (ListTasks, DescribeTasks:
 * their private IPs are their target ids, the target groups being of type `ip`), and each target
 * group's target health (DescribeTargetHealth).
 *
 * AWS documents: a deployment starts IN_PROGRESS, turns COMPLETED when the service reaches a
 * steady state, FAILED when the circuit breaker stops it (ECS API Reference, Deployment,
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html); a target is
 * `initial`, `healthy`, `unhealthy`, `unused`, `draining` or `unavailable`, and only `healthy`
 * receives traffic as a healthy target (ELB API Reference, TargetHealth,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html, and
 * "Target health status", https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html).
 */
import { z } from 'zod';
import type { AwsClients, AwsEnvironment } from '../aws-clients';
import { ecsDeployments } from './ecs-deployments';

/** The PRIMARY deployment: its task definition, rollout state and counts. */
export interface PrimaryDeployment {
  readonly taskDefinition: string | null;
  /** `IN_PROGRESS`, `COMPLETED`, `FAILED`; null where ECS does not report one. */
  readonly rolloutState: string | null;
  readonly rolloutStateReason: string | null;
  readonly desiredCount: number;
  readonly runningCount: number;
  /** Other deployments still in the service (an old one draining). */
  readonly others: number;
}

/** Where the service and its target groups are. */
export interface ServiceTargets {
  readonly environment: AwsEnvironment;
  readonly cluster: string;
  readonly service: string;
}

/** The service's PRIMARY deployment, or null when the service has none (or does not exist). */
export async function readPrimaryDeployment(
  aws: AwsClients,
  ref: ServiceTargets,
): Promise<PrimaryDeployment | null> {
  const { DescribeServicesCommand } = await import('@aws-sdk/client-ecs');
  const ecs = await aws.ecs(ref.environment);
  const response = await ecs.send(
    new DescribeServicesCommand({ cluster: ref.cluster, services: [ref.service] }),
  );
  const deployments = ecsDeployments(response);
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  if (!primary) return null;
  return {
    taskDefinition: primary.taskDefinition ?? null,
    rolloutState: primary.rolloutState ?? null,
    rolloutStateReason: primary.rolloutStateReason ?? null,
    desiredCount: primary.desiredCount ?? 0,
    runningCount: primary.runningCount ?? 0,
    others: deployments.length - 1,
  };
}

const describeTasks = z.object({
  tasks: z
    .array(
      z.object({
        taskArn: z.string().optional(),
        taskDefinitionArn: z.string().optional(),
        lastStatus: z.string().optional(),
        attachments: z
          .array(
            z.object({
              type: z.string().optional(),
              details: z
                .array(z.object({ name: z.string().optional(), value: z.string().optional() }))
                .optional(),
            }),
          )
          .optional(),
      }),
    )
    .optional(),
});

/** A running task of the service: its task definition and private IPv4 address (its target id). */
export interface ServiceTask {
  readonly taskArn: string;
  readonly taskDefinition: string | null;
  readonly privateIp: string | null;
}

/** The service's RUNNING tasks (at most 100, ListTasks' first page: far more than a service runs here). */
export async function readServiceTasks(aws: AwsClients, ref: ServiceTargets): Promise<ServiceTask[]> {
  const { ListTasksCommand, DescribeTasksCommand } = await import('@aws-sdk/client-ecs');
  const ecs = await aws.ecs(ref.environment);
  const listed = await ecs.send(
    new ListTasksCommand({ cluster: ref.cluster, serviceName: ref.service, desiredStatus: 'RUNNING' }),
  );
  const arns = listed.taskArns ?? [];
  if (arns.length === 0) return [];
  const described = describeTasks.parse(
    await ecs.send(new DescribeTasksCommand({ cluster: ref.cluster, tasks: arns })),
  );
  return (described.tasks ?? [])
    .filter((t) => t.lastStatus === 'RUNNING')
    .map((t) => ({
      taskArn: t.taskArn ?? 'unknown',
      taskDefinition: t.taskDefinitionArn ?? null,
      // awsvpc tasks (Fargate) have an ElasticNetworkInterface attachment with privateIPv4Address.
      privateIp:
        t.attachments
          ?.find((a) => a.type === 'ElasticNetworkInterface')
          ?.details?.find((d) => d.name === 'privateIPv4Address')?.value ?? null,
    }));
}

const describeTargetHealth = z.object({
  TargetHealthDescriptions: z
    .array(
      z.object({
        Target: z.object({ Id: z.string().optional(), Port: z.number().optional() }).optional(),
        TargetHealth: z
          .object({
            State: z.string().optional(),
            Reason: z.string().optional(),
            Description: z.string().optional(),
          })
          .optional(),
      }),
    )
    .optional(),
});

/** One target as the load balancer sees it. */
export interface TargetState {
  readonly id: string;
  readonly port: number | null;
  /** `initial`, `healthy`, `unhealthy`, `unused`, `draining`, `unavailable`. */
  readonly state: string;
  /** The reason code (e.g. `Target.ResponseCodeMismatch`), null when healthy. */
  readonly reason: string | null;
}

/** Every registered target of a target group and its health. */
export async function readTargetHealth(
  aws: AwsClients,
  environment: AwsEnvironment,
  targetGroupArn: string,
): Promise<TargetState[]> {
  const { DescribeTargetHealthCommand } = await import('@aws-sdk/client-elastic-load-balancing-v2');
  const elb = await aws.loadBalancing(environment);
  const response = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
  return (describeTargetHealth.parse(response).TargetHealthDescriptions ?? []).map((d) => ({
    id: d.Target?.Id ?? 'unknown',
    port: d.Target?.Port ?? null,
    state: d.TargetHealth?.State ?? 'unknown',
    reason: d.TargetHealth?.Reason ?? null,
  }));
}

/**
 * Whether every one of `ips` (the new tasks) is a `healthy` target; the others (old tasks
 * draining) do not count. A new task the target group does not list is not healthy.
 */
export function newTasksHealthy(
  targets: readonly TargetState[],
  ips: readonly string[],
): { readonly healthy: boolean; readonly detail: string } {
  const byId = new Map(targets.map((t) => [t.id, t]));
  const states = ips.map((ip) => {
    const target = byId.get(ip);
    return { ip, state: target?.state ?? 'not registered', reason: target?.reason ?? null };
  });
  const healthy = ips.length > 0 && states.every((s) => s.state === 'healthy');
  const detail =
    ips.length === 0
      ? 'no new task to look for'
      : states.map((s) => `${s.ip} ${s.state}${s.reason ? ` (${s.reason})` : ''}`).join(', ');
  return { healthy, detail };
}
