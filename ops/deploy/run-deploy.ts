/**
 * The one deploy path, for the bot, the CLI and CI: check, lock, mute, deploy the stack with the new
 * `ImageTag`, watch ECS, check health through the load balancer, bake against the deploy-gate
 * monitors (rolling back to the previous version if one alerts), unmute, record history, unlock.
 * Progress goes out as {@link DeployEvent}s; nothing here knows about Slack. A process that must
 * stop mid-deploy aborts the run's signal: the deploy then ends at once as `interrupted`, cleanly.
 * A deploy that loses its lock (released by an admin, or taken over) stops before its next step as
 * `lock-lost` and never rolls back: another deploy may be running, and a rollback would redeploy an
 * old version over it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config, EnvironmentConfig } from '../../config';
import type { AwsClients } from '../aws-clients';
import { readStackOutputs } from '../stack-outputs';
import { UserError } from '../user-error';
import type { DeployEvent, DeployOutcome, DeployPhase, Rollback } from './deploy-events';
import type { DeployGuard, MuteHandle } from './deploy-mute';
import { type DeployLock, DeployStateStore, type HistoryEntry, newId } from './deploy-state';
import { markDeployedImages } from './deployed-image-marks';
import type { EndToEndOptions } from './end-to-end-check';
import { gateVerdict, silentGateNote } from './gate-verdict';
import { checkDeploymentHealth, egressPortsHere } from './health-check';
import { LockKeeper } from './lock-keeper';
import { type RolloutSummary, watchRollout } from './rollout-watch';

/** What to deploy, and on whose behalf. */
export interface DeployRequest {
  readonly config: Config;
  readonly environment: EnvironmentConfig;
  /** The image tag; null keeps the running one (infrastructure only). */
  readonly version: string | null;
  readonly kind: 'deploy' | 'rollback';
  /** Who asked (a Slack user id, or the command line's `ci:…`/`cli:…` identity) and a display name. */
  readonly by: { readonly id: string; readonly name: string };
  /** The audited reason to deploy inside a freeze window, or null. */
  readonly freezeOverride: string | null;
}

/** What a deploy talks to. */
export interface DeployDependencies {
  readonly aws: AwsClients;
  /** Mutes monitors and gates the bake; a no-op guard where Datadog is not configured. */
  readonly guard: DeployGuard;
  now(): Date;
  /**
   * How the health check's end-to-end requests connect.
   * @default {@link egressPortsHere} of the process (the bot's egress ports in its ECS task, any elsewhere)
   */
  readonly endToEnd?: EndToEndOptions;
  /**
   * Time between two renewals of the deploy's lock.
   * @default a third of the lock's lease (`deploy.lockTtlMinutes`)
   */
  readonly lockHeartbeatMs?: number;
  /**
   * This process's monotonic clock in ms: a lease without a renewal that got through is timed on it.
   * @default performance.now
   */
  monotonicNow?(): number;
}

/** Someone else holds the environment's deploy lock. */
export class DeployLockedError extends UserError {
  override readonly name = 'DeployLockedError';

  constructor(
    readonly environment: string,
    readonly holder: DeployLock,
  ) {
    super(
      `${environment} is locked by ${holder.ownerName} (${holder.owner}) since ${holder.since.toISOString()}: ${holder.reason}.`,
      holder.stale
        ? `The lock looks stale: it expired ${holder.expiresAt.toISOString()} without a renewal. Wheelhouse takes it over only once one process has seen it unchanged for a whole lease; an ${environment} admin can release it now with /unlock ${environment} --force.`
        : `The lock expires ${holder.expiresAt.toISOString()}; wait for it, or ask them to release it with /unlock ${environment}.`,
    );
  }
}

/** Options of one {@link LockedDeploy.run}. */
export interface DeployRunOptions {
  /**
   * Aborted when the process running the deploy must stop (the bot's drain deadline). The deploy
   * stops waiting at once and ends as `interrupted`: recorded in history, monitors unmuted, lock
   * released. CloudFormation is not cancelled: it finishes (or rolls back) the stack update by itself.
   * @default never aborted
   */
  readonly signal?: AbortSignal;
}

