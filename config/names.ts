/**
 * Names that the stacks publish and the bot and monitors read back: stack outputs, parameters, tags.
 * They live here, on the ground floor, so that neither side imports the other.
 */
import { ConfigError } from './config-error';
import type { Config, DeliveryConfig, EnvironmentConfig } from './types';

/** CloudFormation output keys of every environment stack (`wheelhouse-<env>`). */
export const STACK_OUTPUTS = {
  /** The ALB's own DNS name: what the domain's alias points at, never what clients (or checks) connect to. */
  loadBalancerDns: 'LoadBalancerDnsName',
  /**
   * `host:9000` clients use for gRPC: the configured domain when there is one (its certificate names
   * only the domain), else the NLB's DNS name.
   */
  grpcEndpoint: 'GrpcEndpoint',
  /** `https://<domain>` when a domain is configured, else `http://<ALB DNS name>`: what clients use. */
  httpEndpoint: 'HttpEndpoint',
  /** ARN of the HTTP target group, whose target health the deploy's health check reads. */
  httpTargetGroupArn: 'HttpTargetGroupArn',
  /** ARN of the gRPC target group (ALB gRPC with a domain, NLB TCP without). */
  grpcTargetGroupArn: 'GrpcTargetGroupArn',
  clusterName: 'ClusterName',
  serviceName: 'ServiceName',
  databaseWriterEndpoint: 'DatabaseWriterEndpoint',
  databaseReaderEndpoint: 'DatabaseReaderEndpoint',
  databasePort: 'DatabasePort',
  databaseSecretArn: 'DatabaseSecretArn',
  databaseClusterId: 'DatabaseClusterIdentifier',
  bastionAddress: 'BastionAddress',
  bastionInstanceId: 'BastionInstanceId',
  bastionTunnelUser: 'BastionTunnelUser',
  bastionKeysParameterPath: 'BastionKeysParameterPath',
  bastionSessionPolicyArn: 'BastionSessionPolicyArn',
  repositoryUri: 'RepositoryUri',
  imageTag: 'RunningImageTag',
  deployStateTable: 'DeployStateTableName',
  /** Only where `datadog.enabled` and `datadog.externalId` are set. */
  datadogIntegrationRoleArn: 'DatadogIntegrationRoleArn',
  /** Only where `delivery` is configured: the role the bot and CI assume to operate the environment. */
  operatorRoleArn: 'OperatorRoleArn',
  /** Only where `delivery` is configured: the read-only role a pull request's plan reads the stack with. */
  planRoleArn: 'PlanRoleArn',
} as const;

/**
 * TCP ports the bot's tasks may connect out on (its security group's egress rules): 443 (Slack, AWS,
 * Datadog, PagerDuty, and the HTTPS listener of an environment with a domain) and 9000 (the gRPC
 * listener of every environment). Not 80: an environment without a domain serves plain HTTP there,
 * and the deploy check reads that environment's HTTP health from the load balancer's target health
 * instead (the end-to-end HTTP request is reported as not checked from the bot).
 */
export const BOT_EGRESS_PORTS: readonly number[] = [443, 9000];

/** The stack parameter that carries the service's image tag; an infrastructure-only deploy keeps its value. */
export const IMAGE_TAG_PARAMETER = 'ImageTag';

/**
 * Prefix of the extra tag a deploy puts on each image an environment's stack references (the one it deploys
 * and the one it replaces, which `/rollback` returns to): `deployed-<env>-<tag>`. The repositories'
 * lifecycle never expires an image with such a tag (stacks/ci/image-repository.ts).
 */
export const DEPLOYED_IMAGE_TAG_PREFIX = 'deployed-';

/** Tag keys put on every resource, so that costs, monitors and IAM conditions can select an environment. */
export const RESOURCE_TAGS = {
  project: 'wheelhouse:project',
  environment: 'wheelhouse:environment',
} as const;

/**
 * CloudFormation output keys of the CI stack (`<project>-ci`). Each environment's deploy role has an
 * output of its own, {@link ciDeployRoleOutput}.
 */
export const CI_STACK_OUTPUTS = {
  /** The service's release repository (the output keeps the name it had when there was one repository). */
  releaseRepositoryUri: 'ServiceRepositoryUri',
  /** The service's branch repository. */
  branchRepositoryUri: 'BranchRepositoryUri',
  botRepositoryUri: 'BotRepositoryUri',
  /** The pull requests' plan role, {@link ciPlanRoleName}. */
  planRoleArn: 'PlanRoleArn',
} as const;

