/**
 * The repositories' lifecycle: release images and images an environment runs or ran are never expired.
 *
 * ECR's rules, from https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html
 * ("Lifecycle policy evaluation rules") and lifecycle_policy_parameters.html, which {@link expiredBy}
 * follows: rules apply from the lowest `rulePriority`; an image that matches the tagging requirements of a
 * rule cannot be expired by a rule with a lower priority, though lower rules still count it; `tagged` with a
 * `tagPatternList` selects images with a tag matching each pattern (`*` any run of characters); `untagged`
 * images without a tag; `any` every image and must be last; `imageCountMoreThan` keeps the newest by push
 * time and expires the rest; `sinceImagePushed` expires images pushed more than the count of days ago.
 * ECR's lifecycle preview would be the independent check of this, and moto has none: it only validates the
 * policy's shape (checked below), so the evaluation is ours, written from the page.
 */
import { CreateRepositoryCommand, ECRClient, PutLifecyclePolicyCommand } from '@aws-sdk/client-ecr';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { Config } from '../../config';
import { deployedImageTag } from '../../ops/deploy/deployed-image-marks';
import { buildApp } from '../../stacks/app';
import {
  ImageRepository,
  KEEP_FOREVER_COUNT,
  KEEP_IMAGES,
  releaseTagWildcard,
} from '../../stacks/ci/image-repository';
import { exampleConfig } from '../support/example-config';
import { type MotoServer, startMotoServer } from '../support/moto-server';

interface PolicyRule {
  readonly rulePriority: number;
  readonly selection: {
    readonly tagStatus: 'tagged' | 'untagged' | 'any';
    readonly tagPatternList?: readonly string[];
    readonly tagPrefixList?: readonly string[];
    readonly countType: 'imageCountMoreThan' | 'sinceImagePushed';
    readonly countUnit?: 'days';
    readonly countNumber: number;
  };
  readonly action: { readonly type: 'expire' };
}

interface RepoImage {
  readonly id: string;
  readonly tags: readonly string[];
  /** Days ago it was pushed. */
  readonly pushedDaysAgo: number;
}

