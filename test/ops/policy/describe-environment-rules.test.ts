/**
 * The policy's sentences for plans shown without credentials (`ops/policy/describe-environment-rules.ts`),
 * and `nextOpening`, the next minute a freeze window is open, in the project's time zone. The "next:"
 * values are worked out by hand from wheelhouse.yml's prod windows (Friday from 15:00, Saturday and
 * Sunday all day, Europe/Berlin).
 */
import type { FreezeWindowConfig } from '../../../config';
import { describeEnvironmentRules, nextOpening } from '../../../ops/policy/describe-environment-rules';
import { exampleEnvironment, TIMES } from '../../support/change-facts';

const BERLIN = 'Europe/Berlin';
const prod = exampleEnvironment('prod');
const dev = exampleEnvironment('dev');

const SIGN_OFF_AND_APPROVAL =
  'prod needs a sign-off and an approval: from Slack, an approval by platform other than the requester; from the command line, a release tag (^v\\d+\\.\\d+\\.\\d+$) signed off with /signoff prod <version>.';
const friday = (when: string) =>
  `prod: freeze window "no prod deploys on Friday afternoon" applies (fri 15:00–24:00 Europe/Berlin; ${when}); rollbacks are allowed in it, and audited.`;
const weekend = (when: string) =>
  `prod: freeze window "no prod deploys at the weekend" applies (sat, sun 00:00–24:00 Europe/Berlin; ${when}); rollbacks are allowed in it, and audited.`;

describe('describeEnvironmentRules', () => {
  it.each([
    {
      name: 'names the sign-off, the approval and both freeze windows with their next openings on a Monday',
      // Monday 30 November 2026, 10:00 CET: the Friday window opens on 4 December at 15:00, the weekend on the 5th.
      now: TIMES.mondayMorning,
      lines: [SIGN_OFF_AND_APPROVAL, friday('next: 2026-12-04 15:00'), weekend('next: 2026-12-05 00:00')],
    },
    {
      name: 'says the Friday window is open now on Friday at 16:00, and when the weekend one opens',
      now: TIMES.fridayAfternoon,
      lines: [SIGN_OFF_AND_APPROVAL, friday('open now'), weekend('next: 2026-12-05 00:00')],
    },
    {
      name: 'says the weekend window is open now on Saturday, and that the Friday one opens a week later',
      now: TIMES.saturdayNoon,
      lines: [SIGN_OFF_AND_APPROVAL, friday('next: 2026-12-11 15:00'), weekend('open now')],
    },
    {
      // Thursday 2 July 2026, 14:00 CEST (summer time): the Friday window opens at 15:00 CEST, 13:00 UTC.
      name: 'reads summer time in the project time zone',
      now: new Date('2026-07-02T12:00:00Z'),
      lines: [SIGN_OFF_AND_APPROVAL, friday('next: 2026-07-03 15:00'), weekend('next: 2026-07-04 00:00')],
    },
  ])('prod deploy: $name', ({ now, lines }) => {
    expect(describeEnvironmentRules(prod, 'deploy', now, BERLIN)).toEqual(lines);
  });

  it('describes a rollback with the deploy’s sentences', () => {
    expect(describeEnvironmentRules(prod, 'rollback', TIMES.mondayMorning, BERLIN)).toEqual(
      describeEnvironmentRules(prod, 'deploy', TIMES.mondayMorning, BERLIN),
    );
  });

  it('names approvalAboveTasks, tasks.min, maxTasks and --to-zero for a scale of prod', () => {
    expect(describeEnvironmentRules(prod, 'scale', TIMES.mondayMorning, BERLIN)).toEqual([
      'prod: a scale above 12 tasks or below 3 needs an approval by platform.',
      'prod: never more than 24 tasks; 0 tasks only with --to-zero.',
    ]);
  });

  it.each(['deploy', 'rollback'] as const)(
    'says nothing of a %s of dev: nothing is protected or frozen there',
    (action) => {
      expect(describeEnvironmentRules(dev, action, TIMES.fridayAfternoon, BERLIN)).toEqual([]);
    },
  );

  it('says only the hard limit and --to-zero of a scale of dev: no approval there', () => {
    expect(describeEnvironmentRules(dev, 'scale', TIMES.mondayMorning, BERLIN)).toEqual([
      'dev: never more than 8 tasks; 0 tasks only with --to-zero.',
    ]);
  });
});

