/**
 * Rule: the command line (a terminal or CI) deploys to a protected environment only a release tag
 * that an approver signed off in Slack (`/signoff <env> <version>`, valid `deploy.signOffExpiryDays`).
 * The command line has no Slack identity that an approver could check, so it cannot ask for an
 * approval; the sign-off, given ahead of time, stands in for it (see `ops/deploy/sign-off.ts`).
 * It may not deploy the infrastructure alone there (no version): no one signed that off.
 *
 * A rollback from the command line is a deploy of an older version, so it needs that version's
 * sign-off too. Slack asks for an approval instead (the approval rule), and a scale is not a version,
 * so neither needs a sign-off.
 */

import { isReleaseTag } from '../deploy/sign-off';
import { describeRoles } from '../describe-roles';
import type { ChangeFacts } from './change-facts';
import { allow, type PolicyVerdict, verdict } from './policy-verdict';

/** The verdict of the sign-off rule. */
export function signOffRule(facts: ChangeFacts): PolicyVerdict {
  const { environment, version } = facts;
  if (facts.caller === 'slack') return allow('sign-off', 'Slack asks an approver instead');
  if (facts.action === 'scale') return allow('sign-off', 'a scale is not a version to sign off');
  if (!environment.protected) return allow('sign-off', `${environment.name} is not protected`);
  if (version === null) {
    return verdict(
      'sign-off',
      'refuse',
      `${environment.name} is protected: the command line deploys only a signed-off release there, and no --version was given.`,
      `Give --version <release tag> (the running one to change only the infrastructure). ${askApprover(facts, '<release tag>')}`,
    );
  }
  if (!isReleaseTag(environment, version)) {
    return verdict(
      'sign-off',
      'refuse',
      `${version} is not a release tag of ${environment.name} (deploy.releaseTagPattern ${environment.deploy.releaseTagPattern}): the command line deploys only signed-off releases there.`,
      `Tag a release that matches it, or deploy ${version} from Slack with /deploy ${environment.name} ${version}, which asks an approver.`,
    );
  }
  const found = facts.signOff ?? { status: 'missing' as const };
  switch (found.status) {
    case 'valid':
      return allow(
        'sign-off',
        `signed off by ${found.signOff.byName} (${found.signOff.by}) at ${found.signOff.signedAt.toISOString()}, valid until ${found.signOff.expiresAt.toISOString()}`,
      );
    case 'expired':
      return verdict(
        'sign-off',
        'needs-sign-off',
        `The sign-off of ${version} for ${environment.name} by ${found.signOff.byName} expired at ${found.signOff.expiresAt.toISOString()}.`,
        askApprover(facts, version),
      );
    case 'missing':
      return verdict(
        'sign-off',
        'needs-sign-off',
        `${version} has not been signed off for ${environment.name}.`,
        askApprover(facts, version),
      );
  }
}

function askApprover(facts: ChangeFacts, tag: string): string {
  const { environment } = facts;
  return `Ask an approver (${describeRoles(environment.permissions.approvers)}) to run /signoff ${environment.name} ${tag} in Slack, then run this again.`;
}