/** A deploy holding its lock, ready to run. */
export interface LockedDeploy {
  readonly lock: DeployLock;
  /** A stale lock (past its TTL) that was taken over, or null. */
  readonly tookOverFrom: DeployLock | null;
  /** Runs the deploy; always releases the lock and unmutes, whatever happens. */
  run(onEvent: (event: DeployEvent) => void, options?: DeployRunOptions): Promise<DeployOutcome>;
}

/**
 * Thrown inside a run when its signal aborts or its lock is lost; the run turns it into the
 * `interrupted` or `lock-lost` outcome.
 */
class DeployInterrupted extends Error {
  override readonly name = 'DeployInterrupted';
}

/** What a deploy interrupted in each step was doing, for its history entry and thread. */
const INTERRUPTED_DURING: Readonly<Record<DeployPhase, string>> = {
  muting: 'muting the monitors (nothing was deployed)',
  deploying: 'the stack update',
  'health-check': 'the health check, after the stack update',
  baking: 'the bake, after the stack update',
  'rolling-back': 'the automatic rollback',
  unmuting: 'unmuting the monitors',
  finished: 'its last step',
};

/**
 * Settles as `work` does, or rejects with {@link DeployInterrupted} as soon as `signal` aborts (the
 * work itself runs on, unobserved: the process is about to exit).
 */
function interruptible<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new DeployInterrupted());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
    if (signal.aborted) onAbort();
  });
}

/** Takes the environment's lock (or throws {@link DeployLockedError}) and returns the deploy to run. */
export async function beginDeploy(deps: DeployDependencies, request: DeployRequest): Promise<LockedDeploy> {
  const { environment } = request;
  const store = new DeployStateStore(deps.aws, environment);
  const what = request.version === null ? 'infrastructure only' : request.version;
  const result = await store.acquireLock(
    { owner: request.by.id, ownerName: request.by.name, reason: `${request.kind} ${what}` },
    'deploy',
    deps.now(),
  );
  if (!result.acquired) throw new DeployLockedError(environment.name, result.holder);
  const { lock, tookOverFrom } = result;
  return {
    lock,
    tookOverFrom,
    run: (onEvent, options = {}) => runLocked(deps, request, store, lock, tookOverFrom, onEvent, options),
  };
}