function wildcardMatches(pattern: string, tag: string): boolean {
  const regex = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${regex}$`).test(tag);
}

function selects(rule: PolicyRule, image: RepoImage): boolean {
  const { tagStatus, tagPatternList, tagPrefixList } = rule.selection;
  if (tagStatus === 'any') return true;
  if (tagStatus === 'untagged') return image.tags.length === 0;
  if (image.tags.length === 0) return false;
  if (tagPatternList) return tagPatternList.every((p) => image.tags.some((t) => wildcardMatches(p, t)));
  if (tagPrefixList) return tagPrefixList.every((p) => image.tags.some((t) => t.startsWith(p)));
  throw new Error('a tagged rule needs tagPatternList or tagPrefixList');
}

/** The ids of the images the policy expires, evaluated as the ECR page states it. */
function expiredBy(policyText: string, images: readonly RepoImage[]): Set<string> {
  const rules = (JSON.parse(policyText) as { rules: PolicyRule[] }).rules
    .slice()
    .sort((a, b) => a.rulePriority - b.rulePriority);
  const anyRules = rules.filter((r) => r.selection.tagStatus === 'any');
  if (anyRules.length > 1 || (anyRules.length === 1 && rules.at(-1) !== anyRules[0])) {
    throw new Error('a rule with tagStatus any must have the highest rulePriority');
  }
  const expired = new Set<string>();
  const matchedEarlier = new Set<string>();
  for (const rule of rules) {
    const selected = images.filter((image) => selects(rule, image));
    const newestFirst = selected.slice().sort((a, b) => a.pushedDaysAgo - b.pushedDaysAgo);
    const candidates =
      rule.selection.countType === 'imageCountMoreThan'
        ? newestFirst.slice(rule.selection.countNumber)
        : newestFirst.filter((image) => image.pushedDaysAgo > rule.selection.countNumber);
    for (const image of candidates) if (!matchedEarlier.has(image.id)) expired.add(image.id);
    for (const image of selected) matchedEarlier.add(image.id);
  }
  return expired;
}

function ciTemplate(config: Config): Template {
  process.env.CDK_VALIDATION = 'false';
  const { delivery } = buildApp(config, { nag: false });
  if (!delivery) throw new Error('expected the delivery stacks');
  return Template.fromStack(delivery.ci);
}

function lifecyclePolicyOf(template: Template, repositoryName: string): string {
  const repositories = Object.values(template.findResources('AWS::ECR::Repository')) as {
    Properties: { RepositoryName: string; LifecyclePolicy: { LifecyclePolicyText: string } };
  }[];
  const repository = repositories.find((r) => r.Properties.RepositoryName === repositoryName);
  if (!repository) throw new Error(`no repository ${repositoryName}`);
  return repository.Properties.LifecyclePolicy.LifecyclePolicyText;
}

describe('ImageRepository lifecycle', () => {
  const template = ciTemplate(exampleConfig());
  const release = lifecyclePolicyOf(template, 'wheelhouse/service');
  const branch = lifecyclePolicyOf(template, 'wheelhouse/service-branches');

  it('keeps release tags and deployed marks first, then untagged by age, then the newest of the rest', () => {
    const rules = (JSON.parse(release) as { rules: PolicyRule[] }).rules.map((r) => [
      r.rulePriority,
      r.selection.tagStatus,
      r.selection.tagPatternList ?? null,
      r.selection.countType,
      r.selection.countNumber,
    ]);
    expect(rules).toEqual([
      [1, 'tagged', ['v*.*.*'], 'imageCountMoreThan', KEEP_FOREVER_COUNT],
      [2, 'tagged', ['deployed-*'], 'imageCountMoreThan', KEEP_FOREVER_COUNT],
      [3, 'untagged', null, 'sinceImagePushed', 14],
      [4, 'any', null, 'imageCountMoreThan', KEEP_IMAGES],
    ]);
  });

  it('never expires a release image, nor the images an environment runs and rolls back to, past 500 newer pushes', () => {
    // GIVEN the oldest images are releases and what stage runs and ran, then 700 newer builds and 3 untagged
    const stageRunning = 'src-0001';
    const stagePrevious = 'src-0002';
    const images: RepoImage[] = [
      { id: 'v1.0.0', tags: ['v1.0.0'], pushedDaysAgo: 900 },
      { id: 'v1.1.0', tags: ['v1.1.0', 'src-0000'], pushedDaysAgo: 800 },
      { id: 'v1.2.0', tags: ['v1.2.0', deployedImageTag('prod', 'v1.2.0')], pushedDaysAgo: 700 },
      { id: stageRunning, tags: [stageRunning, deployedImageTag('stage', stageRunning)], pushedDaysAgo: 650 },
      {
        id: stagePrevious,
        tags: [stagePrevious, deployedImageTag('stage', stagePrevious)],
        pushedDaysAgo: 640,
      },
      ...Array.from({ length: 700 }, (_, i) => ({
        id: `build-${i}`,
        tags: [`src-${1000 + i}`],
        pushedDaysAgo: 600 - i * 0.5,
      })),
      { id: 'untagged-old', tags: [], pushedDaysAgo: 30 },
      { id: 'untagged-new', tags: [], pushedDaysAgo: 1 },
    ];

    // WHEN
    const expired = expiredBy(release, images);

    // THEN the kept ones stay, and of the others exactly those past the newest 500 go
    for (const id of ['v1.0.0', 'v1.1.0', 'v1.2.0', stageRunning, stagePrevious, 'untagged-new']) {
      expect(expired.has(id)).toBe(false);
    }
    expect(expired.has('untagged-old')).toBe(true);
    // The any rule counts every image: its newest 500 are the two untagged ones and 498 builds.
    const builds = [...expired].filter((id) => id.startsWith('build-'));
    expect(builds).toHaveLength(700 - (KEEP_IMAGES - 2));
    expect(builds).toContain('build-0');
    expect(builds).not.toContain('build-699');
  });

  it('would expire a running image with the old policy (the bug this fixes)', () => {
    // GIVEN the policy before: untagged by age, then the newest 500 of any
    const old = JSON.stringify({
      rules: [
        {
          rulePriority: 1,
          selection: {
            tagStatus: 'untagged',
            countType: 'sinceImagePushed',
            countUnit: 'days',
            countNumber: 14,
          },
          action: { type: 'expire' },
        },
        {
          rulePriority: 2,
          selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 500 },
          action: { type: 'expire' },
        },
      ],
    });
    const images: RepoImage[] = [
      { id: 'prod-runs', tags: ['v1.0.0'], pushedDaysAgo: 400 },
      ...Array.from({ length: 500 }, (_, i) => ({
        id: `b${i}`,
        tags: [`src-${i}`],
        pushedDaysAgo: 300 - i * 0.5,
      })),
    ];
    expect(expiredBy(old, images)).toEqual(new Set(['prod-runs']));
  });

  it('keeps every environment’s release pattern of the tier, one rule each', () => {
    // GIVEN prod with another release pattern
    const config = exampleConfig((raw) => {
      raw.environments.prod.deploy = {
        ...(raw.environments.prod.deploy ?? {}),
        releaseTagPattern: '^release-\\d+$',
      };
    });
    const policy = lifecyclePolicyOf(ciTemplate(config), 'wheelhouse/service');
    const patterns = (JSON.parse(policy) as { rules: PolicyRule[] }).rules.map(
      (r) => r.selection.tagPatternList,
    );
    expect(patterns.slice(0, 3)).toEqual([['release-*'], ['v*.*.*'], ['deployed-*']]);
    expect(
      expiredBy(policy, [
        { id: 'r', tags: ['release-7'], pushedDaysAgo: 999 },
        ...Array.from({ length: 600 }, (_, i) => ({ id: `b${i}`, tags: [`x${i}`], pushedDaysAgo: i * 0.1 })),
      ]).has('r'),
    ).toBe(false);
  });

  it('keeps deployed marks in the branch repository too', () => {
    const patterns = (JSON.parse(branch) as { rules: PolicyRule[] }).rules.map(
      (r) => r.selection.tagPatternList,
    );
    expect(patterns).toContainEqual(['deployed-*']);
  });

  describe('accepted by an independent ECR implementation (moto)', () => {
    let moto: MotoServer;
    beforeAll(async () => {
      moto = await startMotoServer();
    }, 30_000);
    afterAll(() => moto.stop());

    it.each([
      ['release', () => release],
      ['branch', () => branch],
    ])('stores the %s repository’s policy', async (_, policy) => {
      const ecr = new ECRClient({
        endpoint: moto.endpoint,
        region: 'eu-west-1',
        credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
      });
      await ecr.send(new CreateRepositoryCommand({ repositoryName: `r-${_}` }));
      const put = await ecr.send(
        new PutLifecyclePolicyCommand({ repositoryName: `r-${_}`, lifecyclePolicyText: policy() }),
      );
      expect(JSON.parse(put.lifecyclePolicyText ?? '{}')).toEqual(JSON.parse(policy()));
      ecr.destroy();
    });
  });
});

describe('releaseTagWildcard', () => {
  it.each([
    ['^v\\d+\\.\\d+\\.\\d+$', 'v*.*.*'],
    ['^release-\\d+$', 'release-*'],
    ['^v[0-9]+\\.[0-9]+$', 'v*.*'],
    ['^rel_.+$', 'rel_*'],
    ['^v\\d\\d?$', 'v*'],
  ])('turns %s into %s', (pattern, wildcard) => {
    expect(releaseTagWildcard(pattern)).toBe(wildcard);
  });

  it.each([
    ['v\\d+', 'it must be anchored with ^ and $'],
    ['^(v|r)\\d+$', '( is not supported'],
    ['^.*$', 'it would keep every image'],
    ['^\\d+\\.\\d+\\.\\d+\\.\\d+\\.\\d+$', 'it needs 5 wildcards, ECR allows 4'],
  ])('fails when the pattern is %s', (pattern, why) => {
    expect(() => releaseTagWildcard(pattern)).toThrow(
      `deploy.releaseTagPattern ${JSON.stringify(pattern)} cannot be kept by an ECR lifecycle rule: ${why}.`,
    );
  });

  it('fails at synth naming the pattern', () => {
    expect(
      () =>
        new ImageRepository(new Stack(new App(), 'S'), 'R', {
          repositoryName: 'r',
          releaseTagPatterns: ['v1'],
        }),
    ).toThrow(
      'deploy.releaseTagPattern "v1" cannot be kept by an ECR lifecycle rule: it must be anchored with ^ and $.',
    );
  });
});
