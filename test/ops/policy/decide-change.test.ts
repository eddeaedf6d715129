/**
 * The combined decision (`ops/policy/decide-change.ts`): every rule runs, in POLICY_RULES order; the
 * first refusal wins even when a later rule refuses too; otherwise what is needed (an approval, a
 * sign-off) is collected; audit notes are carried on an allow and on a need. And the decision taken
 * again when an approval is given, with the time of the click: what was true at the request (no
 * freeze window, no lock) is checked again.
 */
import { decideChange } from '../../../ops/policy/decide-change';
import { blockingVerdict, policyRefusal } from '../../../ops/policy/policy-refusal';
import { POLICY_RULES } from '../../../ops/policy/policy-verdict';
import { UserError } from '../../../ops/user-error';
import {
  actorFor,
  type FactsOverrides,
  FRIDAY_WINDOW,
  facts,
  lockHeldBy,
  signOffOf,
  TIMES,
} from '../../support/change-facts';

const MISSING_IMAGE = { found: false, repository: 'wheelhouse/service', closest: ['v1.5.1'] } as const;
const OTHERS_LOCK = lockHeldBy('U0SAM00001');

describe('decideChange: the first refusal in rule order wins', () => {
  it.each([
    {
      name: 'a scale of prod to 0 without --to-zero, which would also need an approval (below tasks.min)',
      overrides: { action: 'scale', target: { kind: 'count', count: 0 } },
      refusedBy: 'scale-to-zero',
      alsoRefusing: [],
      alsoNeeding: ['approval'],
    },
    {
      name: 'a missing image, inside a freeze window, with the lock held by someone else',
      overrides: { image: MISSING_IMAGE, now: TIMES.fridayAfternoon, lock: OTHERS_LOCK },
      refusedBy: 'image-exists',
      alsoRefusing: ['freeze-window', 'lock'],
      alsoNeeding: ['approval'],
    },
    {
      name: 'a deploy inside a freeze window with the lock held by someone else',
      overrides: { now: TIMES.fridayAfternoon, lock: OTHERS_LOCK },
      refusedBy: 'freeze-window',
      alsoRefusing: ['lock'],
      alsoNeeding: ['approval'],
    },
    {
      name: 'a CI deploy of no release tag with the lock held by someone else',
      overrides: { caller: 'ci', version: 'main-3f2a1b9', lock: OTHERS_LOCK },
      refusedBy: 'lock',
      alsoRefusing: ['sign-off'],
      alsoNeeding: [],
    },
    {
      name: 'a CI deploy of the infrastructure only to prod, inside a freeze window',
      overrides: { caller: 'ci', version: null, image: null, now: TIMES.saturdayNoon },
      refusedBy: 'freeze-window',
      alsoRefusing: ['sign-off'],
      alsoNeeding: [],
    },
  ] satisfies readonly {
    name: string;
    overrides: FactsOverrides;
    refusedBy: string;
    alsoRefusing: string[];
    alsoNeeding: string[];
  }[])('refuses by $refusedBy: $name', ({ overrides, refusedBy, alsoRefusing, alsoNeeding }) => {
    // WHEN
    const decision = decideChange(facts(overrides));

    // THEN the caller reads the first refusal, and every rule's verdict is kept, in order
    expect(decision.outcome).toBe('refuse');
    if (decision.outcome !== 'refuse') return;
    expect(decision.refusal.rule).toBe(refusedBy);
    expect(decision.verdicts.map((v) => v.rule)).toEqual([...POLICY_RULES]);
    const refusing = decision.verdicts.filter((v) => v.outcome === 'refuse').map((v) => v.rule);
    expect(refusing).toEqual([refusedBy, ...alsoRefusing]);
    const needing = decision.verdicts.filter((v) => v.outcome.startsWith('needs-')).map((v) => v.rule);
    expect(needing).toEqual(alsoNeeding);
    expect(blockingVerdict(decision)).toBe(decision.refusal);
  });
});

