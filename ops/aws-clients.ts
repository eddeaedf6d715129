/**
 * The one place AWS SDK clients are made: per region, created on first use, with the SDK loaded
 * lazily (a dynamic import) so that the bot starts fast and the shell never loads what it does not run.
 *
 * Credentials come from the SDK's default chain unless given; endpoints honour `AWS_ENDPOINT_URL`
 * and `AWS_ENDPOINT_URL_<SERVICE>` (the SDK reads them itself). Calls about an environment name
 * it (an {@link AwsEnvironment}); with `assumeOperatorRole` (on AWS: the bot's task and CI), they use
 * that environment's operator role, assumed through STS and shared by every client of the environment.
 * With `assumePlanRole` (a pull request's plan job), `deploy --plan`'s diff uses the environment's plan
 * role the same way ({@link AwsClients.planDeployer}).
 *
 * {@link AwsClients.actingFor} gives the same clients for one person or run: their assumed-role sessions
 * carry who it is (an STS source identity, session tags and a session name, `./aws-actor.ts`), so that
 * CloudTrail shows who acted rather than the bot's or CI's role alone. Calls with the process's own
 * credentials (no role to assume: a person's own credentials locally, the registry in the tools account)
 * are the same for everyone; CloudTrail already names their caller.
 */
import type { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import type { CloudFormationClient, CloudFormationClientConfig } from '@aws-sdk/client-cloudformation';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { STSClient } from '@aws-sdk/client-sts';
import {
  ASSUME_OPERATOR_ROLE_VARIABLE,
  ASSUME_PLAN_ROLE_VARIABLE,
  type EnvironmentConfig,
  operatorRoleArn,
  planRoleArn,
} from '../config';
import { type AwsActor, actorKey, roleSessionNameOf, sessionTags, sourceIdentity } from './aws-actor';
import type { StackDeployer } from './deploy/stack-deployer';

/** A credentials provider as the SDK takes it. */
export type AwsCredentials = NonNullable<CloudFormationClientConfig['credentials']>;

/** An environment as the clients see it: its account and region, and its stack (which names its operator role). */
export type AwsEnvironment = Pick<EnvironmentConfig, 'account' | 'region' | 'stackName'>;

/**
 * Where calls go: an environment (its region, and its operator role when roles are assumed), or a
 * bare region for calls with the process's own credentials (the image registry in the tools account).
 */
export type AwsTarget = AwsEnvironment | string;

/** Temporary credentials as STS returns them. */
interface SessionCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

/** Assumed credentials are renewed this long before they expire, so that no call starts with a dying session. */
const RENEW_BEFORE_EXPIRY_MS = 5 * 60_000;

/**
 * How many actors' clients and sessions {@link AwsClients.actingFor} keeps, least recently used out first.
 * A workspace has at most a few hundred people who run commands; each actor holds one session per role and
 * a client per service it used, so the bound keeps a long-running bot's memory flat whoever comes and goes,
 * while everyone active keeps their session (one AssumeRole per person and role per session lifetime).
 */
export const MAX_ACTORS = 256;

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
  /**
   * Make each environment's calls with its operator role (`<stack>-operator`, STS AssumeRole from
   * `credentials`). On where the bot or CI runs on AWS (see {@link readAssumeOperatorRole}).
   * @default false: every call uses `credentials` (a person's own, locally)
   */
  readonly assumeOperatorRole?: boolean;
  /**
   * Make `deploy --plan`'s diff read each environment with its plan role (`<stack>-plan`, STS AssumeRole
   * from `credentials`) instead of through the CDK bootstrap lookup role. On in pull requests' plan jobs,
   * whose credentials (the CI plan role's) may assume nothing else (see {@link readAssumePlanRole}).
   * @default false: the diff starts from `credentials` and reads through the lookup role
   */
  readonly assumePlanRole?: boolean;
  /**
   * The STS session name of roles assumed for no one in particular (clients not from {@link AwsClients.actingFor}),
   * seen in the environments' CloudTrail. @default 'wheelhouse'
   */
  readonly roleSessionName?: string;
}

