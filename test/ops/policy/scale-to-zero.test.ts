/**
 * The scale-to-zero rule (`ops/policy/scale-to-zero.ts`): a scale that may leave no task running
 * needs `--to-zero`, from every caller and in every environment; the hint names the caller's own way
 * of saying it.
 */
import type { ChangeAction, ChangeCaller } from '../../../ops/policy/change-facts';
import { scaleToZero } from '../../../ops/policy/scale-to-zero';
import type { ScaleTarget } from '../../../ops/scale';
import { type ExpectedVerdict, expectVerdict, facts } from '../../support/change-facts';

const CALLERS: readonly ChangeCaller[] = ['slack', 'cli', 'ci'];

interface Situation {
  readonly situation: string;
  readonly environment: 'prod' | 'dev';
  readonly target: ScaleTarget;
  readonly toZero: boolean;
  /** The verdict; `hint` may depend on the caller. */
  readonly expected: (caller: ChangeCaller) => Omit<ExpectedVerdict, 'rule'>;
}

/** The command a refusal tells the caller to use: Slack's whole command, the command line's flag. */
const sayIt = (caller: ChangeCaller, env: string, asked: string) =>
  caller === 'slack' ? `say so: /scale ${env} ${asked} --to-zero.` : 'say so: --to-zero.';

const refused = (env: string, asked: string) => (caller: ChangeCaller) => ({
  outcome: 'refuse' as const,
  reason: `${asked} lets ${env} run no task at all: the service would be down.`,
  hint: sayIt(caller, env, asked),
  audit: null,
});

const SITUATIONS: readonly Situation[] = [
  {
    situation: 'a count of 0 without --to-zero',
    environment: 'prod',
    target: { kind: 'count', count: 0 },
    toZero: false,
    expected: refused('prod', '0'),
  },
  {
    situation: 'a count of 0 without --to-zero in an unprotected environment',
    environment: 'dev',
    target: { kind: 'count', count: 0 },
    toZero: false,
    expected: refused('dev', '0'),
  },
  {
    situation: 'bounds 0-0 without --to-zero',
    environment: 'prod',
    target: { kind: 'bounds', min: 0, max: 0 },
    toZero: false,
    expected: refused('prod', '0-0'),
  },
  {
    situation: 'bounds 0-5 (autoscaling may reach 0) without --to-zero',
    environment: 'dev',
    target: { kind: 'bounds', min: 0, max: 5 },
    toZero: false,
    expected: refused('dev', '0-5'),
  },
  {
    situation: 'a count of 0 with --to-zero',
    environment: 'prod',
    target: { kind: 'count', count: 0 },
    toZero: true,
    expected: () => ({
      outcome: 'allow',
      reason: 'as said with --to-zero',
      hint: null,
      audit: 'Scaling to zero tasks (--to-zero).',
    }),
  },
  {
    situation: 'bounds 0-0 with --to-zero',
    environment: 'dev',
    target: { kind: 'bounds', min: 0, max: 0 },
    toZero: true,
    expected: () => ({
      outcome: 'allow',
      reason: 'as said with --to-zero',
      hint: null,
      audit: 'Scaling to zero tasks (--to-zero).',
    }),
  },
  {
    situation: 'bounds 0-5 with --to-zero',
    environment: 'prod',
    target: { kind: 'bounds', min: 0, max: 5 },
    toZero: true,
    expected: () => ({
      outcome: 'allow',
      reason: 'as said with --to-zero',
      hint: null,
      audit: 'Scaling to zero tasks (--to-zero).',
    }),
  },
  {
    situation: 'bounds 1-5 without --to-zero',
    environment: 'prod',
    target: { kind: 'bounds', min: 1, max: 5 },
    toZero: false,
    expected: () => ({
      outcome: 'allow',
      reason: 'the service keeps at least one task',
      hint: null,
      audit: null,
    }),
  },
  {
    // The words are not needed, and nothing is audited as scaling to zero: it does not.
    situation: 'bounds 1-5 with --to-zero',
    environment: 'dev',
    target: { kind: 'bounds', min: 1, max: 5 },
    toZero: true,
    expected: () => ({
      outcome: 'allow',
      reason: 'the service keeps at least one task',
      hint: null,
      audit: null,
    }),
  },
  {
    situation: 'a count of 1',
    environment: 'dev',
    target: { kind: 'count', count: 1 },
    toZero: false,
    expected: () => ({
      outcome: 'allow',
      reason: 'the service keeps at least one task',
      hint: null,
      audit: null,
    }),
  },
];

/** A deploy or a rollback: the rule does not apply (`facts` gives it no scale). */
const NOT_A_SCALE: Situation = {
  situation: 'a version, not a scale',
  environment: 'prod',
  target: { kind: 'count', count: 0 },
  toZero: false,
  expected: () => ({ outcome: 'allow', reason: 'not a scale', hint: null, audit: null }),
};

const ACTIONS: readonly ChangeAction[] = ['deploy', 'rollback', 'scale'];

const ROWS = ACTIONS.flatMap((action) =>
  CALLERS.flatMap((caller) =>
    (action === 'scale' ? SITUATIONS : [NOT_A_SCALE]).map((s) => ({
      ...s,
      action,
      caller,
      outcome: s.expected(caller).outcome,
    })),
  ),
);

describe('scale-to-zero rule', () => {
  it.each(ROWS)('$outcome: a $action of $environment from $caller with $situation', (row) => {
    // WHEN
    const verdict = scaleToZero(
      facts({
        action: row.action,
        caller: row.caller,
        environment: row.environment,
        target: row.target,
        toZero: row.toZero,
      }),
    );

    // THEN
    expectVerdict(verdict, { rule: 'scale-to-zero', ...row.expected(row.caller) });
  });
});