describe('decideChange: needs and audit notes', () => {
  it.each([
    {
      name: 'a Slack deploy of prod needs an approval, nothing audited',
      overrides: {},
      needs: ['approval'],
      audit: [],
    },
    {
      name: 'a CI deploy of prod without a sign-off needs one, and no approval (the sign-off stands in for it)',
      overrides: { caller: 'ci' },
      needs: ['sign-off'],
      audit: [],
    },
    {
      name: 'a command-line deploy of prod with an expired sign-off needs a new one',
      overrides: { caller: 'cli', signOff: signOffOf('v1.5.0', 'expired') },
      needs: ['sign-off'],
      audit: [],
    },
    {
      name: 'a Slack rollback of prod inside a freeze window needs an approval and carries the audit note',
      overrides: { action: 'rollback', now: TIMES.fridayAfternoon },
      needs: ['approval'],
      audit: [`Rolling back inside the freeze window (${FRIDAY_WINDOW}).`],
    },
    {
      name: 'a command-line rollback of prod inside a freeze window needs a sign-off and carries the audit note',
      overrides: { action: 'rollback', caller: 'cli', now: TIMES.saturdayNoon },
      needs: ['sign-off'],
      audit: ['Rolling back inside the freeze window (no prod deploys at the weekend, 00:00–24:00).'],
    },
    {
      name: 'a Slack scale of prod to 0 with --to-zero needs an approval (below tasks.min) and carries the audit note',
      overrides: { action: 'scale', target: { kind: 'count', count: 0 }, toZero: true },
      needs: ['approval'],
      audit: ['Scaling to zero tasks (--to-zero).'],
    },
    {
      name: 'a CI scale of prod above approvalAboveTasks needs an approval it cannot ask for',
      overrides: { action: 'scale', caller: 'ci', target: { kind: 'count', count: 20 } },
      needs: ['approval'],
      audit: [],
    },
  ] satisfies readonly { name: string; overrides: FactsOverrides; needs: string[]; audit: string[] }[])(
    '$name',
    ({ overrides, needs, audit }) => {
      // WHEN
      const decision = decideChange(facts(overrides));

      // THEN
      expect(decision.outcome).toBe('needs');
      if (decision.outcome !== 'needs') return;
      expect(decision.needs.map((v) => v.rule)).toEqual(needs);
      expect(decision.audit).toEqual(audit);
      expect(blockingVerdict(decision)).toBe(decision.needs[0]);
    },
  );

  it('never needs an approval and a sign-off at once: the sign-off stands in for the approval from the command line', () => {
    // GIVEN every caller, action and protected-environment situation that needs something
    const all = (['slack', 'cli', 'ci'] as const).flatMap((caller) =>
      (['deploy', 'rollback', 'scale'] as const).map((action) =>
        decideChange(facts({ caller, action, target: { kind: 'count', count: 20 } })),
      ),
    );

    // THEN each needs exactly one thing
    expect(all.map((d) => d.outcome)).toEqual(Array(9).fill('needs'));
    for (const d of all) if (d.outcome === 'needs') expect(d.needs).toHaveLength(1);
  });

  it.each([
    {
      name: 'a CI deploy of prod inside a freeze window with an override and a valid sign-off: allowed, the override audited',
      overrides: {
        caller: 'ci',
        now: TIMES.fridayAfternoon,
        freezeOverride: 'security fix CVE-2026-0001',
        signOff: signOffOf('v1.5.0', 'valid'),
      },
      audit: [
        'Overriding the freeze window (no prod deploys on Friday afternoon): security fix CVE-2026-0001',
      ],
    },
    {
      name: 'an approved Slack rollback of prod at the weekend: allowed, audited',
      overrides: {
        action: 'rollback',
        now: TIMES.saturdayNoon,
        approval: { status: 'approved', by: 'U0PLATFORM2' },
      },
      audit: ['Rolling back inside the freeze window (no prod deploys at the weekend, 00:00–24:00).'],
    },
    {
      name: 'a scale of dev to 0-0 with --to-zero from the command line: allowed, audited',
      overrides: {
        action: 'scale',
        caller: 'cli',
        environment: 'dev',
        target: { kind: 'bounds', min: 0, max: 0 },
        toZero: true,
      },
      audit: ['Scaling to zero tasks (--to-zero).'],
    },
    {
      name: 'a Slack deploy of stage on a Monday: allowed, nothing audited',
      overrides: { environment: 'stage' },
      audit: [],
    },
  ] satisfies readonly { name: string; overrides: FactsOverrides; audit: string[] }[])(
    '$name',
    ({ overrides, audit }) => {
      const decision = decideChange(facts(overrides));
      expect(decision).toMatchObject({ outcome: 'allow', audit });
      expect(decision.verdicts.every((v) => v.outcome === 'allow')).toBe(true);
      expect(blockingVerdict(decision)).toBeNull();
    },
  );

  it('turns a refusal into a UserError with its reason and hint, audited as rejected (a freeze is no permission)', () => {
    const decision = decideChange(facts({ caller: 'ci', now: TIMES.fridayAfternoon }));
    const verdict = blockingVerdict(decision);
    if (verdict === null) throw new Error('expected a blocking verdict');
    const error = policyRefusal(verdict);
    expect(error).toBeInstanceOf(UserError);
    expect(error.outcome).toBe('rejected');
    expect(error.message).toBe(`prod is in a deploy freeze (${FRIDAY_WINDOW}).`);
    expect(error.hint).toBe(
      'Give a reason to override it: --override-freeze "<reason>" (kept in the history and the audit).',
    );
  });
});

