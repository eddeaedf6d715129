/**
 * Watches the ECS service while a deploy runs (DescribeServices): tasks started, healthy and
 * draining, and whether the deployment circuit breaker failed the rollout and rolled it back.
 */
import type { AwsClients, AwsEnvironment } from '../aws-clients';
import type { DeployEvent } from './deploy-events';
import { ecsDeployments } from './ecs-deployments';

/** What the watch saw. */
export interface RolloutSummary {
  /** The circuit breaker's reason when it failed a rollout (ECS then rolls back), else null. */
  readonly circuitBreaker: string | null;
  /** Rollout state of the PRIMARY deployment at the last poll. */
  readonly rolloutState: string | null;
}

/** A running watch; {@link stop} polls once more and summarizes. */
export interface RolloutWatch {
  stop(): Promise<RolloutSummary>;
}

/** Where the service is. */
export interface ServiceRef {
  /** The environment, whose operator role the calls use. */
  readonly environment: AwsEnvironment;
  readonly region: string;
  readonly cluster: string;
  readonly service: string;
}

/** Starts polling `ref` every `aws.watch.pollIntervalMs`, reporting changes as `service` events. */
export function watchRollout(
  aws: AwsClients,
  ref: ServiceRef,
  onEvent: (event: DeployEvent) => void,
): RolloutWatch {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let last = '';
  let circuitBreaker: string | null = null;
  let rolloutState: string | null = null;
  let inFlight: Promise<void> = Promise.resolve();

  const poll = async (): Promise<void> => {
    try {
      const sdk = await import('@aws-sdk/client-ecs');
      const ecs = await aws.ecs(ref.environment);
      const response = await ecs.send(
        new sdk.DescribeServicesCommand({ cluster: ref.cluster, services: [ref.service] }),
      );
      const deployments = ecsDeployments(response);
      const primary = deployments.find((d) => d.status === 'PRIMARY');
      const failed = deployments.find(
        (d) => d.rolloutState === 'FAILED' && /circuit breaker/i.test(d.rolloutStateReason ?? ''),
      );
      if (failed) circuitBreaker = failed.rolloutStateReason ?? 'circuit breaker triggered';
      rolloutState = primary?.rolloutState ?? null;
      const event: DeployEvent = {
        type: 'service',
        rolloutState,
        running: primary?.runningCount ?? 0,
        pending: primary?.pendingCount ?? 0,
        desired: primary?.desiredCount ?? 0,
        draining: deployments
          .filter((d) => d.status !== 'PRIMARY')
          .reduce((sum, d) => sum + (d.runningCount ?? 0), 0),
        failedTasks: deployments.reduce((sum, d) => sum + (d.failedTasks ?? 0), 0),
        reason: failed?.rolloutStateReason ?? primary?.rolloutStateReason ?? null,
      };
      const key = JSON.stringify(event);
      if (key !== last) {
        last = key;
        onEvent(event);
      }
    } catch (error) {
      // A failed poll must not fail the deploy: CloudFormation is the judge, this is the commentary.
      onEvent({
        type: 'note',
        level: 'warn',
        message: `Could not read the ECS service: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  };

  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      inFlight = poll().then(schedule);
    }, aws.watch.pollIntervalMs);
    timer.unref();
  };
  inFlight = poll().then(schedule);

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
      await poll();
      return { circuitBreaker, rolloutState };
    },
  };
}
