/**
 * The approval rule (`ops/policy/approval.ts`): in a protected environment, a deploy or rollback asked
 * for in Slack, and a scale above `service.limits.approvalAboveTasks` or below `service.tasks.min`
 * from anywhere, needs a second person's approval in Slack (prod in wheelhouse.yml: tasks.min 3,
 * approvalAboveTasks 12). The command line cannot ask for one: a deploy there needs a sign-off instead,
 * and a scale stays `needs-approval`, with a hint to ask in Slack.
 */

import { approvalRule } from '../../../ops/policy/approval';
import type { ApprovalState, ChangeAction, ChangeCaller } from '../../../ops/policy/change-facts';
import type { ScaleTarget } from '../../../ops/scale';
import { type ExpectedVerdict, expectVerdict, facts } from '../../support/change-facts';

const CALLERS: readonly ChangeCaller[] = ['slack', 'cli', 'ci'];
const APPROVED: ApprovalState = { status: 'approved', by: 'U0PLATFORM2' };
const NONE: ApprovalState = { status: 'none' };

type Expected = Omit<ExpectedVerdict, 'rule'>;
const allow = (reason: string): Expected => ({ outcome: 'allow', reason, hint: null, audit: null });

interface Situation {
  readonly situation: string;
  readonly environment: 'prod' | 'stage';
  readonly approval: ApprovalState;
  /** A scale's target (given with --to-zero, so that 0 reaches this rule); none for a deploy or rollback. */
  readonly target?: ScaleTarget;
  readonly expected: (action: ChangeAction, caller: ChangeCaller) => Expected;
}

/** A deploy or rollback of prod without an approval: Slack needs one, the command line a sign-off instead. */
const protectedVersion = (action: ChangeAction, caller: ChangeCaller): Expected =>
  caller === 'slack'
    ? {
        outcome: 'needs-approval',
        reason: `prod is protected: a ${action} needs an approval.`,
        hint: 'An approver (platform) other than you must approve it.',
        audit: null,
      }
    : allow('the command line needs a sign-off instead');

const VERSION_SITUATIONS: readonly Situation[] = [
  { situation: 'no approval', environment: 'prod', approval: NONE, expected: protectedVersion },
  {
    situation: 'an approval',
    environment: 'prod',
    approval: APPROVED,
    expected: (_action, caller) =>
      caller === 'slack'
        ? allow('approved by U0PLATFORM2')
        : allow('the command line needs a sign-off instead'),
  },
  {
    situation: 'no approval',
    environment: 'stage',
    approval: NONE,
    expected: () => allow('stage is not protected'),
  },
];

/** A scale of prod that needs an approval because it is `why`: from Slack an approver approves it, the command line is sent to Slack. */
const needsScaleApproval =
  (why: string) =>
  (_action: ChangeAction, caller: ChangeCaller): Expected => ({
    outcome: 'needs-approval',
    reason: `A scale of prod ${why} tasks needs an approval.`,
    hint:
      caller === 'slack'
        ? 'An approver (platform) other than you must approve it.'
        : 'The command line cannot ask for one: run /scale in Slack, where an approver (platform) approves it.',
    audit: null,
  });
const withinBounds = () => allow('within the bounds that need no approval');

const SCALE_SITUATIONS: readonly Situation[] = [
  {
    situation: 'a count above approvalAboveTasks (13 > 12)',
    environment: 'prod',
    target: { kind: 'count', count: 13 },
    approval: NONE,
    expected: needsScaleApproval('above 12'),
  },
  {
    situation: 'bounds whose maximum is above approvalAboveTasks (3-13)',
    environment: 'prod',
    target: { kind: 'bounds', min: 3, max: 13 },
    approval: NONE,
    expected: needsScaleApproval('above 12'),
  },
  {
    situation: 'a count below tasks.min (2 < 3)',
    environment: 'prod',
    target: { kind: 'count', count: 2 },
    approval: NONE,
    expected: needsScaleApproval('below the minimum of 3'),
  },
  {
    situation: 'bounds whose minimum is below tasks.min (2-10)',
    environment: 'prod',
    target: { kind: 'bounds', min: 2, max: 10 },
    approval: NONE,
    expected: needsScaleApproval('below the minimum of 3'),
  },
  {
    situation: 'a count of 0 with --to-zero (below tasks.min)',
    environment: 'prod',
    target: { kind: 'count', count: 0 },
    approval: NONE,
    expected: needsScaleApproval('below the minimum of 3'),
  },
  {
    situation: 'a count of exactly approvalAboveTasks (12)',
    environment: 'prod',
    target: { kind: 'count', count: 12 },
    approval: NONE,
    expected: withinBounds,
  },
  {
    situation: 'a count of exactly tasks.min (3)',
    environment: 'prod',
    target: { kind: 'count', count: 3 },
    approval: NONE,
    expected: withinBounds,
  },
  {
    situation: 'bounds within them (3-12)',
    environment: 'prod',
    target: { kind: 'bounds', min: 3, max: 12 },
    approval: NONE,
    expected: withinBounds,
  },
  {
    // Only Slack can carry an approval; the command line's rows show the rule does not care who asks.
    situation: 'an approval of a count above approvalAboveTasks',
    environment: 'prod',
    target: { kind: 'count', count: 13 },
    approval: APPROVED,
    expected: () => allow('approved by U0PLATFORM2 (above 12)'),
  },
  {
    situation: 'an approval of bounds below tasks.min (1-6)',
    environment: 'prod',
    target: { kind: 'bounds', min: 1, max: 6 },
    approval: APPROVED,
    expected: () => allow('approved by U0PLATFORM2 (below the minimum of 3)'),
  },
  {
    situation: 'a count above approvalAboveTasks in an unprotected environment (10 > 6)',
    environment: 'stage',
    target: { kind: 'count', count: 10 },
    approval: NONE,
    expected: withinBounds,
  },
  {
    situation: 'a count of 0 with --to-zero in an unprotected environment',
    environment: 'stage',
    target: { kind: 'count', count: 0 },
    approval: NONE,
    expected: withinBounds,
  },
];

const ROWS = (['deploy', 'rollback', 'scale'] as const).flatMap((action) =>
  CALLERS.flatMap((caller) =>
    (action === 'scale' ? SCALE_SITUATIONS : VERSION_SITUATIONS).map((s) => {
      const expected = s.expected(action, caller);
      return {
        ...s,
        action,
        caller,
        expected,
        outcome: expected.outcome,
      };
    }),
  ),
);

describe('approval rule', () => {
  it.each(ROWS)('$outcome: a $action of $environment from $caller with $situation', (row) => {
    // WHEN
    const verdict = approvalRule(
      facts({
        action: row.action,
        caller: row.caller,
        environment: row.environment,
        approval: row.approval,
        ...(row.target ? { target: row.target, toZero: true } : {}),
      }),
    );

    // THEN
    expectVerdict(verdict, { rule: 'approval', ...row.expected });
  });
});