describe('decideChange again at approval, with the time of the click', () => {
  const approved = { status: 'approved', by: 'U0PLATFORM2' } as const;

  it('refuses a deploy asked for before a freeze window opened and approved inside it', () => {
    // GIVEN a Slack deploy of prod asked for at 14:30 on Friday in Berlin: it needs an approval
    const asked = decideChange(facts({ now: TIMES.fridayBeforeFreeze }));
    expect(asked).toMatchObject({ outcome: 'needs', needs: [{ rule: 'approval' }] });

    // WHEN an approver clicks at 16:00, inside the Friday window
    const atApproval = decideChange(facts({ now: TIMES.fridayAfternoon, approval: approved }));

    // THEN the freeze window refuses it now
    expect(atApproval).toMatchObject({
      outcome: 'refuse',
      refusal: { rule: 'freeze-window', reason: `prod is in a deploy freeze (${FRIDAY_WINDOW}).` },
    });
  });

  it('allows it at approval inside the window when an admin asked with an override reason, and audits the override', () => {
    // GIVEN an admin asked at 14:30 with an override reason (no window yet: nothing to override)
    const request = {
      actor: actorFor('slack', true),
      freezeOverride: 'release promised to a customer today',
    };
    const asked = decideChange(facts({ ...request, now: TIMES.fridayBeforeFreeze }));
    expect(asked).toMatchObject({ outcome: 'needs', audit: [] });

    // WHEN approved at 16:00
    const atApproval = decideChange(facts({ ...request, now: TIMES.fridayAfternoon, approval: approved }));

    // THEN
    expect(atApproval).toMatchObject({
      outcome: 'allow',
      audit: [
        'Overriding the freeze window (no prod deploys on Friday afternoon): release promised to a customer today',
      ],
    });
  });

  it('refuses at approval the override of a non-admin, which nothing checked while no window was open', () => {
    const request = { freezeOverride: 'I am sure' };
    expect(decideChange(facts({ ...request, now: TIMES.fridayBeforeFreeze }))).toMatchObject({
      outcome: 'needs',
    });
    expect(decideChange(facts({ ...request, now: TIMES.fridayAfternoon, approval: approved }))).toMatchObject(
      {
        outcome: 'refuse',
        refusal: {
          rule: 'freeze-window',
          reason: 'Only prod admins may override the deploy freeze (no prod deploys on Friday afternoon).',
        },
      },
    );
  });

  it('refuses at approval a deploy whose environment someone else locked in the meantime', () => {
    // GIVEN asked on Monday morning with no lock
    expect(decideChange(facts({ lock: null }))).toMatchObject({ outcome: 'needs' });

    // WHEN approved after someone else took the lock
    const atApproval = decideChange(facts({ lock: OTHERS_LOCK, approval: approved }));

    // THEN
    expect(atApproval).toMatchObject({
      outcome: 'refuse',
      refusal: { rule: 'lock', reason: expect.stringContaining('prod is locked by sam (U0SAM00001)') },
    });
  });

  it('still allows a rollback approved inside a freeze window, with the audit note', () => {
    const atApproval = decideChange(
      facts({ action: 'rollback', now: TIMES.fridayAfternoon, approval: approved }),
    );
    expect(atApproval).toMatchObject({
      outcome: 'allow',
      audit: [`Rolling back inside the freeze window (${FRIDAY_WINDOW}).`],
    });
  });
});