/**
 * Reads {@link ASSUME_OPERATOR_ROLE_VARIABLE} (`true`/`false`, `1`/`0`; unset is false). Throws an
 * Error naming the variable and its value when it is anything else.
 */
export function readAssumeOperatorRole(env: NodeJS.ProcessEnv): boolean {
  return readSwitch(env, ASSUME_OPERATOR_ROLE_VARIABLE, 'set it to true where the bot or CI runs on AWS');
}

/**
 * Reads {@link ASSUME_PLAN_ROLE_VARIABLE} as {@link readAssumeOperatorRole} reads its variable: `true`
 * or `1` in a pull request's plan job, unset (false) elsewhere; anything else throws, naming it.
 */
export function readAssumePlanRole(env: NodeJS.ProcessEnv): boolean {
  return readSwitch(env, ASSUME_PLAN_ROLE_VARIABLE, "set it to true in a pull request's plan job");
}

function readSwitch(env: NodeJS.ProcessEnv, variable: string, fix: string): boolean {
  const value = env[variable]?.trim().toLowerCase() ?? '';
  if (value === '' || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  throw new Error(`${variable} must be true or false, got "${value.slice(0, 20)}": ${fix}`);
}

/** How ops that wait for AWS (rollouts, scaling) poll. */
export interface WatchTimings {
  /** Between two polls. */
  readonly pollIntervalMs: number;
  /** How long `/scale` watches for the running count to match. */
  readonly scaleDeadlineMs: number;
  /**
   * How long a deploy's health check waits, after the stack update, for the ECS rollout to complete
   * and the load balancer to see every new task healthy.
   */
  readonly healthDeadlineMs: number;
}

/** Polling every 5 s; `/scale` watches for 10 minutes; the health check waits up to 5 minutes. */
export const DEFAULT_WATCH_TIMINGS: WatchTimings = {
  pollIntervalMs: 5_000,
  scaleDeadlineMs: 600_000,
  healthDeadlineMs: 300_000,
};

interface ClientLike {
  readonly config: { credentials: () => Promise<unknown> };
  destroy(): void;
}

/** Lazily created AWS SDK clients, one per service, region and (when assumed) operator role and actor. */
export class AwsClients {
  private readonly cache = new Map<string, Promise<ClientLike>>();
  private readonly roleCredentials = new Map<string, () => Promise<SessionCredentials>>();
  /** The clients made with the constructor: they own the STS client and every actor's clients. */
  private root: AwsClients = this;
  /** Who this instance's assumed sessions are for; null for the constructor's clients. */
  private actor: AwsActor | null = null;
  /** The root's actors, least recently used first (a Map keeps insertion order). */
  private readonly actors = new Map<string, AwsClients>();

  constructor(private readonly options: AwsClientsOptions = {}) {}

  /**
   * The same clients, acting for `actor`: every role they assume carries its source identity, session
   * tags and session name (`./aws-actor.ts`). One instance, and so one session per role, per actor: asking
   * again for the same actor returns it, renewing nothing. Calls with the process's own credentials are
   * shared with every actor. At most {@link MAX_ACTORS} actors are kept; one pushed out is not closed (a
   * command may still be using it, a deploy runs for minutes) and is collected when nothing uses it.
   */
  actingFor(actor: AwsActor): AwsClients {
    const { root } = this;
    const key = actorKey(actor);
    let clients = root.actors.get(key);
    if (clients) {
      root.actors.delete(key);
    } else {
      clients = new AwsClients(root.options);
      clients.root = root;
      clients.actor = actor;
    }
    root.actors.set(key, clients);
    for (const oldest of root.actors.keys()) {
      if (root.actors.size <= MAX_ACTORS) break;
      root.actors.delete(oldest);
    }
    return clients;
  }

  /** CloudFormation, for stack outputs. */
  cloudFormation(where: AwsTarget): Promise<CloudFormationClient> {
    return this.get('cloudformation', where, async (config) => {
      const { CloudFormationClient } = await import('@aws-sdk/client-cloudformation');
      return new CloudFormationClient(config);
    });
  }

  /** ECS, for the service and its deployments. */
  ecs(where: AwsTarget): Promise<ECSClient> {
    return this.get('ecs', where, async (config) => {
      const { ECSClient } = await import('@aws-sdk/client-ecs');
      return new ECSClient(config);
    });
  }

  /** Elastic Load Balancing v2, for the target health of the service's target groups. */
  loadBalancing(where: AwsTarget): Promise<ElasticLoadBalancingV2Client> {
    return this.get('elastic-load-balancing-v2', where, async (config) => {
      const { ElasticLoadBalancingV2Client } = await import('@aws-sdk/client-elastic-load-balancing-v2');
      return new ElasticLoadBalancingV2Client(config);
    });
  }

  /** Application Auto Scaling, for the service's scalable target. */
  autoScaling(where: AwsTarget): Promise<ApplicationAutoScalingClient> {
    return this.get('application-auto-scaling', where, async (config) => {
      const { ApplicationAutoScalingClient } = await import('@aws-sdk/client-application-auto-scaling');
      return new ApplicationAutoScalingClient(config);
    });
  }

  /** RDS, for the Aurora cluster. */
  rds(where: AwsTarget): Promise<RDSClient> {
    return this.get('rds', where, async (config) => {
      const { RDSClient } = await import('@aws-sdk/client-rds');
      return new RDSClient(config);
    });
  }

  /** Secrets Manager, for secrets the bot uses (the PagerDuty routing key). */
  secretsManager(where: AwsTarget): Promise<SecretsManagerClient> {
    return this.get('secrets-manager', where, async (config) => {
      const { SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
      return new SecretsManagerClient(config);
    });
  }

  /** DynamoDB, for the deploy lock, approvals and history. */
  dynamoDb(where: AwsTarget): Promise<DynamoDBClient> {
    return this.get('dynamodb', where, async (config) => {
      const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
      return new DynamoDBClient(config);
    });
  }

  /** ECR, for the image tags a deploy may use. */
  ecr(where: AwsTarget): Promise<ECRClient> {
    return this.get('ecr', where, async (config) => {
      const { ECRClient } = await import('@aws-sdk/client-ecr');
      return new ECRClient(config);
    });
  }

  /** The stack deployer (toolkit-lib and the CDK app, loaded on first use: they take seconds). */
  async stackDeployer(): Promise<StackDeployer> {
    if (this.options.stackDeployer) return this.options.stackDeployer;
    const { toolkitStackDeployer } = await this.toolkitDeployerModule();
    return toolkitStackDeployer(this.options.credentials);
  }

  private toolkitDeployerModule(): Promise<typeof import('./deploy/toolkit-stack-deployer.js')> {
    // A computed specifier: the module resolves the same under tsx and jest, and stays out of start-up.
    const specifier = './deploy/toolkit-stack-deployer';
    return import(specifier) as Promise<typeof import('./deploy/toolkit-stack-deployer.js')>;
  }

  /** The plan role `deploy --plan` reads `environment` with, or null when it reads through the lookup role. */
  planRoleOf(environment: AwsEnvironment): string | null {
    return this.options.assumePlanRole ? planRoleArn(environment) : null;
  }

  /**
   * The stack deployer whose `diff` `deploy --plan` runs for `environment`. With `assumePlanRole`,
   * toolkit-lib starts from the environment's plan role (assumed from the process's credentials, renewed
   * before it expires) and reads the deployed stack with it alone; otherwise this is {@link stackDeployer}.
   * The role is assumed here, up front, so that a refusal says which role refused rather than surfacing
   * as toolkit-lib's "no credentials have been configured". Throws an Error naming the role.
   */
  async planDeployer(environment: AwsEnvironment): Promise<StackDeployer> {
    const role = this.planRoleOf(environment);
    if (role === null) return this.stackDeployer();
    const credentials = this.assumedRole(role, environment.region);
    try {
      await credentials();
    } catch (error) {
      throw new Error(
        `cannot assume the plan role ${role}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    if (this.options.stackDeployer) return this.options.stackDeployer;
    const { toolkitStackDeployer } = await this.toolkitDeployerModule();
    return toolkitStackDeployer(credentials, { readWithCredentials: true });
  }

  /** How ops poll AWS while they watch something change. */
  get watch(): WatchTimings {
    return { ...DEFAULT_WATCH_TIMINGS, ...this.options.watch };
  }

  /** SSM Parameter Store, for bastion keys. */
  ssm(where: AwsTarget): Promise<SSMClient> {
    return this.get('ssm', where, async (config) => {
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

  /**
   * The credentials of `roleArn`, one provider per role for every client of it: AssumeRole (from the
   * process's own credentials) on first use, then again a few minutes before the session expires.
   * Concurrent callers share one request; a failed one is not kept.
   */
  private assumedRole(roleArn: string, region: string): () => Promise<SessionCredentials> {
    let provider = this.roleCredentials.get(roleArn);
    if (provider) return provider;
    let held: SessionCredentials | null = null;
    let pending: Promise<SessionCredentials> | null = null;
    provider = () => {
      if (held && held.expiration.getTime() - Date.now() > RENEW_BEFORE_EXPIRY_MS)
        return Promise.resolve(held);
      pending ??= this.assumeRole(roleArn, region).then(
        (credentials) => {
          held = credentials;
          pending = null;
          return credentials;
        },
        (error: unknown) => {
          pending = null;
          throw error;
        },
      );
      return pending;
    };
    this.roleCredentials.set(roleArn, provider);
    return provider;
  }

  private async assumeRole(roleArn: string, region: string): Promise<SessionCredentials> {
    const sdk = await import('@aws-sdk/client-sts');
    // The process's own credentials call STS, whoever the session is for.
    const sts = await this.root.get<STSClient>('sts', region, async (config) => new sdk.STSClient(config));
    const { actor } = this;
    const { Credentials: c } = await sts.send(
      new sdk.AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: actor ? roleSessionNameOf(actor) : (this.options.roleSessionName ?? 'wheelhouse'),
        // The role's trust policy must allow sts:SetSourceIdentity and sts:TagSession (stacks/operator-role.ts).
        ...(actor ? { SourceIdentity: sourceIdentity(actor), Tags: sessionTags(actor) } : {}),
      }),
    );
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new Error(`STS AssumeRole of ${roleArn} returned no credentials`);
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    };
  }

  /** Closes every client's sockets: the constructor's and every actor's, whichever instance it is called on. */
  async destroy(): Promise<void> {
    const { root } = this;
    // `this` too: an actor pushed out of the root's list still holds its own clients.
    const families = new Set([root, this, ...root.actors.values()]);
    root.actors.clear();
    for (const family of families) {
      const clients = await Promise.all(family.cache.values());
      for (const client of clients) client.destroy();
      family.cache.clear();
    }
  }

  private get<T>(
    service: string,
    where: AwsTarget,
    make: (config: {
      region: string;
      maxAttempts: number;
      credentials?: AwsCredentials;
      endpoint?: string;
      requestHandler: { connectionTimeout: number; requestTimeout: number };
    }) => Promise<T>,
  ): Promise<T> {
    const region = typeof where === 'string' ? where : where.region;
    const role = typeof where !== 'string' && this.options.assumeOperatorRole ? operatorRoleArn(where) : null;
    // Without a role to assume the credentials are the process's whoever acts: one client for all.
    if (role === null && this.root !== this) return this.root.get(service, where, make);
    const key = role ? `${service}:${region}:${role}` : `${service}:${region}`;
    let client = this.cache.get(key);
    if (!client) {
      const credentials = role ? this.assumedRole(role, region) : this.options.credentials;
      const config = {
        region,
        maxAttempts: this.options.maxAttempts ?? 3,
        // A hung AWS call must not keep a command (or a person) waiting past Slack's patience.
        requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 },
        ...(credentials ? { credentials } : {}),
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
