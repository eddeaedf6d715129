/**
 * What the deploy op reports while it runs, as typed events: the Slack command renders them into
 * one edited thread message, the CLI into terminal lines. No formatting for any surface here.
 */

/** The steps of a deploy, in order. */
export type DeployPhase =
  | 'muting'
  | 'deploying'
  | 'health-check'
  | 'baking'
  | 'rolling-back'
  | 'unmuting'
  | 'finished';

/** One event of a running deploy. */
export type DeployEvent =
  /** A step starts. */
  | { readonly type: 'phase'; readonly phase: DeployPhase; readonly detail: string }
  /** A CloudFormation stack event (from toolkit-lib's stack activity). */
  | {
      readonly type: 'stack';
      readonly logicalId: string;
      readonly resourceType: string;
      readonly status: string;
      readonly reason: string | null;
    }
  /** The ECS rollout moved: tasks started, healthy, draining; a circuit breaker rollback. */
  | {
      readonly type: 'service';
      readonly rolloutState: string | null;
      readonly running: number;
      readonly pending: number;
      readonly desired: number;
      /** Tasks of the previous deployment still running (draining). */
      readonly draining: number;
      readonly failedTasks: number;
      readonly reason: string | null;
    }
  /**
   * One part of the health check after a rollout (see health-check.ts): the ECS rollout
   * (`protocol` null), the load balancer's target health of the new tasks, or a request end to end.
   */
  | {
      readonly type: 'health';
      readonly check: 'rollout' | 'targets' | 'end-to-end';
      readonly protocol: 'http' | 'grpc' | null;
      /** `not-checked`: this place cannot reach the endpoint (e.g. the bot's egress rules); not a failure. */
      readonly status: 'ok' | 'failed' | 'not-checked';
      /** Not failed (`ok` or `not-checked`). */
      readonly ok: boolean;
      readonly detail: string;
    }
  /** A deploy-gate monitor alerted during the bake. */
  | {
      readonly type: 'gate-alert';
      readonly monitors: readonly { readonly name: string; readonly url: string }[];
    }
  /** Anything else worth a line (a stale lock taken over, an unmute that failed). */
  | { readonly type: 'note'; readonly level: 'info' | 'warn'; readonly message: string };

/** Who or what rolled a deploy back. */
export interface Rollback {
  /**
   * `circuit-breaker`: ECS; `cloudformation`: the stack update failed; `monitor`: a gate alerted in
   * the bake; `health-check`: the load balancer health checks failed after the rollout.
   */
  readonly by: 'circuit-breaker' | 'cloudformation' | 'monitor' | 'health-check';
  /** The version running afterwards (null when unknown). */
  readonly to: string | null;
  /** The monitors that fired, for `monitor`. */
  readonly monitors: readonly string[];
  /** For `monitor`: whether redeploying the previous version succeeded. */
  readonly succeeded: boolean;
}

/** How a deploy ended. */
export interface DeployOutcome {
  /**
   * `interrupted`: the process running it had to stop (the bot instance restarting) before it
   * ended; CloudFormation carries on with the stack by itself. `failed-before-change`: the deploy
   * failed before CloudFormation changed the stack (the assets upload, the change set's creation, a
   * refused call): nothing was deployed or rolled back, the previous version still runs.
   * `rolled-back` is only for a stack update that was rolled back (or a redeploy of the previous version).
   * `lock-lost`: its lock was released (an admin's `/unlock --force`) or taken over, so it stopped
   * before its next step and did not roll back, since another deploy may be running.
   */
  readonly status:
    | 'succeeded'
    | 'failed'
    | 'failed-before-change'
    | 'rolled-back'
    | 'interrupted'
    | 'lock-lost';
  /** The version deployed (null: infrastructure only, the running version kept). */
  readonly version: string | null;
  readonly previousVersion: string | null;
  readonly durationMs: number;
  /** Why it failed, in a sentence; null on success. */
  readonly reason: string | null;
  readonly rollback: Rollback | null;
  /** The history entry id. */
  readonly historyId: string;
  /** For `interrupted` and `lock-lost`: the step it was in (null: before the first, while reading the stack); else null. */
  readonly interruptedIn: DeployPhase | null;
}
