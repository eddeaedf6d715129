/**
 * The approval rule (`ops/policy/approval.ts`): in a protected environment, a deploy or rollback asked
 * for in Slack, and a scale above `service.limits.approvalAboveTasks` or below `service.tasks.min`
 * from anywhere, needs a second person's approval in Slack (prod in wheelhouse.yml: tasks.min 3,
 * approvalAboveTasks 12). The command line cannot ask for one: a deploy there needs a sign-off instead,
 * and a scale stays `needs-approval`, with a hint to ask in Slack.
 */

import { approvalRule } from '../../../ops/policy/approval';
import type { ApprovalState, ChangeCaller } from '../../../ops/policy/change-facts';
import type { ScaleTarget } from '../../../ops/scale';
import { type ExpectedVerdict, expectVerdict, facts } from '../../support/change-facts';

const CALLERS: readonly ChangeCaller[] = ['slack', 'cli', 'ci'];
const APPROVED: ApprovalState = { status: 'approved', by: 'U0PLATFORM2' };
const NONE: ApprovalState = { status: 'none' };

type Expected = Omit<ExpectedVerdict, 'rule'>;
const allow = (reason: string): Expected => ({ outcome: 'allow', reason, hint: null, audit: null });

/** The hint of a scale that needs an approval: Slack asks an approver, the command line is sent to Slack. */
const scaleHint = (caller: ChangeCaller) =>
  caller === 'slack'
    ? 'An approver (platform) other than you must approve it.'
    : 'The command line cannot ask for one: run /scale in Slack, where an approver (platform) approves it.';

describe('approval rule: deploy and rollback', () => {
  const situations = [
    { environment: 'prod', approval: NONE },
    { environment: 'prod', approval: APPROVED },
    { environment: 'stage', approval: NONE },
  ] as const;

  function expected(
    action: 'deploy' | 'rollback',
    caller: ChangeCaller,
    environment: 'prod' | 'stage',
    approval: ApprovalState,
  ): Expected {
    if (environment === 'stage') return allow('stage is not protected');
    if (caller !== 'slack') return allow('the command line needs a sign-off instead');
    if (approval.status === 'approved') return allow('approved by U0PLATFORM2');
    return {
      outcome: 'needs-approval',
      reason: `prod is protected: a ${action} needs an approval.`,
      hint: 'An approver (platform) other than you must approve it.',
      audit: null,
    };
  }

  const rows = (['deploy', 'rollback'] as const).flatMap((action) =>
    CALLERS.flatMap((caller) =>
      situations.map((s) => {
        const e = expected(action, caller, s.environment, s.approval);
        return { ...s, action, caller, approved: s.approval.status, expected: e, outcome: e.outcome };
      }),
    ),
  );

  it.each(rows)('$outcome: a $action of $environment from $caller, approval $approved', (row) => {
    // WHEN
    const verdict = approvalRule(
      facts({ action: row.action, caller: row.caller, environment: row.environment, approval: row.approval }),
    );

    // THEN
    expectVerdict(verdict, { rule: 'approval', ...row.expected });
  });
});

describe('approval rule: scale', () => {
  interface Situation {
    readonly situation: string;
    readonly environment: 'prod' | 'stage';
    readonly target: ScaleTarget;
    readonly approval: ApprovalState;
    /** Why it needs an approval (the reason's words), or null when it needs none. */
    readonly why: string | null;
  }

  const situations: readonly Situation[] = [
    {
      situation: 'a count above approvalAboveTasks (13 > 12)',
      environment: 'prod',
      target: { kind: 'count', count: 13 },
      approval: NONE,
      why: 'above 12',
    },
    {
      situation: 'bounds whose maximum is above approvalAboveTasks (3-13)',
      environment: 'prod',
      target: { kind: 'bounds', min: 3, max: 13 },
      approval: NONE,
      why: 'above 12',
    },
    {
      situation: 'a count below tasks.min (2 < 3)',
      environment: 'prod',
      target: { kind: 'count', count: 2 },
      approval: NONE,
      why: 'below the minimum of 3',
    },
    {
      situation: 'bounds whose minimum is below tasks.min (2-10)',
      environment: 'prod',
      target: { kind: 'bounds', min: 2, max: 10 },
      approval: NONE,
      why: 'below the minimum of 3',
    },
    {
      situation: 'a count of 0 (below tasks.min, whatever --to-zero says)',
      environment: 'prod',
      target: { kind: 'count', count: 0 },
      approval: NONE,
      why: 'below the minimum of 3',
    },
    {
      situation: 'a count of exactly approvalAboveTasks (12)',
      environment: 'prod',
      target: { kind: 'count', count: 12 },
      approval: NONE,
      why: null,
    },
    {
      situation: 'a count of exactly tasks.min (3)',
      environment: 'prod',
      target: { kind: 'count', count: 3 },
      approval: NONE,
      why: null,
    },
    {
      situation: 'bounds within them (3-12)',
      environment: 'prod',
      target: { kind: 'bounds', min: 3, max: 12 },
      approval: NONE,
      why: null,
    },
    {
      situation: 'a count above approvalAboveTasks in an unprotected environment',
      environment: 'stage',
      target: { kind: 'count', count: 10 },
      approval: NONE,
      why: null,
    },
    {
      situation: 'a count of 0 in an unprotected environment',
      environment: 'stage',
      target: { kind: 'count', count: 0 },
      approval: NONE,
      why: null,
    },
  ];

  function expected(caller: ChangeCaller, s: Situation): Expected {
    if (s.why === null) return allow('within the bounds that need no approval');
    return {
      outcome: 'needs-approval',
      reason: `A scale of prod ${s.why} tasks needs an approval.`,
      hint: scaleHint(caller),
      audit: null,
    };
  }

  const rows = CALLERS.flatMap((caller) =>
    situations.map((s) => {
      const e = expected(caller, s);
      return { ...s, caller, expected: e, outcome: e.outcome };
    }),
  );

  it.each(rows)('$outcome: a scale of $environment from $caller with $situation', (row) => {
    // WHEN
    const verdict = approvalRule(
      facts({
        action: 'scale',
        caller: row.caller,
        environment: row.environment,
        target: row.target,
        toZero: true,
        approval: row.approval,
      }),
    );

    // THEN
    expectVerdict(verdict, { rule: 'approval', ...row.expected });
  });

  it.each([
    { target: { kind: 'count', count: 13 } as const, why: 'above 12' },
    { target: { kind: 'bounds', min: 1, max: 6 } as const, why: 'below the minimum of 3' },
  ])(
    'lets an approved scale of prod $why through, naming the approver and why it needed one',
    ({ target, why }) => {
      expectVerdict(approvalRule(facts({ action: 'scale', target, approval: APPROVED })), {
        rule: 'approval',
        outcome: 'allow',
        reason: `approved by U0PLATFORM2 (${why})`,
        hint: null,
        audit: null,
      });
    },
  );
});
