/**
 * The CI stack, `<project>-ci`, in the tools account: GitHub's OIDC provider, the image repositories
 * (the service's two, one per image tier, and the bot's), one deploy role per environment and the pull
 * requests' plan role.
 *
 * Environment `<env>`'s role, `<project>-ci-deploy-<env>`, is assumed only by jobs that run in the GitHub
 * environment `<env>` (the token's `sub` is exactly `repo:<owner/name>:environment:<env>`; that GitHub
 * environment's deployment rules say which branches and tags get there). It may push the service's
 * images to the repository of `<env>`'s image tier only, and assume `<env>`'s operator role and the CDK
 * bootstrap roles of `<env>`'s account and region, nothing else: a branch that deploys to dev holds no
 * credential that reaches prod.
 *
 * The service's images are in two repositories because ECR cannot limit a push by tag: with one
 * repository, dev's role (which any branch gets) could push the `src-<hash>` or commit tag that `main`
 * would later reuse, and so into stage and prod. Now the roles of `branch` environments (dev) push only to
 * the branch repository, which only `branch` environments' accounts pull from; the roles of `release`
 * environments (stage, fed from `main`; prod, from release tags) push only to the release repository, which
 * stage and prod run. Nothing a branch can trigger writes an image that a release environment runs.
 *
 * The plan role, `<project>-ci-plan`, is the one role pull requests get: tokens whose `sub` is exactly
 * `repo:<owner/name>:pull_request` (a job of the `pull_request` event that names no GitHub environment;
 * GitHub gives a fork's pull request no token at all). It may only assume each environment's plan role
 * (`<stack>-plan`, `stacks/plan-role.ts`), which reads that environment's stack template and description
 * and nothing else: not the CDK bootstrap lookup role, whose ReadOnlyAccess covers the whole account.
 *
 * No role is trusted by a ref (`ref:refs/heads/main`): every other job that assumes a role runs in a
 * GitHub environment. Nothing here may deploy the tools account's own stacks: this one decides whom every
 * role trusts and the bot's task role operates every environment, so both are deployed by a person
 * (`npx cdk deploy`).
 */
import { CfnOutput, Duration, Stack, type StackProps, Tags, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { CI_STACK_OUTPUTS, ciDeployRoleOutput, type ImageTier, RESOURCE_TAGS } from '../../config';
import {
  ACTING_FOR_ACTIONS,
  bootstrapRoleArns,
  ENVIRONMENT_DEPLOY_BOOTSTRAP_ROLES,
  operatorRoleArns,
  roleArn,
} from '../delivery-targets';
import { GitHubOidc } from './github-oidc';
import { ImageRepository } from './image-repository';

/**
 * What a deploy role may do with the service's images in its tier's repository: push (CI builds) and pull
 * (re-tag a release, check a tag).
 */
export const IMAGE_PUSH_ACTIONS: readonly string[] = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:BatchGetImage',
  'ecr:CompleteLayerUpload',
  'ecr:DescribeImages',
  'ecr:GetDownloadUrlForLayer',
  'ecr:InitiateLayerUpload',
  'ecr:ListImages',
  'ecr:PutImage',
  'ecr:UploadLayerPart',
];

/** One environment that CI deploys, and the role its GitHub environment's jobs assume. */
export interface CiEnvironment {
  /** The environment's name, which is also the GitHub environment's. */
  readonly name: string;
  readonly account: string;
  readonly region: string;
  /** `<stack>-operator`, in the environment's account. */
  readonly operatorRoleName: string;
  /** `<stack>-plan`, in the environment's account: the plan role may assume it. */
  readonly planRoleName: string;
  /** `<project>-ci-deploy-<env>`, in the tools account: the operator role trusts it by this name. */
  readonly deployRoleName: string;
  /** The environment's image tier: its role pushes to, and its account pulls from, that tier's repository. */
  readonly images: ImageTier;
  /** `deploy.releaseTagPattern`: its tier's repository never expires an image with such a tag. */
  readonly releaseTagPattern: string;
}

