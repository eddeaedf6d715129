/**
 * An ECR repository that CI pushes to: immutable tags (a tag names the same bytes forever, so
 * promotion by tag is safe), a scan of every push, and a lifecycle that keeps what can be rolled back to.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** Tagged images a repository keeps: far more than any rollback reaches back. */
export const KEEP_IMAGES = 500;

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
      lifecycleRules: [
        {
          rulePriority: 1,
          description: `Untagged images (superseded or failed pushes) after ${UNTAGGED_IMAGE_DAYS} days`,
          tagStatus: ecr.TagStatus.UNTAGGED,
          maxImageAge: Duration.days(UNTAGGED_IMAGE_DAYS),
        },
        {
          rulePriority: 2,
          description: `Only the newest ${KEEP_IMAGES} images`,
          tagStatus: ecr.TagStatus.ANY,
          maxImageCount: KEEP_IMAGES,
        },
      ],
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
