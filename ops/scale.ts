/**
 * `/scale`: sets the service's task count within its autoscaling bounds (ECS UpdateService), or new
 * bounds (Application Auto Scaling RegisterScalableTarget), never beyond the environment's hard
 * limit; then watches until the running count matches. Returns data; rendering is the command's job.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { EnvironmentConfig } from '../config';
import type { AwsClients, AwsEnvironment } from './aws-clients';
import { withAwsErrors } from './aws-errors';
import type { PlanStep } from './bastion-keys';
import { readStackOutputs } from './stack-outputs';
import { UserError } from './user-error';

/** What to set: a task count, or new autoscaling bounds. */
export type ScaleTarget =
  | { readonly kind: 'count'; readonly count: number }
  | { readonly kind: 'bounds'; readonly min: number; readonly max: number };

/** The service's size and bounds at one moment. */
export interface ScaleState {
  readonly desired: number;
  readonly running: number;
  readonly pending: number;
  /** The live scalable target's bounds, or null when there is none. */
  readonly bounds: { readonly min: number; readonly max: number } | null;
}

/** Where the service is. */
export interface ScaleRef {
  /** The environment, whose operator role the calls use. */
  readonly environment: AwsEnvironment;
  readonly region: string;
  readonly cluster: string;
  readonly service: string;
  /** `service/<cluster>/<service>`, Application Auto Scaling's resource id. */
  readonly resourceId: string;
}

/** Refuses a target beyond the environment's hard limit (`service.limits.maxTasks`) or malformed bounds. */
export function checkScaleLimits(environment: EnvironmentConfig, target: ScaleTarget): void {
  const limit = environment.service.limits.maxTasks;
  const highest = target.kind === 'count' ? target.count : target.max;
  if (highest > limit) {
    throw new UserError(
      `${highest} tasks is beyond the hard limit of ${environment.name} (${limit}).`,
      'The limit is `service.limits.maxTasks` in wheelhouse.yml: raise it there (reviewed like any change) if this is really needed.',
    );
  }
  if (target.kind === 'bounds' && target.min > target.max) {
    throw new UserError(
      `The minimum (${target.min}) is above the maximum (${target.max}).`,
      'Give `<min>-<max>`.',
    );
  }
}

const describeServices = z.object({
  services: z
    .array(
      z.object({
        runningCount: z.number().optional(),
        desiredCount: z.number().optional(),
        pendingCount: z.number().optional(),
      }),
    )
    .optional(),
});

const describeScalableTargets = z.object({
  ScalableTargets: z
    .array(z.object({ MinCapacity: z.number().optional(), MaxCapacity: z.number().optional() }))
    .optional(),
});

/** Finds the service from the stack outputs. */
export async function findScaleRef(aws: AwsClients, environment: EnvironmentConfig): Promise<ScaleRef> {
  const outputs = await readStackOutputs(aws, environment);
  const cluster = outputs.get('clusterName');
  const service = outputs.get('serviceName');
  return {
    environment,
    region: environment.region,
    cluster,
    service,
    resourceId: `service/${cluster}/${service.split('/').at(-1) ?? service}`,
  };
}

/** Reads the service's counts and live bounds. */
export function readScaleState(aws: AwsClients, ref: ScaleRef): Promise<ScaleState> {
  return withAwsErrors(`read the size of ${ref.service}`, async () => {
    const [ecsSdk, scalingSdk] = await Promise.all([
      import('@aws-sdk/client-ecs'),
      import('@aws-sdk/client-application-auto-scaling'),
    ]);
    const [ecs, scaling] = await Promise.all([aws.ecs(ref.environment), aws.autoScaling(ref.environment)]);
    const [services, targets] = await Promise.all([
      ecs.send(new ecsSdk.DescribeServicesCommand({ cluster: ref.cluster, services: [ref.service] })),
      scaling.send(
        new scalingSdk.DescribeScalableTargetsCommand({
          ServiceNamespace: 'ecs',
          ResourceIds: [ref.resourceId],
          ScalableDimension: 'ecs:service:DesiredCount',
        }),
      ),
    ]);
    const service = describeServices.parse(services).services?.[0];
    const target = describeScalableTargets.parse(targets).ScalableTargets?.[0];
    return {
      desired: service?.desiredCount ?? 0,
      running: service?.runningCount ?? 0,
      pending: service?.pendingCount ?? 0,
      bounds: target ? { min: target.MinCapacity ?? 0, max: target.MaxCapacity ?? 0 } : null,
    };
  });
}