/** Props of {@link CiStack}. */
export interface CiStackProps extends StackProps {
  readonly stackName: string;
  /** The tools account and region (the registry's). */
  readonly account: string;
  readonly region: string;
  readonly projectName: string;
  /** `owner/name` of the GitHub repository. */
  readonly githubRepository: string;
  /** `<project>-ci-plan`: assumed by the repository's pull requests; the environments' plan roles trust it by this name. */
  readonly planRoleName: string;
  /** The environments, each deployed by the jobs of the GitHub environment of the same name. */
  readonly environments: readonly CiEnvironment[];
  /** The service's release repository (`registry.repositoryName`): `release` environments' images. */
  readonly releaseRepositoryName: string;
  /** The service's branch repository (`registry.branchRepositoryName`): `branch` environments' images. */
  readonly branchRepositoryName: string;
  readonly botRepositoryName: string;
}

/** GitHub OIDC, the image repositories, a deploy role per environment and the pull requests' plan role. */
export class CiStack extends Stack {
  /** The service's release repository: only `release` environments' roles push, only their accounts pull. */
  readonly releaseRepository: ImageRepository;
  /** The service's branch repository: only `branch` environments' roles push, only their accounts pull. */
  readonly branchRepository: ImageRepository;
  readonly botRepository: ImageRepository;
  /** Each environment's deploy role, by environment name. */
  readonly deployRoles: ReadonlyMap<string, iam.Role>;
  /** The pull requests' plan role. */
  readonly planRole: iam.Role;

  constructor(scope: Construct, id: string, props: CiStackProps) {
    super(scope, id, {
      ...props,
      stackName: props.stackName,
      env: { account: props.account, region: props.region },
      // The repositories hold every image any environment runs.
      terminationProtection: true,
      description:
        "Wheelhouse CI: GitHub OIDC, the image repositories, a deploy role per environment and pull requests' plan role",
    });
    Tags.of(this).add(RESOURCE_TAGS.project, props.projectName);
    if (props.environments.length === 0) {
      throw new Error('CiStack needs at least one environment to deploy, got none');
    }
    const outputs = props.environments.map((env) => ciDeployRoleOutput(env.name));
    const clash = outputs.find((key, i) => outputs.indexOf(key) !== i);
    if (clash !== undefined) {
      throw new Error(
        `CiStack: two environments would share the output ${clash} (${props.environments
          .filter((env) => ciDeployRoleOutput(env.name) === clash)
          .map((env) => env.name)
          .join(', ')}); rename one`,
      );
    }

    const pullAccounts = (tier: ImageTier) =>
      props.environments
        .filter((env) => env.images === tier)
        .map((env) => env.account)
        .filter((account) => account !== props.account);
    const releaseTagPatterns = (tier: ImageTier) =>
      props.environments.filter((env) => env.images === tier).map((env) => env.releaseTagPattern);
    // The construct id is the one the single, shared repository had: the release repository is that one.
    this.releaseRepository = new ImageRepository(this, 'ServiceRepository', {
      repositoryName: props.releaseRepositoryName,
      pullAccounts: pullAccounts('release'),
      releaseTagPatterns: releaseTagPatterns('release'),
    });
    this.branchRepository = new ImageRepository(this, 'BranchRepository', {
      repositoryName: props.branchRepositoryName,
      pullAccounts: pullAccounts('branch'),
      releaseTagPatterns: releaseTagPatterns('branch'),
    });
    // Bot images are pushed by the person who deploys the bot stack; no CI role may push them.
    this.botRepository = new ImageRepository(this, 'BotRepository', {
      repositoryName: props.botRepositoryName,
    });

    const github = new GitHubOidc(this, 'GitHub', { repository: props.githubRepository });
    const roles = new Map<string, iam.Role>();
    for (const env of props.environments) {
      const role = this.deployRole(github, props.githubRepository, env);
      roles.set(env.name, role);
      new CfnOutput(this, ciDeployRoleOutput(env.name), {
        value: role.roleArn,
        description: `Assumed by the jobs of GitHub environment ${env.name} (the workflows compute this ARN from wheelhouse.yml)`,
      });
    }
    this.deployRoles = roles;
    this.planRole = this.pullRequestPlanRole(github, props);
    new CfnOutput(this, CI_STACK_OUTPUTS.planRoleArn, {
      value: this.planRole.roleArn,
      description: "Assumed by pull requests' plan jobs (the workflows compute this ARN from wheelhouse.yml)",
    });

    new CfnOutput(this, CI_STACK_OUTPUTS.releaseRepositoryUri, {
      value: this.releaseRepository.repository.repositoryUri,
    });
    new CfnOutput(this, CI_STACK_OUTPUTS.branchRepositoryUri, {
      value: this.branchRepository.repository.repositoryUri,
    });
    new CfnOutput(this, CI_STACK_OUTPUTS.botRepositoryUri, {
      value: this.botRepository.repository.repositoryUri,
    });
  }

