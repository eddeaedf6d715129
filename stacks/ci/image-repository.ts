/**
 * An ECR repository that CI pushes to: immutable tags (a tag names the same bytes forever, so
 * promotion by tag is safe), a scan of every push, and a lifecycle that never expires a release image nor
 * an image an environment runs or rolls back to.
 *
 * How ECR applies the rules (https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html,
 * "Lifecycle policy evaluation rules"): an image that matches the tagging requirements of a rule cannot be
 * expired by a rule with a lower priority (a higher `rulePriority`), and a rule with `tagStatus: any` must
 * come last. So the keep rules come first and select what must stay with a count it never reaches; the
 * count of everything else comes last.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DEPLOYED_IMAGE_TAG_PREFIX } from '../../config';

/** Images a repository keeps besides release and deployed ones: far more than any rollback reaches back. */
export const KEEP_IMAGES = 500;

/**
 * The count of a keep rule: its images are never expired by the rules after it, and it expires its own
 * only past this many (decades of releases or deploys).
 */
export const KEEP_FOREVER_COUNT = 9999;

/** ECR's limit of wildcards in one tag pattern (lifecycle policy properties, `tagPatternList`). */
const MAX_WILDCARDS = 4;

/**
 * The ECR tag pattern (wildcard `*` only) that matches every tag `releaseTagPattern` (a regular expression,
 * `deploy.releaseTagPattern`) accepts, and possibly more: `^v\d+\.\d+\.\d+$` gives `v*.*.*`. Keeping a
 * few extra images is safe; expiring a release is not, so a construct it cannot widen that way is an error.
 */
export function releaseTagWildcard(releaseTagPattern: string): string {
  const fail = (why: string): never => {
    throw new Error(
      `deploy.releaseTagPattern ${JSON.stringify(releaseTagPattern)} cannot be kept by an ECR lifecycle rule: ${why}. ` +
        'Use an anchored pattern of literal characters, escaped punctuation and repeated classes (\\d+, [0-9]+, .+, .*), e.g. ^v\\d+\\.\\d+\\.\\d+$',
    );
  };
  if (
    !releaseTagPattern.startsWith('^') ||
    !releaseTagPattern.endsWith('$') ||
    releaseTagPattern.endsWith('\\$')
  ) {
    fail('it must be anchored with ^ and $');
  }
  const body = releaseTagPattern.slice(1, -1);
  let out = '';
  let i = 0;
  while (i < body.length) {
    const c = body[i]!;
    let atom: string;
    let literal: boolean;
    if (c === '\\') {
      const next = body[i + 1];
      if (next === undefined) fail('it ends with a lone backslash');
      if (/[dDwWsS]/.test(next!)) {
        atom = '*';
        literal = false;
      } else if (/[A-Za-z0-9]/.test(next!)) {
        return fail(`the escape \\${next} is not supported`);
      } else {
        atom = next!;
        literal = true;
      }
      i += 2;
    } else if (c === '[') {
      const end = body.indexOf(']', i + 2);
      if (end < 0) fail('a character class is not closed');
      atom = '*';
      literal = false;
      i = end + 1;
    } else if (c === '.') {
      atom = '*';
      literal = false;
      i += 1;
    } else if ('()|{}^$'.includes(c)) {
      return fail(`${c} is not supported`);
    } else if ('*+?'.includes(c)) {
      return fail(`the quantifier ${c} must follow a class (\\d, [..], .)`);
    } else {
      atom = c;
      literal = true;
      i += 1;
    }
    const quantifier = body[i];
    if (quantifier === '+' || quantifier === '*' || quantifier === '?') {
      // A repeated or optional atom matches any run of characters here (a superset).
      atom = '*';
      i += 1;
    } else if (!literal) {
      // A single class character: still a wildcard (ECR has no single-character wildcard).
      atom = '*';
    }
    if (atom === '*' && out.endsWith('*')) continue;
    out += atom;
  }
  const wildcards = [...out].filter((ch) => ch === '*').length;
  if (wildcards > MAX_WILDCARDS) fail(`it needs ${wildcards} wildcards, ECR allows ${MAX_WILDCARDS}`);
  if (out === '*' || out === '') fail('it would keep every image');
  return out;
}

/** Days an untagged image (a superseded or failed push) is kept. */
export const UNTAGGED_IMAGE_DAYS = 14;

/** What another account may do with the images: pull them (ECS task execution roles there). */
export const PULL_ACTIONS: readonly string[] = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
];

/** Props of {@link ImageRepository}. */
export interface ImageRepositoryProps {
  /** The repository's name, e.g. `wheelhouse/service`. */
  readonly repositoryName: string;
  /** Other accounts whose roles may pull (the environments'). @default none */
  readonly pullAccounts?: readonly string[];
  /**
   * `deploy.releaseTagPattern` of the environments that run this repository's images: their images are
   * never expired. @default none
   */
  readonly releaseTagPatterns?: readonly string[];
}

/** The repository, kept when the stack is deleted: environments run its images. */
export class ImageRepository extends Construct {
  readonly repository: ecr.Repository;

  constructor(scope: Construct, id: string, props: ImageRepositoryProps) {
    super(scope, id);
    this.repository = new ecr.Repository(this, 'Repository', {
      repositoryName: props.repositoryName,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      imageScanOnPush: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: lifecycleRules(props.releaseTagPatterns ?? []),
    });
    const accounts = [...new Set(props.pullAccounts ?? [])];
    if (accounts.length > 0) {
      this.repository.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'PullFromEnvironmentAccounts',
          principals: accounts.map((account) => new iam.AccountPrincipal(account)),
          actions: [...PULL_ACTIONS],
        }),
      );
    }
  }
}

/**
 * The rules, in priority order: release tags, then `deployed-*` marks (ops/deploy/deployed-image-marks.ts),
 * each kept; untagged images after {@link UNTAGGED_IMAGE_DAYS} days; of the rest, the newest {@link KEEP_IMAGES}.
 */
export function lifecycleRules(releaseTagPatterns: readonly string[]): ecr.LifecycleRule[] {
  const wildcards = [...new Set(releaseTagPatterns.map(releaseTagWildcard))].sort();
  // One rule per pattern: a rule's tagPatternList selects images with all of its patterns, not any.
  const keep = [
    ...wildcards.map((w) => ({ pattern: w, what: 'Release images' })),
    {
      pattern: `${DEPLOYED_IMAGE_TAG_PREFIX}*`,
      what: 'Images an environment runs or ran (marked at deploy)',
    },
  ];
  return [
    ...keep.map(
      ({ pattern, what }, i): ecr.LifecycleRule => ({
        rulePriority: i + 1,
        description: `${what}, ${pattern}: never expired by the rules after this one`,
        tagStatus: ecr.TagStatus.TAGGED,
        tagPatternList: [pattern],
        maxImageCount: KEEP_FOREVER_COUNT,
      }),
    ),
    {
      rulePriority: keep.length + 1,
      description: `Untagged images (superseded or failed pushes) after ${UNTAGGED_IMAGE_DAYS} days`,
      tagStatus: ecr.TagStatus.UNTAGGED,
      maxImageAge: Duration.days(UNTAGGED_IMAGE_DAYS),
    },
    {
      rulePriority: keep.length + 2,
      description: `Any other image once ${KEEP_IMAGES} newer images exist (kept ones count)`,
      tagStatus: ecr.TagStatus.ANY,
      maxImageCount: KEEP_IMAGES,
    },
  ];
}
