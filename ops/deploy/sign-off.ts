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
 * signed that off. Unprotected environments need none of this.
 */

import type { EnvironmentConfig } from '../../config';
import type { AwsClients } from '../aws-clients';
import { describeRoles } from '../describe-roles';
import { RefusalError } from '../user-error';
import { DeployStateStore, type SignOff } from './deploy-state';

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

/**
 * Refuses, before anything talks to AWS, what the command line may never deploy to `environment`:
 * in a protected environment, no version (the infrastructure alone) or a version that is not a
 * release tag. Anything goes in an unprotected environment.
 */
export function assertCommandLineVersion(environment: EnvironmentConfig, version: string | null): void {
  if (!environment.protected) return;
  if (version === null) {
    throw new RefusalError(
      `${environment.name} is protected: the command line deploys only a signed-off release there, and no --version was given.`,
      `Give --version <release tag> (the running one to change only the infrastructure). ${askApprover(environment, '<release tag>')}`,
    );
  }
  assertReleaseTag(environment, version, 'the command line deploys only signed-off releases there');
}

/**
 * The valid sign-off that lets the command line deploy `version` to `environment`, or null where
 * none is needed (an unprotected environment); throws a {@link RefusalError} saying how to get one.
 * Call {@link assertCommandLineVersion} first.
 */
export async function requireSignOff(
  aws: AwsClients,
  environment: EnvironmentConfig,
  version: string | null,
  now: Date,
): Promise<SignOff | null> {
  if (!environment.protected) return null;
  assertCommandLineVersion(environment, version);
  const tag = version!; // a protected environment refused null just above
  const found = await new DeployStateStore(aws, environment).findSignOff(tag, now);
  switch (found.status) {
    case 'valid':
      return found.signOff;
    case 'expired':
      throw new RefusalError(
        `The sign-off of ${tag} for ${environment.name} by ${found.signOff.byName} expired at ${found.signOff.expiresAt.toISOString()}.`,
        askApprover(environment, tag),
      );
    case 'missing':
      throw new RefusalError(
        `${tag} has not been signed off for ${environment.name}.`,
        askApprover(environment, tag),
      );
  }
}

function askApprover(environment: EnvironmentConfig, tag: string): string {
  return `Ask an approver (${describeRoles(environment.permissions.approvers)}) to run /signoff ${environment.name} ${tag} in Slack, then run this again.`;
}
