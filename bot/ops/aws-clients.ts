/**
 * The one place AWS SDK clients are made: per region, created on first use, with the SDK loaded
 * lazily (a dynamic import) so that the bot starts fast and the shell never loads what it does not run.
 *
 * Credentials come from the SDK's default chain unless given; endpoints honour `AWS_ENDPOINT_URL`
 * and `AWS_ENDPOINT_URL_<SERVICE>` (the SDK reads them itself).
 */
import type { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import type { CloudFormationClient, CloudFormationClientConfig } from '@aws-sdk/client-cloudformation';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { StackDeployer } from './deploy/stack-deployer';

/** A credentials provider as the SDK takes it. */
export type AwsCredentials = NonNullable<CloudFormationClientConfig['credentials']>;

/** Options for {@link AwsClients}. */
export interface AwsClientsOptions {
  /** Credentials for every client. @default the SDK's default provider chain */
  readonly credentials?: AwsCredentials;
  /** Attempts per call, including retries. @default 3 */
  readonly maxAttempts?: number;
  /** One endpoint for every service (tests: a local port, so that no call can leave the machine). @default the SDK's */
  readonly endpoint?: string;
  /** Deploys CloudFormation stacks (tests: a stand-in). @default toolkit-lib, loaded on first use */
  readonly stackDeployer?: StackDeployer;
  /** How often and how long ops watch AWS for progress. @default {@link DEFAULT_WATCH_TIMINGS} */
  readonly watch?: Partial<WatchTimings>;
}

/** How ops that wait for AWS (rollouts, scaling) poll. */
export interface WatchTimings {
  /** Between two polls. */
  readonly pollIntervalMs: number;
  /** How long `/scale` watches for the running count to match. */
  readonly scaleDeadlineMs: number;
}

/** Polling every 5 s; `/scale` watches for 10 minutes. */
export const DEFAULT_WATCH_TIMINGS: WatchTimings = { pollIntervalMs: 5_000, scaleDeadlineMs: 600_000 };

interface ClientLike {
  readonly config: { credentials: () => Promise<unknown> };
  destroy(): void;
}

/** Lazily created AWS SDK clients, one per service and region. */
export class AwsClients {
  private readonly cache = new Map<string, Promise<ClientLike>>();

  constructor(private readonly options: AwsClientsOptions = {}) {}

  /** CloudFormation, for stack outputs. */
  cloudFormation(region: string): Promise<CloudFormationClient> {
    return this.get('cloudformation', region, async (config) => {
      const { CloudFormationClient } = await import('@aws-sdk/client-cloudformation');
      return new CloudFormationClient(config);
    });
  }

  /** ECS, for the service and its deployments. */
  ecs(region: string): Promise<ECSClient> {
    return this.get('ecs', region, async (config) => {
      const { ECSClient } = await import('@aws-sdk/client-ecs');
      return new ECSClient(config);
    });
  }

  /** Application Auto Scaling, for the service's scalable target. */
  autoScaling(region: string): Promise<ApplicationAutoScalingClient> {
    return this.get('application-auto-scaling', region, async (config) => {
      const { ApplicationAutoScalingClient } = await import('@aws-sdk/client-application-auto-scaling');
      return new ApplicationAutoScalingClient(config);
    });
  }

  /** RDS, for the Aurora cluster. */
  rds(region: string): Promise<RDSClient> {
    return this.get('rds', region, async (config) => {
      const { RDSClient } = await import('@aws-sdk/client-rds');
      return new RDSClient(config);
    });
  }

  /** Secrets Manager, for secrets the bot uses (the PagerDuty routing key). */
  secretsManager(region: string): Promise<SecretsManagerClient> {
    return this.get('secrets-manager', region, async (config) => {
      const { SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
      return new SecretsManagerClient(config);
    });
  }

  /** DynamoDB, for the deploy lock, approvals and history. */
  dynamoDb(region: string): Promise<DynamoDBClient> {
    return this.get('dynamodb', region, async (config) => {
      const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
      return new DynamoDBClient(config);
    });
  }

  /** ECR, for the image tags a deploy may use. */
  ecr(region: string): Promise<ECRClient> {
    return this.get('ecr', region, async (config) => {
      const { ECRClient } = await import('@aws-sdk/client-ecr');
      return new ECRClient(config);
    });
  }

  /** The stack deployer (toolkit-lib and the CDK app, loaded on first use: they take seconds). */
  async stackDeployer(): Promise<StackDeployer> {
    if (this.options.stackDeployer) return this.options.stackDeployer;
    // A computed specifier: the module resolves the same under tsx and jest, and stays out of start-up.
    const specifier = './deploy/toolkit-stack-deployer';
    const { toolkitStackDeployer } = (await import(
      specifier
    )) as typeof import('./deploy/toolkit-stack-deployer.js');
    return toolkitStackDeployer(this.options.credentials);
  }

  /** How ops poll AWS while they watch something change. */
  get watch(): WatchTimings {
    return { ...DEFAULT_WATCH_TIMINGS, ...this.options.watch };
  }

  /** SSM Parameter Store, for bastion keys. */
  ssm(region: string): Promise<SSMClient> {
    return this.get('ssm', region, async (config) => {
      const { SSMClient } = await import('@aws-sdk/client-ssm');
      return new SSMClient(config);
    });
  }

  /**
   * True when credentials can be resolved for `region`; false when the chain finds none.
   * Commands that change something show their plan instead of acting when this is false.
   */
  async hasCredentials(region: string): Promise<boolean> {
    const client = (await this.ssm(region)) as unknown as ClientLike;
    try {
      await client.config.credentials();
      return true;
    } catch (error) {
      if (isMissingCredentials(error)) return false;
      throw error;
    }
  }

  /** Closes every client's sockets. */
  async destroy(): Promise<void> {
    const clients = await Promise.all(this.cache.values());
    for (const client of clients) client.destroy();
    this.cache.clear();
  }

  private get<T>(
    service: string,
    region: string,
    make: (config: {
      region: string;
      maxAttempts: number;
      credentials?: AwsCredentials;
      endpoint?: string;
      requestHandler: { connectionTimeout: number; requestTimeout: number };
    }) => Promise<T>,
  ): Promise<T> {
    const key = `${service}:${region}`;
    let client = this.cache.get(key);
    if (!client) {
      const config = {
        region,
        maxAttempts: this.options.maxAttempts ?? 3,
        // A hung AWS call must not keep a command (or a person) waiting past Slack's patience.
        requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 },
        ...(this.options.credentials ? { credentials: this.options.credentials } : {}),
        ...(this.options.endpoint ? { endpoint: this.options.endpoint } : {}),
      };
      client = make(config) as unknown as Promise<ClientLike>;
      this.cache.set(key, client);
    }
    return client as unknown as Promise<T>;
  }
}

/** True for the SDK's "no credentials anywhere in the chain" error. */
export function isMissingCredentials(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'CredentialsProviderError' || /Could not load credentials/.test(error.message))
  );
}
