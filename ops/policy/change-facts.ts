/**
 * The facts one change decision needs, gathered before any rule runs: the rules in `ops/policy/`
 * stay pure functions over these, and the lookups that need AWS (the image in ECR, the lock, the
 * sign-off) happen here, once, only where a rule reads them.
 */
import type { Config, EnvironmentConfig } from '../../config';
import type { AwsClients } from '../aws-clients';
import { type DeployLock, DeployStateStore, type SignOffLookup } from '../deploy/deploy-state';
import { findImageTag, type ImageLookup } from '../deploy/image-tags';
import type { ScaleTarget } from '../scale';

/** What is changed. */
export type ChangeAction = 'deploy' | 'rollback' | 'scale';

/** Where the change was asked for: Slack (the bot), a person at a terminal, or a CI job. */
export type ChangeCaller = 'slack' | 'cli' | 'ci';

/** Who asks. */
export interface ChangeActor {
  /** A Slack user id, or the command line's `ci:…`/`cli:…` identity. */
  readonly id: string;
  readonly name: string;
  /** An admin of the environment (`permissions.admins`); always false from the command line, which has no Slack identity. */
  readonly isAdmin: boolean;
}

/** A scale as asked. */
export interface ScaleChange {
  readonly target: ScaleTarget;
  /** The caller said `--to-zero`: running no task at all is meant. */
  readonly toZero: boolean;
  /** The live autoscaling bounds, or null when not read (a plan, or no scalable target). */
  readonly currentBounds: { readonly min: number; readonly max: number } | null;
}

/** The approval a change has, as far as the policy is concerned. */
export type ApprovalState =
  | { readonly status: 'none' }
  /** An approver other than the requester approved it (recorded, exactly once, in the deploy-state table). */
  | { readonly status: 'approved'; readonly by: string };

/** What the caller asks for, before anything was looked up. */
export interface ChangeRequest {
  readonly action: ChangeAction;
  readonly caller: ChangeCaller;
  readonly environment: EnvironmentConfig;
  readonly actor: ChangeActor;
  /** The image tag to deploy or roll back to; null for a scale, or a deploy of the infrastructure only. */
  readonly version: string | null;
  /** The scale asked for (action `scale` only), else null. */
  readonly scale: ScaleChange | null;
  /** The reason given to deploy inside a freeze window (`--override-freeze`), or null. */
  readonly freezeOverride: string | null;
  readonly approval: ApprovalState;
  readonly now: Date;
}

/** Everything a rule may read: the request and what was looked up for it. */
export interface ChangeFacts extends ChangeRequest {
  /** The project's time zone, which freeze windows are in. */
  readonly timeZone: string;
  /** The version's image in the environment's repository, or null when not looked up (no version). */
  readonly image: ImageLookup | null;
  /** The environment's lock as it is now, or null: one past its expiry is still held, flagged `stale` (see `ops/deploy/deploy-state.ts`). */
  readonly lock: DeployLock | null;
  /** The version's sign-off, or null when not looked up (unprotected, or no version). */
  readonly signOff: SignOffLookup | null;
}

/**
 * Looks up what the rules need for `request`: the image (deploy and rollback of a version), the
 * lock (deploy and rollback) and the sign-off (a version in a protected environment; Slack shows it
 * in the approval request, the command line needs it).
 */
export async function gatherChangeFacts(
  aws: AwsClients,
  config: Config,
  request: ChangeRequest,
): Promise<ChangeFacts> {
  const { environment, version, action, now } = request;
  const changesVersion = action === 'deploy' || action === 'rollback';
  const store = new DeployStateStore(aws, environment);
  const [image, lock, signOff] = await Promise.all([
    changesVersion && version !== null ? findImageTag(aws, config, environment, version) : null,
    changesVersion ? store.readLock(now) : null,
    changesVersion && environment.protected && version !== null ? store.findSignOff(version, now) : null,
  ]);
  return { ...request, timeZone: config.project.timeZone, image, lock, signOff };
}

/**
 * Facts for a request that needs no AWS lookup (a scale, or a test): nothing looked up, no lock.
 * A rule that needs a lookup it did not get treats it as missing, so use {@link gatherChangeFacts}
 * for deploys and rollbacks.
 */
export function offlineChangeFacts(config: Config, request: ChangeRequest): ChangeFacts {
  return { ...request, timeZone: config.project.timeZone, image: null, lock: null, signOff: null };
}
