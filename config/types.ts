/**
 * The fully-resolved configuration that stacks, bot and monitors read. No optional fields: every
 * default has been applied and every cross-reference checked (see `resolve.ts`).
 */
import type { CommandName, ImageTier } from './schema';

/** Who may do something: Slack users, user groups, or everyone; `roles` names the people sets it came from. */
export interface Principals {
  readonly users: readonly string[];
  readonly groups: readonly string[];
  readonly everyone: boolean;
  /** Names of the `people` sets that granted this, for messages such as "ask platform". */
  readonly roles: readonly string[];
}

/** One subnet: its availability zone and block. */
export interface SubnetLayout {
  readonly az: string;
  readonly cidr: string;
}

/** The VPC layout of one environment. */
export interface NetworkConfig {
  readonly cidr: string;
  readonly appAzs: readonly [string, string];
  readonly dataAzs: readonly [string, string, string];
  readonly natGateways: 1 | 2;
  readonly publicSubnets: readonly [SubnetLayout, SubnetLayout];
  readonly appSubnets: readonly [SubnetLayout, SubnetLayout];
  readonly dataSubnets: readonly [SubnetLayout, SubnetLayout, SubnetLayout];
  readonly flowLogRetentionDays: number;
}

/** The service's size, ports and scaling. */
export interface ServiceConfig {
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly httpPort: number;
  readonly grpcPort: number;
  readonly tasks: { readonly min: number; readonly max: number };
  readonly scaling: {
    readonly cpuPercent: number;
    readonly memoryPercent: number;
    readonly requestsPerTarget: number;
    readonly scaleInCooldownSeconds: number;
    readonly scaleOutCooldownSeconds: number;
  };
  readonly limits: { readonly maxTasks: number; readonly approvalAboveTasks: number };
  readonly stopTimeoutSeconds: number;
  readonly logRetentionDays: number;
}

/** Aurora PostgreSQL Serverless v2. */
export interface DatabaseConfig {
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly deletionProtection: boolean;
  readonly backupRetentionDays: number;
  readonly engineVersion: string;
  readonly databaseName: string;
}

/** The optional message broker: MSK Serverless with IAM auth, in the data subnets. */
export interface BrokerConfig {
  /** Create the cluster and hand its bootstrap brokers to the service. @default false */
  readonly enabled: boolean;
}

/** The SSH bastion used for port-forwarding to the database. */
export interface BastionConfig {
  readonly allowedSshCidrs: readonly string[];
  readonly keyExpiryDays: number;
  readonly instanceType: string;
  readonly tunnelUser: string;
  /** SSM parameter path under which each authorized key is one parameter. */
  readonly keysParameterPath: string;
  /** The pinned AMI id, or null when not configured (the stacks then refuse to synthesize). */
  readonly ami: string | null;
  /** SSM parameter where the bastion publishes its SSH host public keys (written by the instance only). */
  readonly hostKeysParameterName: string;
}

/** A custom domain with its certificate. */
export interface DomainConfig {
  readonly name: string;
  readonly certificateArn: string;
  readonly hostedZoneId: string | null;
}

/** Datadog for one environment. */
export interface DatadogConfig {
  readonly enabled: boolean;
  readonly site: string;
  readonly externalId: string | null;
  readonly apiKeySecretName: string;
  readonly bakeMinutes: number;
  readonly slackAccount: string;
  /** Slack handles name the account (`@slack-<account>-<channel>`): Datadog has more than one workspace. */
  readonly multipleSlackWorkspaces: boolean;
  readonly runbookBaseUrl: string | null;
  readonly tags: readonly string[];
}

/** PagerDuty for one environment. */
export interface PagerDutyConfig {
  readonly enabled: boolean;
  readonly serviceId: string | null;
  readonly datadogServiceName: string | null;
  readonly escalationPolicyId: string | null;
  readonly routingKeySecretName: string;
}