/** Applies `target`; a count outside the live bounds is refused (set the bounds first). */
export async function applyScale(
  aws: AwsClients,
  environment: EnvironmentConfig,
  ref: ScaleRef,
  target: ScaleTarget,
  before: ScaleState,
): Promise<void> {
  checkScaleLimits(environment, target);
  if (target.kind === 'count' && before.bounds) {
    const { min, max } = before.bounds;
    if (target.count < min || target.count > max) {
      throw new UserError(
        `${target.count} tasks is outside the autoscaling bounds of ${environment.name} (${min}–${max}): autoscaling would undo it.`,
        `Set new bounds first: \`/scale ${environment.name} ${Math.min(min, target.count)}-${Math.max(max, target.count)}\`.`,
      );
    }
  }
  await withAwsErrors(`scale ${ref.service}`, async () => {
    if (target.kind === 'count') {
      const sdk = await import('@aws-sdk/client-ecs');
      const ecs = await aws.ecs(ref.environment);
      await ecs.send(
        new sdk.UpdateServiceCommand({
          cluster: ref.cluster,
          service: ref.service,
          desiredCount: target.count,
        }),
      );
      return;
    }
    const sdk = await import('@aws-sdk/client-application-auto-scaling');
    const scaling = await aws.autoScaling(ref.environment);
    await scaling.send(
      new sdk.RegisterScalableTargetCommand({
        ServiceNamespace: 'ecs',
        ResourceId: ref.resourceId,
        ScalableDimension: 'ecs:service:DesiredCount',
        MinCapacity: target.min,
        MaxCapacity: target.max,
      }),
    );
  });
}

/** How a {@link watchScale} ended. */
export interface ScaleWatchResult {
  /** True when the running count matched the desired one. */
  readonly matched: boolean;
  /** True when `signal` stopped the watch first (the bot instance stopping). */
  readonly interrupted: boolean;
  /** The last state seen. */
  readonly state: ScaleState;
}

/**
 * Polls until the running count matches the desired one (and no task is pending), the deadline
 * (`aws.watch.scaleDeadlineMs`) passes or `signal` aborts. `onProgress` sees every changed state.
 */
export async function watchScale(
  aws: AwsClients,
  ref: ScaleRef,
  onProgress: (state: ScaleState) => void,
  signal?: AbortSignal,
): Promise<ScaleWatchResult> {
  const deadline = Date.now() + aws.watch.scaleDeadlineMs;
  let last = '';
  for (;;) {
    const state = await readScaleState(aws, ref);
    const key = JSON.stringify(state);
    if (key !== last) {
      last = key;
      onProgress(state);
    }
    if (state.running === state.desired && state.pending === 0) {
      return { matched: true, interrupted: false, state };
    }
    const left = deadline - Date.now();
    if (left <= 0) return { matched: false, interrupted: false, state };
    try {
      await sleep(Math.min(left, aws.watch.pollIntervalMs), undefined, { signal, ref: false });
    } catch (error) {
      // The scale itself is done: only the watching stops.
      if (signal?.aborted) return { matched: false, interrupted: true, state };
      throw error;
    }
  }
}

/** The calls `/scale` would make, for the plan shown without credentials. */
export function planScale(environment: EnvironmentConfig, target: ScaleTarget): PlanStep[] {
  checkScaleLimits(environment, target);
  const service = '<ClusterName>/<ServiceName>';
  const steps: PlanStep[] = [
    {
      call: 'cloudformation:DescribeStacks',
      resource: environment.stackName,
      detail: 'read the outputs ClusterName and ServiceName',
    },
    {
      call: 'application-autoscaling:DescribeScalableTargets',
      resource: `service/${service}`,
      detail: 'read the live bounds (a count must lie within them)',
    },
  ];
  steps.push(
    target.kind === 'count'
      ? { call: 'ecs:UpdateService', resource: service, detail: `desiredCount=${target.count}` }
      : {
          call: 'application-autoscaling:RegisterScalableTarget',
          resource: `service/${service}`,
          detail: `MinCapacity=${target.min} MaxCapacity=${target.max} (ecs:service:DesiredCount)`,
        },
    {
      call: 'ecs:DescribeServices',
      resource: service,
      detail: 'watch until runningCount matches desiredCount',
    },
  );
  return steps;
}