  /** The pull requests' role: it may only assume the environments' plan roles (see the module comment). */
  private pullRequestPlanRole(github: GitHubOidc, props: CiStackProps): iam.Role {
    const role = github.role('PlanRole', {
      roleName: props.planRoleName,
      description: `Assumed by ${props.githubRepository}'s pull requests: reads each environment's stack template through its plan role`,
      subjects: ['pull_request'],
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'PlanEnvironments',
        // For the run (source identity and session tags, see trustActorSessions).
        actions: [...ACTING_FOR_ACTIONS],
        resources: [...new Set(props.environments.map((env) => roleArn(env.account, env.planRoleName)))],
      }),
    );
    return role;
  }

  /** The service's repository of an image tier. */
  repositoryOf(tier: ImageTier): ImageRepository {
    return tier === 'release' ? this.releaseRepository : this.branchRepository;
  }

  /**
   * `env`'s deploy role: its GitHub environment's jobs only; the service's images of `env`'s tier, `env`
   * and nothing else.
   */
  private deployRole(github: GitHubOidc, repository: string, env: CiEnvironment): iam.Role {
    const role = github.role(`DeployRole-${env.name}`, {
      roleName: env.deployRoleName,
      description: `Assumed by ${repository}'s jobs in GitHub environment ${env.name}: pushes the service's ${env.images} images, deploys ${env.name}`,
      subjects: [`environment:${env.name}`],
      // A deploy with its bake outlasts the default hour; the roles it assumes are renewed as needed.
      maxSessionDuration: Duration.hours(2),
    });
    // Its own tier's repository only: a branch environment's role can write nothing a release one runs.
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: env.images === 'release' ? 'PushReleaseImages' : 'PushBranchImages',
        actions: [...IMAGE_PUSH_ACTIONS],
        resources: [this.repositoryOf(env.images).repository.repositoryArn],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'RegistryLogin',
        actions: ['ecr:GetAuthorizationToken'],
        resources: ['*'],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'DeployAndOperate',
        actions: ['sts:AssumeRole'],
        resources: [
          ...operatorRoleArns([env]),
          ...bootstrapRoleArns([env], ENVIRONMENT_DEPLOY_BOOTSTRAP_ROLES),
        ],
      }),
    );
    // The operator role is assumed for the run (source identity and session tags, see trustActorSessions);
    // the CDK bootstrap roles are not: their default trust policies do not allow sts:SetSourceIdentity.
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'OperateForTheRun',
        actions: ['sts:SetSourceIdentity', 'sts:TagSession'],
        resources: operatorRoleArns([env]),
      }),
    );
    Validations.of(role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'ecr:GetAuthorizationToken (docker login to the registry) has no resource-level permissions.',
    });
    return role;
  }
}