describe('nextOpening', () => {
  const window = (days: FreezeWindowConfig['days'], from: string, to: string): FreezeWindowConfig => ({
    days,
    from,
    to,
    reason: 'test window',
  });
  const prodWindows = prod.deploy.freezeWindows;

  it.each([
    {
      name: 'is now when now is inside a window',
      windows: prodWindows,
      now: TIMES.fridayAfternoon,
      next: '2026-12-04T15:00:00.000Z',
    },
    {
      name: 'is the first minute of the window on the minute it opens',
      windows: prodWindows,
      now: new Date('2026-12-04T14:00:00Z'),
      next: '2026-12-04T14:00:00.000Z',
    },
    {
      name: 'is the opening minute, not a later search step, from a time off the 15-minute grid',
      windows: prodWindows,
      now: new Date('2026-12-04T13:52:00Z'),
      next: '2026-12-04T14:00:00.000Z',
    },
    {
      // Last Sunday of March 2027 (the 28th): 02:00 CET becomes 03:00 CEST. Monday 09:00 is 07:00 UTC after it.
      name: 'is in summer time after the change in March (Monday 09:00 CEST is 07:00 UTC)',
      windows: [window(['mon'], '09:00', '10:00')],
      now: new Date('2027-03-26T11:00:00Z'),
      next: '2027-03-29T07:00:00.000Z',
    },
    {
      // Last Sunday of October 2027 (the 31st): 03:00 CEST becomes 02:00 CET. Monday 09:00 is 08:00 UTC after it.
      name: 'is in winter time after the change in October (Monday 09:00 CET is 08:00 UTC)',
      windows: [window(['mon'], '09:00', '10:00')],
      now: new Date('2027-10-29T10:00:00Z'),
      next: '2027-11-01T08:00:00.000Z',
    },
    {
      // 02:00–03:00 does not exist in Berlin on 28 March 2027: the window first opens a week later (02:00 CEST).
      name: 'skips a window in the hour the March change leaves out',
      windows: [window(['sun'], '02:00', '03:00')],
      now: new Date('2027-03-27T11:00:00Z'),
      next: '2027-04-04T00:00:00.000Z',
    },
    {
      // 02:00–03:00 happens twice in Berlin on 31 October 2027: the first one (CEST, 00:00 UTC) is the opening.
      name: 'is the first of the two 02:00s of the October change',
      windows: [window(['sun'], '02:00', '03:00')],
      now: new Date('2027-10-30T10:00:00Z'),
      next: '2027-10-31T00:00:00.000Z',
    },
    {
      name: 'is the Friday window across the weekend of the March change',
      windows: prodWindows,
      now: new Date('2027-03-29T07:00:00Z'),
      next: '2027-04-02T13:00:00.000Z',
    },
    {
      // Wednesday 2 December 2026, 10:05 CET. From 10:11 on Monday a 15-minute search step lands on
      // 09:56 and 10:11 on Wednesday, on either side of a 5-minute window.
      name: 'is the opening of a window shorter than the search step',
      windows: [window(['wed'], '10:05', '10:10')],
      now: new Date('2026-11-30T09:11:00Z'),
      next: '2026-12-02T09:05:00.000Z',
    },
    {
      name: 'is none without windows',
      windows: [],
      now: TIMES.mondayMorning,
      next: null,
    },
  ])('$name', ({ windows, now, next }) => {
    expect(nextOpening(windows, now, BERLIN)?.toISOString() ?? null).toBe(next);
  });
});