/** A time window with no deploys, in the project's time zone. */
export interface FreezeWindowConfig {
  readonly days: readonly ('mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun')[];
  readonly from: string;
  readonly to: string;
  readonly reason: string;
}

/** Deploy safety for one environment. */
export interface DeployConfig {
  readonly approvalExpiryMinutes: number;
  readonly lockTtlMinutes: number;
  readonly freezeWindows: readonly FreezeWindowConfig[];
  readonly releaseTagPattern: string;
  /** Days a `/signoff` stays valid for command-line deploys of a protected environment. */
  readonly signOffExpiryDays: number;
}

/** Who may do what in one environment. */
export interface PermissionsConfig {
  readonly admins: Principals;
  readonly approvers: Principals;
  readonly commands: Readonly<Record<CommandName, Principals>>;
}

/** Where an environment's service images come from: its trust tier and that tier's repository. */
export interface ImagesConfig {
  /**
   * `branch`: any branch deploys here, from the branch repository; `release`: only `main` or release tags
   * do, from the release repository (see `IMAGE_TIERS` in `schema.ts`).
   */
  readonly tier: ImageTier;
  /**
   * The repository in `registry` (its account and region) that the task definition pulls from, that this
   * environment's CI role pushes to, and whose tags `/deploy` and `wheelhouse deploy` check.
   */
  readonly repositoryName: string;
}

/** One environment, fully resolved. */
export interface EnvironmentConfig {
  /** The key under `environments`, e.g. `prod`. */
  readonly name: string;
  /** CloudFormation stack name, `<project>-<env>`. */
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly protected: boolean;
  readonly images: ImagesConfig;
  readonly network: NetworkConfig;
  readonly service: ServiceConfig;
  readonly database: DatabaseConfig;
  readonly broker: BrokerConfig;
  readonly bastion: BastionConfig;
  readonly domain: DomainConfig | null;
  readonly slack: { readonly channels: readonly string[]; readonly alertChannel: string };
  readonly permissions: PermissionsConfig;
  readonly datadog: DatadogConfig;
  readonly pagerduty: PagerDutyConfig;
  readonly deploy: DeployConfig;
}

/** The bot on ECS Fargate in the tools account. */
export interface BotDeliveryConfig {
  readonly cpu: number;
  readonly memoryMiB: number;
  /** Tasks running at once, each with its own Socket Mode connection. */
  readonly replicas: number;
  /** Default of the bot stack's `BotImageTag` parameter, or null: each deploy names one. */
  readonly imageTag: string | null;
  readonly logRetentionDays: number;
  /** The zones of the bot's VPC, one private subnet (and one task) in each. */
  readonly availabilityZones: readonly [string, string];
}

/** The CI and bot stacks: where they live and whom they trust. */
export interface DeliveryConfig {
  /** The tools account and region (the registry's: the CI stack creates the registry there). */
  readonly account: string;
  readonly region: string;
  readonly github: {
    /** `owner/name`. */
    readonly repository: string;
  };
  readonly bot: BotDeliveryConfig;
}

/** The registry of the service's images: one account and region, one repository per image tier. */
export interface RegistryConfig {
  readonly account: string;
  readonly region: string;
  /** The release repository: images built from `main`, run by `release` environments (stage, prod). */
  readonly repositoryName: string;
  /** The branch repository: images built from any branch, run by `branch` environments (dev) only. */
  readonly branchRepositoryName: string;
}

/** The whole configuration. */
export interface Config {
  readonly project: { readonly name: string; readonly timeZone: string };
  readonly registry: RegistryConfig;
  readonly slack: { readonly auditChannel: string | null };
  /** The CI and bot stacks, or null when `delivery` is left out (environment stacks only). */
  readonly delivery: DeliveryConfig | null;
  /** Environments in file order. */
  readonly environments: readonly EnvironmentConfig[];
  /** Where it was loaded from, for messages. */
  readonly source: string;
}
