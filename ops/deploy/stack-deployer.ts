/**
 * The seam between the deploy op and CloudFormation: deploy one environment's stack with an image
 * version (the `ImageTag` stack parameter), or keep the running one, or show what such a deploy
 * would change (`diff`, read-only). The real implementation is
 * toolkit-lib (`toolkit-stack-deployer.ts`); tests put a stand-in here and run everything above it.
 */
import type { Config, EnvironmentConfig } from '../../config';

/** What to deploy. */
export interface StackDeployRequest {
  readonly config: Config;
  readonly environment: EnvironmentConfig;
  /** The image tag to run; null deploys the infrastructure only and keeps the running `ImageTag`. */
  readonly version: string | null;
}

/** A CloudFormation stack event as the deployer streams it. */
export interface StackActivityEvent {
  readonly logicalId: string;
  readonly resourceType: string;
  readonly status: string;
  readonly reason: string | null;
}

/** How a stack deploy ended. */
export interface StackDeployResult {
  readonly ok: boolean;
  /** Why it failed (CloudFormation's or toolkit-lib's message), null on success. */
  readonly reason: string | null;
  /**
   * Whether CloudFormation started changing the stack (it executed a change set, so a failure after that
   * is a stack update that CloudFormation rolls back). False for a deploy that failed before: the assets
   * upload, the change set's creation, a refused call (AccessDenied); and for one with nothing to change.
   */
  readonly stackChanged: boolean;
}

/** What a deploy would change in the deployed stack, read-only. */
export interface StackDiffResult {
  /** False when the stack is not deployed yet: every resource in the diff is new. */
  readonly stackExists: boolean;
  /** The diff as `cdk diff` shows it (toolkit-lib's formatting, without colours). */
  readonly text: string;
  /**
   * How many resources the template adds, changes or removes (CDK metadata left out).
   *
   * A template diff: a new `ImageTag` alone changes none (the value is a parameter, see `runningImageTag`).
   */
  readonly resourceChanges: number;
  /** The deployed stack's `ImageTag`, or null when the stack does not exist (or has none). */
  readonly runningImageTag: string | null;
}

/** Deploys an environment's stack. */
export interface StackDeployer {
  /** Diffs the synthesized stack against the deployed one; changes nothing, throws when AWS cannot be read. */
  diff(request: StackDeployRequest): Promise<StackDiffResult>;

  /** Deploys and resolves when CloudFormation is done; never throws for a failed update (see `ok`). */
  deploy(
    request: StackDeployRequest,
    onActivity: (event: StackActivityEvent) => void,
  ): Promise<StackDeployResult>;
}