/**
 * The CI stack's output key with the ARN of an environment's deploy role: `DeployRoleArn` and the
 * environment's name in PascalCase, e.g. `DeployRoleArnDev`, `DeployRoleArnEuProd` for `eu-prod`.
 */
export function ciDeployRoleOutput(environmentName: string): string {
  const pascal = environmentName
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
  return `DeployRoleArn${pascal}`;
}

/**
 * The CI role that jobs of the GitHub environment named after an environment assume
 * (`<project>-ci-deploy-<env>`): it pushes the service's images to the repository of that environment's
 * image tier and deploys that environment, no other.
 */
export function ciDeployRoleName(project: Pick<Config['project'], 'name'>, environmentName: string): string {
  return `${project.name}-ci-deploy-${environmentName}`;
}

/** The ARN of an environment's CI deploy role, in the tools account (the workflows compute it from this). */
export function ciDeployRoleArn(
  project: Pick<Config['project'], 'name'>,
  delivery: Pick<DeliveryConfig, 'account' | 'region'>,
  environmentName: string,
): string {
  return iamRoleArn(delivery, ciDeployRoleName(project, environmentName));
}

/**
 * The CI role that pull requests' plan jobs assume (`<project>-ci-plan`): it may only assume each
 * environment's plan role ({@link planRoleName}), which reads that environment's stack and nothing else.
 */
export function ciPlanRoleName(project: Pick<Config['project'], 'name'>): string {
  return `${project.name}-ci-plan`;
}

/** The ARN of the pull requests' plan role, in the tools account (the workflows compute it from this). */
export function ciPlanRoleArn(
  project: Pick<Config['project'], 'name'>,
  delivery: Pick<DeliveryConfig, 'account' | 'region'>,
): string {
  return iamRoleArn(delivery, ciPlanRoleName(project));
}

/** The bot stack's parameter that carries the bot's image tag (in the bot repository). */
export const BOT_IMAGE_TAG_PARAMETER = 'BotImageTag';

/**
 * Set to `true` where the bot or CI runs on AWS: each environment's calls then go through that
 * environment's operator role (STS AssumeRole) instead of the process's own credentials.
 */
export const ASSUME_OPERATOR_ROLE_VARIABLE = 'WHEELHOUSE_ASSUME_OPERATOR_ROLE';

/**
 * Set to `true` in a pull request's plan job: `deploy --plan` then diffs each environment through that
 * environment's plan role ({@link planRoleName}, STS AssumeRole from the process's credentials, the CI
 * plan role's) instead of the CDK bootstrap lookup role. Only `--plan` reads it.
 */
export const ASSUME_PLAN_ROLE_VARIABLE = 'WHEELHOUSE_ASSUME_PLAN_ROLE';

/**
 * The bot's drain time in seconds: on SIGTERM, how long its deploys in flight may run on before they
 * are interrupted cleanly. The bot stack sets it under the task's stop timeout.
 */
export const DRAIN_SECONDS_VARIABLE = 'WHEELHOUSE_DRAIN_SECONDS';

/** The CDK bootstrap qualifier the stacks are synthesized for (the default of `cdk bootstrap`). */
export const CDK_BOOTSTRAP_QUALIFIER = 'hnb659fds';

/** The roles `cdk bootstrap` creates in each account and region. */
export type CdkBootstrapRole = 'deploy' | 'file-publishing' | 'image-publishing' | 'lookup';

/** The name of a CDK bootstrap role, e.g. `cdk-hnb659fds-deploy-role-222222222222-eu-west-1`. */
export function cdkBootstrapRoleName(role: CdkBootstrapRole, account: string, region: string): string {
  return `cdk-${CDK_BOOTSTRAP_QUALIFIER}-${role}-role-${account}-${region}`;
}

/** The AWS partition of a region: `aws`, `aws-us-gov` or `aws-cn`. */
export function partitionOf(region: string): string {
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('cn-')) return 'aws-cn';
  return 'aws';
}

/** The environment's operator role (`<stack>-operator`), which the bot and CI assume to act on it. */
export function operatorRoleName(environment: Pick<EnvironmentConfig, 'stackName'>): string {
  return `${environment.stackName}-operator`;
}

