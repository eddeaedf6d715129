/**
 * The image rule (`ops/policy/image-exists.ts`): a deploy or rollback of a version needs its image in
 * the environment's own repository, and an image that was never looked up is refused, never assumed.
 */
import type { ImageLookup } from '../../../ops/deploy/image-tags';
import type { ChangeAction, ChangeCaller } from '../../../ops/policy/change-facts';
import { imageExists } from '../../../ops/policy/image-exists';
import { type ExpectedVerdict, expectVerdict, facts } from '../../support/change-facts';

const CALLERS: readonly ChangeCaller[] = ['slack', 'cli', 'ci'];
const ACTIONS: readonly ChangeAction[] = ['deploy', 'rollback', 'scale'];

interface Situation {
  readonly situation: string;
  readonly environment: 'prod' | 'dev';
  readonly version: string | null;
  readonly image: ImageLookup | null;
  /** The verdict for a deploy or rollback (a scale is always allowed: it changes no image). */
  readonly expected: Omit<ExpectedVerdict, 'rule'>;
}

const SITUATIONS: readonly Situation[] = [
  {
    situation: 'the image found in the release repository',
    environment: 'prod',
    version: 'v1.5.0',
    image: { found: true, repository: 'wheelhouse/service' },
    expected: {
      outcome: 'allow',
      reason: '`v1.5.0` is in wheelhouse/service',
      hint: null,
      audit: null,
    },
  },
  {
    situation: 'the image missing, with close tags',
    environment: 'prod',
    version: 'v1.5',
    image: { found: false, repository: 'wheelhouse/service', closest: ['v1.5.0', 'v1.5.1'] },
    expected: {
      outcome: 'refuse',
      reason: 'There is no image `v1.5` in wheelhouse/service.',
      hint: 'Closest tags: `v1.5.0`, `v1.5.1`.',
      audit: null,
    },
  },
  {
    situation: 'the image missing from an empty repository',
    environment: 'dev',
    version: 'feature-x-3f2a1b9',
    image: { found: false, repository: 'wheelhouse/service-branches', closest: [] },
    expected: {
      outcome: 'refuse',
      reason: 'There is no image `feature-x-3f2a1b9` in wheelhouse/service-branches.',
      hint: 'The repository has no tagged image: push one first.',
      audit: null,
    },
  },
  {
    // Refusing is the safe side: allowing would let an unknown image through.
    situation: 'the image not looked up',
    environment: 'prod',
    version: 'v1.5.0',
    image: null,
    expected: {
      outcome: 'refuse',
      reason: 'The image `v1.5.0` was not looked up in wheelhouse/service.',
      hint: 'Run it again with AWS credentials.',
      audit: null,
    },
  },
  {
    // dev's own repository is the branch repository: that is the one the refusal names.
    situation: 'the image not looked up in the branch repository',
    environment: 'dev',
    version: 'feature-x-3f2a1b9',
    image: null,
    expected: {
      outcome: 'refuse',
      reason: 'The image `feature-x-3f2a1b9` was not looked up in wheelhouse/service-branches.',
      hint: 'Run it again with AWS credentials.',
      audit: null,
    },
  },
  {
    situation: 'no version (the infrastructure only)',
    environment: 'prod',
    version: null,
    image: null,
    expected: {
      outcome: 'allow',
      reason: 'the infrastructure only: the running image stays',
      hint: null,
      audit: null,
    },
  },
];

const SCALE: Omit<ExpectedVerdict, 'rule'> = {
  outcome: 'allow',
  reason: 'a scale changes no image',
  hint: null,
  audit: null,
};

const ROWS = ACTIONS.flatMap((action) =>
  CALLERS.flatMap((caller) =>
    SITUATIONS.map((s) => {
      const expected = action === 'scale' ? SCALE : s.expected;
      return { ...s, action, caller, expected, outcome: expected.outcome };
    }),
  ),
);

describe('image rule', () => {
  it.each(ROWS)('$outcome: a $action of $environment from $caller with $situation', (row) => {
    // WHEN
    const verdict = imageExists(
      facts({
        action: row.action,
        caller: row.caller,
        environment: row.environment,
        version: row.version,
        image: row.image,
      }),
    );

    // THEN
    expectVerdict(verdict, { rule: 'image-exists', ...row.expected });
  });
});
