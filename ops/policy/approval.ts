/**
 * Rule: what a second person must approve in Slack first (an approver other than the requester,
 * `permissions.approvers`, within `deploy.approvalExpiryMinutes`):
 * - a deploy or a rollback of a protected environment asked for in Slack;
 * - a scale of a protected environment above `service.limits.approvalAboveTasks`, or below
 *   `service.tasks.min` (the floor the configuration keeps it at: going under it, down to zero
 *   included, takes capacity away from production just as surely as a bad deploy).
 *
 * From the command line a deploy or rollback needs no approval: it cannot ask for one, and the
 * sign-off rule stands in for it. A scale that needs an approval has no sign-off to stand in, so
 * from the command line it stays `needs-approval`, which the command line refuses (ask in Slack).
 */
import { describeRoles } from '../describe-roles';
import type { ChangeFacts } from './change-facts';
import { allow, type PolicyVerdict, verdict } from './policy-verdict';

/** Why a scale of `facts` needs an approval, or null when it needs none. */
export function scaleApprovalReason(facts: ChangeFacts): string | null {
  const { environment, scale } = facts;
  if (!environment.protected || scale === null) return null;
  const { target } = scale;
  const highest = target.kind === 'count' ? target.count : target.max;
  const lowest = target.kind === 'count' ? target.count : target.min;
  const { approvalAboveTasks } = environment.service.limits;
  const { min } = environment.service.tasks;
  if (highest > approvalAboveTasks) return `above ${approvalAboveTasks}`;
  if (lowest < min) return `below the minimum of ${min}`;
  return null;
}

/** The verdict of the approval rule. */
export function approvalRule(facts: ChangeFacts): PolicyVerdict {
  const { environment, approval } = facts;
  const approvers = describeRoles(environment.permissions.approvers);
  if (facts.action === 'scale') {
    const why = scaleApprovalReason(facts);
    if (why === null) return allow('approval', 'within the bounds that need no approval');
    if (approval.status === 'approved') return allow('approval', `approved by ${approval.by} (${why})`);
    return verdict(
      'approval',
      'needs-approval',
      `A scale of ${environment.name} ${why} tasks needs an approval.`,
      facts.caller === 'slack'
        ? `An approver (${approvers}) other than you must approve it.`
        : `The command line cannot ask for one: run /scale in Slack, where an approver (${approvers}) approves it.`,
    );
  }
  if (!environment.protected) return allow('approval', `${environment.name} is not protected`);
  if (facts.caller !== 'slack') return allow('approval', 'the command line needs a sign-off instead');
  if (approval.status === 'approved') return allow('approval', `approved by ${approval.by}`);
  return verdict(
    'approval',
    'needs-approval',
    `${environment.name} is protected: a ${facts.action} needs an approval.`,
    `An approver (${approvers}) other than you must approve it.`,
  );
}
