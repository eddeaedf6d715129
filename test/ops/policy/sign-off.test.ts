/**
 * The sign-off rule (`ops/policy/sign-off.ts`): the command line (a terminal or CI) deploys or rolls
 * back a protected environment only to a release tag an approver signed off in Slack; Slack asks an
 * approver instead, an unprotected environment needs none, a scale is not a version.
 */
import type { SignOffLookup } from '../../../ops/deploy/deploy-state';
import type { ChangeAction, ChangeCaller } from '../../../ops/policy/change-facts';
import { signOffRule } from '../../../ops/policy/sign-off';
import { type ExpectedVerdict, expectVerdict, facts, signOffOf } from '../../support/change-facts';

const CALLERS: readonly ChangeCaller[] = ['slack', 'cli', 'ci'];
const ASK = 'Ask an approver (platform) to run /signoff prod';

type Expected = Omit<ExpectedVerdict, 'rule'>;

interface Situation {
  readonly situation: string;
  readonly version: string | null;
  readonly signOff: SignOffLookup | null;
  /** What the command line gets in prod (a protected environment). */
  readonly fromCommandLine: Expected;
}

const SITUATIONS: readonly Situation[] = [
  {
    situation: 'a valid sign-off',
    version: 'v1.5.0',
    signOff: signOffOf('v1.5.0', 'valid'),
    fromCommandLine: {
      outcome: 'allow',
      reason:
        'signed off by pat (U0PLATFORM1) at 2026-11-27T09:00:00.000Z, valid until 2026-12-04T09:00:00.000Z',
      hint: null,
      audit: null,
    },
  },
  {
    situation: 'an expired sign-off',
    version: 'v1.5.0',
    signOff: signOffOf('v1.5.0', 'expired'),
    fromCommandLine: {
      outcome: 'needs-sign-off',
      reason: 'The sign-off of v1.5.0 for prod by pat expired at 2026-11-23T09:00:00.000Z.',
      hint: `${ASK} v1.5.0 in Slack, then run this again.`,
      audit: null,
    },
  },
  {
    situation: 'no sign-off',
    version: 'v1.5.0',
    signOff: { status: 'missing' },
    fromCommandLine: {
      outcome: 'needs-sign-off',
      reason: 'v1.5.0 has not been signed off for prod.',
      hint: `${ASK} v1.5.0 in Slack, then run this again.`,
      audit: null,
    },
  },
  {
    // Not looked up counts as missing: never as signed off.
    situation: 'the sign-off not looked up',
    version: 'v1.5.0',
    signOff: null,
    fromCommandLine: {
      outcome: 'needs-sign-off',
      reason: 'v1.5.0 has not been signed off for prod.',
      hint: `${ASK} v1.5.0 in Slack`,
      audit: null,
    },
  },
  {
    // A sign-off of a tag that is no release (written before the pattern changed) does not count.
    situation: 'a version that is not a release tag, even signed off',
    version: 'main-3f2a1b9',
    signOff: signOffOf('main-3f2a1b9', 'valid'),
    fromCommandLine: {
      outcome: 'refuse',
      reason: 'main-3f2a1b9 is not a release tag of prod (deploy.releaseTagPattern ^v\\d+\\.\\d+\\.\\d+$)',
      hint: 'Tag a release that matches it, or deploy main-3f2a1b9 from Slack with /deploy prod main-3f2a1b9',
      audit: null,
    },
  },
  {
    situation: 'no version (the infrastructure only)',
    version: null,
    signOff: null,
    fromCommandLine: {
      outcome: 'refuse',
      reason:
        'prod is protected: the command line deploys only a signed-off release there, and no --version was given.',
      hint: `Give --version <release tag> (the running one to change only the infrastructure). ${ASK} <release tag> in Slack`,
      audit: null,
    },
  },
];

function expected(
  action: ChangeAction,
  caller: ChangeCaller,
  environment: 'prod' | 'stage',
  s: Situation,
): Expected {
  const allow = (reason: string): Expected => ({ outcome: 'allow', reason, hint: null, audit: null });
  if (caller === 'slack') return allow('Slack asks an approver instead');
  if (action === 'scale') return allow('a scale is not a version to sign off');
  if (environment === 'stage') return allow('stage is not protected');
  return s.fromCommandLine;
}

/** A scale: no version, nothing looked up (its `fromCommandLine` is never read: a scale is not a version). */
const A_SCALE: Situation = {
  situation: 'no version (a scale)',
  version: null,
  signOff: null,
  fromCommandLine: {
    outcome: 'allow',
    reason: 'a scale is not a version to sign off',
    hint: null,
    audit: null,
  },
};

const ROWS = (['deploy', 'rollback', 'scale'] as const).flatMap((action) =>
  (['prod', 'stage'] as const).flatMap((environment) =>
    CALLERS.flatMap((caller) =>
      (action === 'scale' ? [A_SCALE] : SITUATIONS).map((s) => {
        const e = expected(action, caller, environment, s);
        return { ...s, action, environment, caller, expected: e, outcome: e.outcome };
      }),
    ),
  ),
);

describe('sign-off rule', () => {
  it.each(ROWS)('$outcome: a $action of $environment from $caller with $situation', (row) => {
    // WHEN
    const verdict = signOffRule(
      facts({
        action: row.action,
        caller: row.caller,
        environment: row.environment,
        version: row.version,
        signOff: row.signOff,
      }),
    );

    // THEN
    expectVerdict(verdict, { rule: 'sign-off', ...row.expected });
  });
});
