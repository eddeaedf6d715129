/**
 * The freeze-window rule (`ops/policy/freeze-window.ts`), in the project's time zone (Europe/Berlin,
 * wheelhouse.yml's prod windows: Friday from 15:00, Saturday and Sunday all day): a deploy inside a
 * window needs an override with a reason (from Slack, an admin's), a rollback is let through with an
 * audit note, a scale is let through.
 */
import type { ChangeAction, ChangeCaller } from '../../../ops/policy/change-facts';
import { freezeWindow } from '../../../ops/policy/freeze-window';
import { type ExpectedVerdict, expectVerdict, FRIDAY_WINDOW, facts, TIMES } from '../../support/change-facts';

const OVERRIDE = 'hotfix for INC-42, payments down';

/** Who asks, and whether they give `--override-freeze "<reason>"`. */
interface Asker {
  readonly asker: string;
  readonly caller: ChangeCaller;
  readonly isAdmin: boolean;
  readonly freezeOverride: string | null;
}

const ASKERS: readonly Asker[] = [
  { asker: 'a Slack admin with an override', caller: 'slack', isAdmin: true, freezeOverride: OVERRIDE },
  { asker: 'a Slack non-admin with an override', caller: 'slack', isAdmin: false, freezeOverride: OVERRIDE },
  { asker: 'a Slack admin without an override', caller: 'slack', isAdmin: true, freezeOverride: null },
  { asker: 'a Slack non-admin without an override', caller: 'slack', isAdmin: false, freezeOverride: null },
  { asker: 'the command line with an override', caller: 'cli', isAdmin: false, freezeOverride: OVERRIDE },
  { asker: 'the command line without an override', caller: 'cli', isAdmin: false, freezeOverride: null },
  { asker: 'CI with an override', caller: 'ci', isAdmin: false, freezeOverride: OVERRIDE },
  { asker: 'CI without an override', caller: 'ci', isAdmin: false, freezeOverride: null },
];

const WHEN = [
  { when: 'outside every window (Monday 10:00)', now: TIMES.mondayMorning, inside: false },
  { when: 'inside the Friday window (16:00)', now: TIMES.fridayAfternoon, inside: true },
] as const;

type Expected = Omit<ExpectedVerdict, 'rule'>;

/** What the rule says of `action` by `asker`, inside the Friday window or not. */
function expected(action: ChangeAction, asker: Asker, inside: boolean): Expected {
  if (action === 'scale') {
    return { outcome: 'allow', reason: 'hold back deploys, not capacity', hint: null, audit: null };
  }
  if (!inside) return { outcome: 'allow', reason: 'no freeze window is open', hint: null, audit: null };
  if (action === 'rollback') {
    // Whoever asks, with an override or without: the way out of a bad deploy, audited.
    return {
      outcome: 'allow',
      reason: 'the way out of a bad deploy',
      hint: null,
      audit: `Rolling back inside the freeze window (${FRIDAY_WINDOW}).`,
    };
  }
  if (asker.freezeOverride === null) {
    return {
      outcome: 'refuse',
      reason: `prod is in a deploy freeze (${FRIDAY_WINDOW}).`,
      hint:
        asker.caller === 'slack'
          ? 'admin may override it with a reason: --override-freeze "<reason>".'
          : 'Give a reason to override it: --override-freeze "<reason>" (kept in the history and the audit).',
      audit: null,
    };
  }
  if (asker.caller === 'slack' && !asker.isAdmin) {
    return {
      outcome: 'refuse',
      reason: 'Only prod admins may override the deploy freeze (no prod deploys on Friday afternoon).',
      hint: 'Ask platform.',
      audit: null,
    };
  }
  return {
    outcome: 'allow',
    reason:
      asker.caller === 'slack' ? 'an admin overrides the freeze' : 'the command line overrides the freeze',
    hint: null,
    audit: `Overriding the freeze window (no prod deploys on Friday afternoon): ${OVERRIDE}`,
  };
}