async function runLocked(
  deps: DeployDependencies,
  request: DeployRequest,
  store: DeployStateStore,
  lock: DeployLock,
  tookOverFrom: DeployLock | null,
  report: (event: DeployEvent) => void,
  { signal }: DeployRunOptions,
): Promise<DeployOutcome> {
  const { aws, guard } = deps;
  const { environment, config } = request;
  let phase: DeployPhase | null = null;
  let ended = false;
  const onEvent = (event: DeployEvent): void => {
    // Work left behind by an interruption (a stack update, a health check) may still report: drop it.
    if (ended) return;
    if (event.type === 'phase') phase = event.phase;
    report(event);
  };
  // A deploy longer than the lock's lease keeps its lock; a crashed one stops renewing it.
  const keeper = new LockKeeper(store, lock, environment.name, {
    leaseMs: store.leaseMs,
    heartbeatMs: deps.lockHeartbeatMs ?? store.leaseMs / 3,
    monotonicNow: deps.monotonicNow ?? (() => performance.now()),
    now: deps.now,
    onRenewalError: (error) =>
      onEvent({
        type: 'note',
        level: 'warn',
        message: `Could not renew the lock (trying again at the next heartbeat): ${describe(error)}`,
      }),
  });
  /** Aborted when the process must stop or the lock is lost: every wait ends at once. */
  const stop = signal ? AbortSignal.any([signal, keeper.signal]) : keeper.signal;
  /** Waits for `work` unless the run is interrupted (or loses its lock) first. */
  const until = <T>(work: Promise<T>): Promise<T> => interruptible(work, stop);
  /**
   * Before each step (a mute, a stack update, the health check, the bake, a rollback): renews the
   * lock, so that a lock released since the last heartbeat is noticed here, and stops if it is lost
   * or the run interrupted.
   */
  const checkpoint = async (): Promise<void> => {
    await keeper.beat();
    if (stop.aborted) throw new DeployInterrupted();
  };
  let interruptedIn: DeployPhase | null = null;
  /** Why Wheelhouse is rolling back, once it is. */
  let rollingBackBecause: string | null = null;
  /** Whether CloudFormation was asked to update the stack (an interruption before: nothing deployed). */
  let stackTouched = false;
  const started = Date.now();
  const startedAt = deps.now();
  const historyId = newId();
  keeper.start();
  if (tookOverFrom) {
    onEvent({
      type: 'note',
      level: 'warn',
      message: `Took over a stale lock of ${tookOverFrom.ownerName} (${tookOverFrom.reason}), unchanged for a whole lease (expired ${tookOverFrom.expiresAt.toISOString()}).`,
    });
  }
  let mute: MuteHandle | null = null;
  let previousVersion: string | null = null;
  let outcome: Omit<DeployOutcome, 'durationMs' | 'historyId' | 'interruptedIn'> | null = null;
  let rollout: RolloutSummary = { circuitBreaker: null, rolloutState: null };
  try {
    const outputs = await until(readStackOutputs(aws, environment));
    previousVersion = outputs.find('imageTag');
    const ref = {
      environment,
      region: environment.region,
      cluster: outputs.get('clusterName'),
      service: outputs.get('serviceName'),
    };
    const version = request.version;
    const label = version ?? `${previousVersion ?? 'the running version'} (infrastructure only)`;
    // Before the stack references it, and the one it replaces (what /rollback returns to): the lifecycle keeps marked images.
    const referenced = [version, previousVersion].filter((tag): tag is string => tag !== null);
    await until(markDeployedImages(aws, config, environment, referenced)).catch((error: unknown) => {
      if (error instanceof DeployInterrupted) throw error;
      onEvent({
        type: 'note',
        level: 'warn',
        message: `Could not mark the images as deployed (the repository's lifecycle may expire them): ${describe(error)}`,
      });
    });

    await checkpoint();
    if (guard.isActive(environment.name)) {
      onEvent({ type: 'phase', phase: 'muting', detail: 'Muting the deploy-sensitive monitors' });
      const minutes = Math.min(
        240,
        Math.ceil(environment.deploy.lockTtlMinutes + environment.datadog.bakeMinutes),
      );
      // A deploy does not wait for Datadog: a failed mute means noisy monitors, not a broken release.
      mute = await guard
        .mute(environment.name, `${request.kind} ${label} by ${request.by.name}`, minutes)
        .catch((error: unknown) => {
          onEvent({
            type: 'note',
            level: 'warn',
            message: `Could not mute the monitors: ${describe(error)}`,
          });
          return null;
        });
    }
    // The mute is not interruptible: a downtime created after the run stopped waiting would stay.
    await checkpoint();

    onEvent({ type: 'phase', phase: 'deploying', detail: `Deploying ${label} to ${environment.stackName}` });
    const deployer = await until(aws.stackDeployer());
    await checkpoint();
    const watch = watchRollout(aws, ref, onEvent);
    let stack: Awaited<ReturnType<typeof deployer.deploy>>;
    stackTouched = true;
    try {
      stack = await until(
        deployer.deploy({ config, environment, version }, (activity) =>
          onEvent({ type: 'stack', ...activity }),
        ),
      );
    } finally {
      // Interrupted: stop polling without waiting for a last look.
      if (stop.aborted) void watch.stop();
      else rollout = await watch.stop();
    }

    if (!stack.ok && !stack.stackChanged && !rollout.circuitBreaker) {
      // Nothing to roll back: CloudFormation never started changing the stack.
      outcome = {
        status: 'failed-before-change',
        version,
        previousVersion,
        reason: stack.reason ?? 'the deploy failed before CloudFormation changed the stack',
        rollback: null,
      };
      return finish();
    }
    if (!stack.ok) {
      const rollback: Rollback = {
        by: rollout.circuitBreaker ? 'circuit-breaker' : 'cloudformation',
        to: previousVersion,
        monitors: [],
        succeeded: true,
      };
      outcome = {
        status: 'rolled-back',
        version,
        previousVersion,
        reason: rollout.circuitBreaker ?? stack.reason ?? 'the stack update failed',
        rollback,
      };
      return finish();
    }

    await checkpoint();
    onEvent({
      type: 'phase',
      phase: 'health-check',
      detail: 'Checking health: the ECS rollout, the load balancer’s target health, and end to end',
    });
    // The outputs as this update left them: an update that adds or renames endpoints (a domain
    // configured) is checked by its new names at once.
    const deployed = await until(readStackOutputs(aws, environment));
    // health-check.ts says what healthy means; a `not-checked` part does not fail the deploy.
    const checks = await until(
      checkDeploymentHealth(
        aws,
        {
          environment,
          cluster: ref.cluster,
          service: ref.service,
          targetGroups: {
            http: deployed.find('httpTargetGroupArn'),
            grpc: deployed.find('grpcTargetGroupArn'),
          },
          endpoints: { http: deployed.find('httpEndpoint'), grpc: deployed.find('grpcEndpoint') },
        },
        deps.endToEnd ?? { egressPorts: egressPortsHere(process.env) },
        stop,
      ),
    );
    for (const check of checks) onEvent(check);
    const unhealthy = checks.filter((c) => !c.ok);

    let firing: readonly { readonly name: string; readonly url: string }[] = [];
    if (unhealthy.length === 0 && guard.isActive(environment.name) && environment.datadog.bakeMinutes > 0) {
      await checkpoint();
      onEvent({
        type: 'phase',
        phase: 'baking',
        detail: `Baking for ${environment.datadog.bakeMinutes} min, watching the deploy-gate monitors`,
      });
      firing = await bake(deps, environment, onEvent, stop);
    }

    if (unhealthy.length === 0 && firing.length === 0) {
      outcome = { status: 'succeeded', version, previousVersion, reason: null, rollback: null };
      return finish();
    }
    const reason =
      firing.length > 0
        ? `deploy-gate monitor alerted: ${firing.map((m) => m.name).join(', ')}`
        : `health check failed: ${unhealthy.map((c) => c.detail).join('; ')}`;
    if (version === null || previousVersion === null || previousVersion === version) {
      outcome = { status: 'failed', version, previousVersion, reason, rollback: null };
      return finish();
    }
    rollingBackBecause = reason;
    await checkpoint();
    onEvent({ type: 'phase', phase: 'rolling-back', detail: `Rolling back to ${previousVersion}` });
    const back = await until(
      deployer.deploy({ config, environment, version: previousVersion }, (activity) =>
        onEvent({ type: 'stack', ...activity }),
      ),
    );
    outcome = {
      status: 'rolled-back',
      version,
      previousVersion,
      reason: back.ok
        ? reason
        : `${reason}; the rollback failed too${back.stackChanged ? '' : ', before any change to the stack'}: ${back.reason ?? 'unknown'}`,
      rollback: {
        by: firing.length > 0 ? 'monitor' : 'health-check',
        to: previousVersion,
        monitors: firing.map((m) => m.name),
        succeeded: back.ok,
      },
    };
    return finish();
  } catch (error) {
    if (error instanceof DeployInterrupted) {
      // Stopped while toolkit-lib was still loading: the stack was not touched yet.
      interruptedIn = stackTouched ? phase : null;
      const loss = keeper.loss;
      if (loss) {
        const during = interruptedIn ? INTERRUPTED_DURING[interruptedIn] : 'its start (nothing was deployed)';
        outcome = {
          status: 'lock-lost',
          version: request.version,
          previousVersion,
          reason: `${loss.message}; this deploy stopped and did not roll back, since another deploy may be running (it stopped during ${during}${rollingBackBecause ? `, about to roll back because ${rollingBackBecause}` : ''})`,
          rollback: null,
        };
        return finish();
      }
      outcome = {
        status: 'interrupted',
        version: request.version,
        previousVersion,
        reason: `the bot instance stopped during ${interruptedIn ? INTERRUPTED_DURING[interruptedIn] : 'its start (nothing was deployed)'}${rollingBackBecause ? ` (it rolled back because ${rollingBackBecause})` : ''}`,
        rollback: null,
      };
      return finish();
    }
    outcome = {
      status: 'failed',
      version: request.version,
      previousVersion,
      reason: error instanceof Error ? error.message : String(error),
      rollback: null,
    };
    throw error;
  } finally {
    keeper.stop();
    if (mute) {
      onEvent({ type: 'phase', phase: 'unmuting', detail: 'Unmuting the monitors' });
      await guard
        .unmute(mute)
        .catch((error: unknown) =>
          onEvent({ type: 'note', level: 'warn', message: `Could not unmute: ${describe(error)}` }),
        );
    }
    await wrapUp().catch((error: unknown) =>
      onEvent({ type: 'note', level: 'warn', message: `Could not record the deploy: ${describe(error)}` }),
    );
    // Also after an interruption, while CloudFormation may still be updating the stack: that is
    // safe, because CloudFormation refuses a second update of a stack in progress (the next deploy
    // fails at once and says so) rather than letting two race. Conditional on our token: a lock
    // lost to another deploy is theirs, and stays.
    try {
      await store.releaseLock({ token: lock.token });
    } finally {
      ended = true;
    }
  }

  function finish(): DeployOutcome {
    const done = { ...outcome!, durationMs: Date.now() - started, historyId, interruptedIn };
    onEvent({ type: 'phase', phase: 'finished', detail: done.status });
    return done;
  }

  async function wrapUp(): Promise<void> {
    if (!outcome) return;
    const entry: HistoryEntry = {
      id: historyId,
      kind: request.kind,
      version: outcome.version,
      previousVersion: outcome.previousVersion,
      by: request.by.id,
      outcome: outcome.status,
      reason: outcome.reason,
      startedAt,
      finishedAt: deps.now(),
      freezeOverride: request.freezeOverride,
    };
    await store.recordHistory(entry);
    const redeployed = outcome.rollback?.by === 'monitor' || outcome.rollback?.by === 'health-check';
    if (redeployed && outcome.rollback?.to) {
      await store.recordHistory({
        ...entry,
        id: newId(),
        kind: 'auto-rollback',
        version: outcome.rollback.to,
        previousVersion: outcome.version,
        outcome: outcome.rollback.succeeded ? 'succeeded' : 'failed',
        reason: `rolled back: ${outcome.reason ?? ''}`,
        startedAt: new Date(startedAt.getTime() + 1),
      });
    }
    await guard.recordDeployment(environment.name, {
      version: outcome.version ?? outcome.previousVersion ?? 'unknown',
      outcome: outcome.status,
      by: request.by.name,
      text: outcome.reason ?? '',
    });
  }
}

