/**
 * Release sign-offs: what lets the command line (CI, or a person at a terminal) deploy to a
 * protected environment, where Slack would ask an approver first.
 *
 * Decision: the command line has no Slack identity that an approver could check, so it cannot ask
 * for (or give) an approval itself. Instead an approver signs a release off ahead of time in Slack,
 * `/signoff <env> <version>`, which records who and when in the environment's deploy-state table
 * (see {@link DeployStateStore.recordSignOff}). Until `deploy.signOffExpiryDays` have passed, the
 * command line may deploy exactly that version, and only if it is a release tag
 * (`deploy.releaseTagPattern`). It may not deploy the infrastructure alone (no version), since no one
 * signed that off. Unprotected environments need none of this. The rule itself is
 * `ops/policy/sign-off.ts`; this file keeps what `/signoff` and the rule share.
 */

import type { EnvironmentConfig } from '../../config';
import { RefusalError } from '../user-error';

/** True when `version` matches the environment's `deploy.releaseTagPattern`. */
export function isReleaseTag(environment: EnvironmentConfig, version: string): boolean {
  return new RegExp(environment.deploy.releaseTagPattern).test(version);
}

/** Refuses a version that is not a release tag of `environment`, saying what is. */
export function assertReleaseTag(environment: EnvironmentConfig, version: string, why: string): void {
  if (isReleaseTag(environment, version)) return;
  throw new RefusalError(
    `${version} is not a release tag of ${environment.name} (deploy.releaseTagPattern ${environment.deploy.releaseTagPattern}): ${why}.`,
    `Tag a release that matches it, or deploy ${version} from Slack with /deploy ${environment.name} ${version}, which asks an approver.`,
  );
}
