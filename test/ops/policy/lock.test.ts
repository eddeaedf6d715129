/**
 * The lock rule (`ops/policy/lock.ts`): a deploy or rollback is refused early, with the holder, while
 * someone else holds the environment's lock; the caller's own lock does not stop them; a scale never
 * waits for the lock.
 */
import type { DeployLock } from '../../../ops/deploy/deploy-state';
import type { ChangeCaller } from '../../../ops/policy/change-facts';
import { lockRule } from '../../../ops/policy/lock';
import { actorFor, type ExpectedVerdict, expectVerdict, facts, lockHeldBy } from '../../support/change-facts';

const CALLERS: readonly ChangeCaller[] = ['slack', 'cli', 'ci'];

type Expected = Omit<ExpectedVerdict, 'rule'>;

interface Situation {
  readonly situation: string;
  /** The lock as read for a caller (its own lock is held under its own id). */
  readonly lock: (caller: ChangeCaller) => DeployLock | null;
  readonly expected: Expected;
}

const heldByOther: Expected = {
  outcome: 'refuse',
  reason: 'prod is locked by sam (U0SAM00001) since 2026-11-30T08:30:00.000Z: deploy v1.5.1.',
  hint: 'The lock expires 2026-11-30T09:30:00.000Z; wait for it, or ask them to release it with /unlock prod.',
  audit: null,
};

const SITUATIONS: readonly Situation[] = [
  {
    situation: 'the lock held by someone else (Slack)',
    lock: () => lockHeldBy('U0SAM00001'),
    expected: heldByOther,
  },
  {
    situation: 'the lock held by a CI job',
    lock: () => lockHeldBy('ci:example-org/wheelhouse#4700', { ownerName: 'github-actions' }),
    expected: {
      ...heldByOther,
      reason:
        'prod is locked by github-actions (ci:example-org/wheelhouse#4700) since 2026-11-30T08:30:00.000Z',
    },
  },
  {
    // Its expiresAt is past by the reader's clock, but it is held until released or taken over
    // (ops/deploy/deploy-state.ts): waiting does not free it, an admin's --force does.
    situation: 'a stale lock held by someone else',
    lock: () => lockHeldBy('U0SAM00001', { stale: true }),
    expected: {
      outcome: 'refuse',
      reason: 'prod is locked by sam (U0SAM00001) since 2026-11-30T08:30:00.000Z: deploy v1.5.1.',
      hint: 'an prod admin can release it now with /unlock prod --force.',
      audit: null,
    },
  },
  {
    situation: 'the lock held by the caller',
    lock: (caller) => lockHeldBy(actorFor(caller).id),
    expected: { outcome: 'allow', reason: 'the lock is the caller’s own', hint: null, audit: null },
  },
  {
    situation: 'no lock',
    lock: () => null,
    expected: { outcome: 'allow', reason: 'prod is not locked', hint: null, audit: null },
  },
];

const SCALE: Expected = {
  outcome: 'allow',
  reason: 'a scale does not take the deploy lock',
  hint: null,
  audit: null,
};

const ROWS = (['deploy', 'rollback', 'scale'] as const).flatMap((action) =>
  CALLERS.flatMap((caller) =>
    SITUATIONS.map((s) => {
      const expected = action === 'scale' ? SCALE : s.expected;
      return { ...s, action, caller, expected, outcome: expected.outcome };
    }),
  ),
);

describe('lock rule', () => {
  it.each(ROWS)('$outcome: a $action of prod from $caller with $situation', (row) => {
    // WHEN
    const verdict = lockRule(facts({ action: row.action, caller: row.caller, lock: row.lock(row.caller) }));

    // THEN
    expectVerdict(verdict, { rule: 'lock', ...row.expected });
  });
});