/**
 * Watches the deploy-gate monitors for the bake time; returns the monitors that alerted (empty: it
 * baked). Throws {@link DeployInterrupted} as soon as `signal` aborts, its timer cleared.
 */
async function bake(
  deps: DeployDependencies,
  environment: EnvironmentConfig,
  onEvent: (event: DeployEvent) => void,
  signal: AbortSignal | undefined,
): Promise<readonly { readonly name: string; readonly url: string }[]> {
  const end = Date.now() + environment.datadog.bakeMinutes * 60_000;
  const said = new Set<string>();
  for (;;) {
    const status = deps.guard.gateStatus(environment.name).catch((error: unknown) => {
      // Not knowing is not an alert: say so and look again.
      onEvent({
        type: 'note',
        level: 'warn',
        message: `Could not read the deploy-gate monitors: ${describe(error)}`,
      });
      return [];
    });
    const gates = await interruptible(status, signal);
    const left = end - Date.now();
    const verdict = gateVerdict(gates, {
      protectedEnvironment: environment.protected,
      final: left <= 0,
      alreadySaid: said,
    });
    for (const gate of verdict.newlySilent) {
      said.add(gate.name);
      onEvent({ type: 'note', level: 'warn', message: silentGateNote(gate, environment.protected) });
    }
    if (verdict.failed.length > 0) {
      onEvent({ type: 'gate-alert', monitors: verdict.failed });
      return verdict.failed;
    }
    if (left <= 0) return [];
    try {
      await sleep(Math.min(left, deps.aws.watch.pollIntervalMs), undefined, { signal, ref: false });
    } catch (error) {
      if (signal?.aborted) throw new DeployInterrupted();
      throw error;
    }
  }
}

/** The previous good version to roll back to: the newest succeeded deploy of another version. */
export async function previousGoodVersion(
  aws: AwsClients,
  environment: EnvironmentConfig,
  running: string | null,
): Promise<string | null> {
  const history = await new DeployStateStore(aws, environment).listHistory(50);
  const good = history.find(
    (h) =>
      h.outcome === 'succeeded' && h.version !== null && h.version !== running && h.kind !== 'auto-rollback',
  );
  return good?.version ?? null;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