const ROWS = (['deploy', 'rollback', 'scale'] as const).flatMap((action) =>
  WHEN.flatMap((w) =>
    ASKERS.map((asker) => {
      const e = expected(action, asker, w.inside);
      return { ...asker, ...w, action, expected: e, outcome: e.outcome };
    }),
  ),
);

describe('freeze-window rule (Europe/Berlin)', () => {
  it.each(ROWS)('$outcome: a $action of prod $when by $asker', (row) => {
    // WHEN
    const verdict = freezeWindow(
      facts({
        action: row.action,
        caller: row.caller,
        actor: { isAdmin: row.isAdmin },
        freezeOverride: row.freezeOverride,
        now: row.now,
      }),
    );

    // THEN
    expectVerdict(verdict, { rule: 'freeze-window', ...row.expected });
  });

  // The window is found in the project's time zone, not in UTC (the style of test/ops/deploy-rules.test.ts).
  it.each([
    {
      name: 'refuses a deploy at 00:30 on Saturday in Berlin, though it is still Friday in UTC',
      now: new Date('2026-12-04T23:30:00Z'),
      outcome: 'refuse',
      reason: 'prod is in a deploy freeze (no prod deploys at the weekend, 00:00–24:00).',
    },
    {
      name: 'refuses a deploy at 15:00 sharp on Friday in Berlin (14:00 UTC in winter)',
      now: new Date('2026-12-04T14:00:00Z'),
      outcome: 'refuse',
      reason: `prod is in a deploy freeze (${FRIDAY_WINDOW}).`,
    },
    {
      name: 'allows a deploy at 14:59 on Friday in Berlin',
      now: new Date('2026-12-04T13:59:00Z'),
      outcome: 'allow',
      reason: 'no freeze window is open',
    },
    {
      name: 'refuses a deploy at 15:30 on a summer Friday in Berlin (13:30 UTC, CEST)',
      now: new Date('2026-07-03T13:30:00Z'),
      outcome: 'refuse',
      reason: `prod is in a deploy freeze (${FRIDAY_WINDOW}).`,
    },
    {
      name: 'allows a deploy at 14:30 on a winter Friday in Berlin (13:30 UTC, CET)',
      now: new Date('2026-12-04T13:30:00Z'),
      outcome: 'allow',
      reason: 'no freeze window is open',
    },
  ] as const)('$name', ({ now, outcome, reason }) => {
    const verdict = freezeWindow(facts({ caller: 'ci', now }));
    expect(verdict.outcome).toBe(outcome);
    expect(verdict.reason).toBe(reason);
  });

  // The parsers refuse a blank reason (bot/commands/deploy.ts, cli/commands/deploy.ts), but the rule is
  // the one place that says an override needs one: a blank reason would leave an empty audit line.
  it.each([
    { caller: 'slack', isAdmin: true, freezeOverride: '' },
    { caller: 'cli', isAdmin: false, freezeOverride: '   ' },
    { caller: 'ci', isAdmin: false, freezeOverride: '\n' },
  ] as const)(
    'refuses a deploy inside a freeze window from $caller with a blank override reason, as without one',
    (row) => {
      const verdict = freezeWindow(
        facts({
          caller: row.caller,
          actor: { isAdmin: row.isAdmin },
          freezeOverride: row.freezeOverride,
          now: TIMES.fridayAfternoon,
        }),
      );
      expect(verdict).toMatchObject({
        outcome: 'refuse',
        reason: `prod is in a deploy freeze (${FRIDAY_WINDOW}).`,
        hint: expect.stringContaining('--override-freeze "<reason>"'),
        audit: null,
      });
    },
  );

  it('allows a deploy of an environment without freeze windows on a Friday afternoon', () => {
    expectVerdict(freezeWindow(facts({ environment: 'stage', now: TIMES.fridayAfternoon })), {
      rule: 'freeze-window',
      outcome: 'allow',
      reason: 'no freeze window is open',
      hint: null,
      audit: null,
    });
  });
});