/** The ARN of the environment's operator role. */
export function operatorRoleArn(
  environment: Pick<EnvironmentConfig, 'stackName' | 'account' | 'region'>,
): string {
  return iamRoleArn(environment, operatorRoleName(environment));
}

/**
 * The environment's plan role (`<stack>-plan`): `DescribeStacks` and `GetTemplate` of its own stack (and
 * the region's zones, for the synth), all that `deploy --plan`'s template diff reads
 * (`stacks/plan-role.ts`). Only the CI plan role ({@link ciPlanRoleName}) may assume it.
 */
export function planRoleName(environment: Pick<EnvironmentConfig, 'stackName'>): string {
  return `${environment.stackName}-plan`;
}

/** The ARN of the environment's plan role. */
export function planRoleArn(
  environment: Pick<EnvironmentConfig, 'stackName' | 'account' | 'region'>,
): string {
  return iamRoleArn(environment, planRoleName(environment));
}

/** One secret of the bot: its Secrets Manager name and the variable the container sees it as. */
export interface BotSecret {
  readonly secretName: string;
  readonly variable: string;
}

/** Names of the CI and bot stacks and of what they create, derived from the project name. */
export interface DeliveryNames {
  /**
   * `<project>-ci`: GitHub OIDC, the image repositories, a deploy role per environment ({@link ciDeployRoleName})
   * and the pull requests' plan role ({@link ciPlanRoleName}).
   */
  readonly ciStackName: string;
  /** `<project>-bot`: the bot on ECS Fargate. */
  readonly botStackName: string;
  /** The bot's ECS task role. */
  readonly botTaskRoleName: string;
  /** The bot's own image repository (the service's are `registry.repositoryName` and `branchRepositoryName`). */
  readonly botRepositoryName: string;
  /** Secrets the bot's container receives, created by a person before the first deploy. */
  readonly botSecrets: {
    readonly slackBotToken: BotSecret;
    readonly slackAppToken: BotSecret;
    readonly datadogApiKey: BotSecret;
    readonly datadogAppKey: BotSecret;
    readonly pagerDutyToken: BotSecret;
  };
}

/** The names of the CI and bot stacks' resources for `project`. */
export function deliveryNames(project: Pick<Config['project'], 'name'>): DeliveryNames {
  const p = project.name;
  const secret = (name: string, variable: string): BotSecret => ({
    secretName: `${p}/bot/${name}`,
    variable,
  });
  return {
    ciStackName: `${p}-ci`,
    botStackName: `${p}-bot`,
    botTaskRoleName: `${p}-bot-task`,
    botRepositoryName: `${p}/bot`,
    botSecrets: {
      slackBotToken: secret('slack-bot-token', 'SLACK_BOT_TOKEN'),
      slackAppToken: secret('slack-app-token', 'SLACK_APP_TOKEN'),
      datadogApiKey: secret('datadog-api-key', 'DD_API_KEY'),
      datadogAppKey: secret('datadog-app-key', 'DD_APP_KEY'),
      pagerDutyToken: secret('pagerduty-token', 'PAGERDUTY_TOKEN'),
    },
  };
}

/** The DynamoDB table holding an environment's deploy lock, approvals and history (`<stack>-deploy-state`). */
export function deployStateTableName(environment: Pick<EnvironmentConfig, 'stackName'>): string {
  return `${environment.stackName}-deploy-state`;
}

/** Finds an environment by name, or throws a ConfigError that lists the known ones. */
export function findEnvironment(config: Config, name: string): EnvironmentConfig {
  const env = config.environments.find((e) => e.name === name);
  if (!env) {
    const known = config.environments.map((e) => e.name).join(', ');
    throw new ConfigError(config.source, [
      { path: `environments.${name}`, message: `no such environment; known: ${known}` },
    ]);
  }
  return env;
}

/** The ARN of IAM role `name` in `where.account`, in the partition of `where.region`. */
function iamRoleArn(where: { readonly account: string; readonly region: string }, name: string): string {
  return `arn:${partitionOf(where.region)}:iam::${where.account}:role/${name}`;
}

/**
 * The source identities the environments' roles accept (`StringLike sts:SourceIdentity` in their trust
 * policies): `slack-<user id>`, `gh-<run id>`, `cli-<os user>`, the prefixes of `ops/aws-actor.ts`.
 */
export const ACTOR_SOURCE_IDENTITY_PATTERNS: readonly string[] = ['slack-*', 'gh-*', 'cli-*'];
