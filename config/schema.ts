/**
 * The schema of `wheelhouse.yml`: what may be written, with its defaults in one place.
 *
 * Cross-field rules (bounds, CIDR layout, people references) live in `resolve.ts`, which turns the
 * parsed file into the fully-resolved {@link Config}.
 */
import { z } from 'zod';

/** Every bot command that permissions can name. `help` is always open to everyone. */
export const COMMAND_NAMES = [
  'status',
  'tunnel',
  'bastion-key',
  'deploy',
  'rollback',
  'scale',
  'lock',
  'unlock',
  'oncall',
  'page',
  'signoff',
] as const;

/** A command that permissions can name. */
export type CommandName = (typeof COMMAND_NAMES)[number];

/** Valid Fargate CPU units and the memory sizes (MiB) each allows. */
export const FARGATE_MEMORY: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: [1024, 2048, 3072, 4096],
  1024: [2048, 3072, 4096, 5120, 6144, 7168, 8192],
  2048: Array.from({ length: 13 }, (_, i) => 4096 + i * 1024),
  4096: Array.from({ length: 23 }, (_, i) => 8192 + i * 1024),
};

const name = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{0,19}$/,
    'must be lower-case letters, digits and dashes, starting with a letter (at most 20)',
  );
const account = z
  .string()
  .regex(/^\d{12}$/, 'must be a 12-digit AWS account id, quoted in YAML ("123456789012")');
const region = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region such as eu-west-1');
const cidr = z.cidrv4({ message: 'must be an IPv4 CIDR block such as 10.0.0.0/16' });
const slackUser = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'must be a Slack user id (U… or W…), not a name');
const slackGroup = z.string().regex(/^S[A-Z0-9]{2,}$/, 'must be a Slack user group id (S…), not a handle');
const slackChannel = z
  .string()
  .regex(/^[CG][A-Z0-9]{2,}$/, 'must be a Slack channel id (C… or G…), not a #name');
const hhmm = z.string().regex(/^([01]\d|2[0-4]):[0-5]\d$/, 'must be a time of day as HH:MM (24-hour)');
const weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
const timeZone = z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin');
const repositoryName = z
  .string()
  .regex(
    /^[a-z0-9]+([._/-][a-z0-9]+)*$/,
    'must be an ECR repository name: lower-case letters and digits, separated by . _ - or / (such as wheelhouse/service)',
  );

/** Retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
const retentionDays = z
  .number()
  .refine(
    (d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d),
    `must be a CloudWatch Logs retention: one of ${LOG_RETENTION_DAYS.join(', ')}`,
  );

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** A named set of people: Slack users and user groups, or everyone in the workspace. */
const peopleSchema = z.strictObject({
  /** Slack user ids. @default [] */
  users: z.array(slackUser).default([]),
  /** Slack user group ids: members are resolved at command time. @default [] */
  groups: z.array(slackGroup).default([]),
  /** Everyone in the workspace. @default false */
  everyone: z.boolean().default(false),
});

/** References to named people sets (keys of the top-level `people`). */
const peopleRefs = z.array(z.string().min(1));

const networkSchema = z.strictObject({
  /** The VPC's IPv4 block. */
  cidr,
  /** Exactly 2 availability zones for the public and app tiers. */
  appAzs: z.array(z.string()).length(2, 'must list exactly 2 availability zones (public and app tiers)'),
  /** Exactly 3 availability zones for the data tier. */
  dataAzs: z.array(z.string()).length(3, 'must list exactly 3 availability zones (data tier)'),
  /** NAT gateways: 2 is one per app AZ (survives an AZ outage), 1 saves cost in dev. @default 2 */
  natGateways: z.union([z.literal(1), z.literal(2)]).default(2),
  /** Explicit subnet blocks; each list is derived from `cidr` when left out. */
  subnets: z
    .strictObject({
      public: z.array(cidr).length(2).optional(),
      app: z.array(cidr).length(2).optional(),
      data: z.array(cidr).length(3).optional(),
    })
    .default({}),
  /** Days to keep VPC flow logs. @default 30 */
  flowLogRetentionDays: retentionDays.default(30),
});

const serviceSchema = z.strictObject({
  /** Fargate CPU units. @default 512 */
  cpu: z
    .union([z.literal(256), z.literal(512), z.literal(1024), z.literal(2048), z.literal(4096)])
    .default(512),
  /** Task memory in MiB; must be valid for the CPU. @default 1024 */
  memoryMiB: z.number().int().default(1024),
  /** The container's HTTP port (the load balancer maps 80/443 to it). @default 8080 */
  httpPort: z.number().int().min(1024).max(65535).default(8080),
  /** The container's gRPC port. @default 9000 */
  grpcPort: z.number().int().min(1024).max(65535).default(9000),
  /**
   * Autoscaling bounds. There is deliberately no "desired" count: autoscaling and `/scale` own the running
   * count, so the stack never sets it and a deploy never resets it; a new service starts at `min`.
   */
  tasks: z
    .strictObject({
      min: z.number().int().min(1).default(2),
      max: z.number().int().min(1).default(6),
    })
    .default({ min: 2, max: 6 }),
  /** Target-tracking autoscaling targets. */
  scaling: z
    .strictObject({
      cpuPercent: z.number().min(10).max(95).default(60),
      memoryPercent: z.number().min(10).max(95).default(75),
      requestsPerTarget: z.number().int().positive().default(1000),
      scaleInCooldownSeconds: z.number().int().min(0).default(300),
      scaleOutCooldownSeconds: z.number().int().min(0).default(60),
    })
    .default({
      cpuPercent: 60,
      memoryPercent: 75,
      requestsPerTarget: 1000,
      scaleInCooldownSeconds: 300,
      scaleOutCooldownSeconds: 60,
    }),
  /** Hard limits that `/scale` never exceeds, and when scaling needs an approval. */
  limits: z
    .strictObject({
      /** `/scale` refuses counts or bounds above this. @default 20 */
      maxTasks: z.number().int().min(1).default(20),
      /** In a protected environment, scaling above this many tasks needs an approval. @default the configured max */
      approvalAboveTasks: z.number().int().min(1).optional(),
    })
    .default({ maxTasks: 20 }),
  /** Seconds ECS waits after SIGTERM before SIGKILL; the service drains within it. @default 30 */
  stopTimeoutSeconds: z.number().int().min(2).max(120).default(30),
  /** Days to keep the service's CloudWatch logs. @default 30 */
  logRetentionDays: retentionDays.default(30),
});

const databaseSchema = z.strictObject({
  /** Aurora Serverless v2 minimum ACUs (0 lets it pause). @default 0.5 */
  minCapacity: z.number().min(0).max(256).multipleOf(0.5).default(0.5),
  /** Aurora Serverless v2 maximum ACUs. @default 4 */
  maxCapacity: z.number().min(1).max(256).multipleOf(0.5).default(4),
  /** Deletion protection and snapshot-on-delete. @default true in protected environments */
  deletionProtection: z.boolean().optional(),
  /** Days of automated backups, 1..35. @default 7 */
  backupRetentionDays: z.number().int().min(1).max(35).default(7),
  /** Aurora PostgreSQL engine version. @default '16.6' */
  engineVersion: z
    .string()
    .regex(/^\d+\.\d+$/, 'must be an Aurora PostgreSQL version such as 16.6')
    .default('16.6'),
  /** Database created in the cluster. @default 'wheelhouse' */
  databaseName: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/)
    .default('wheelhouse'),
});

const brokerSchema = z.strictObject({
  /**
   * An MSK Serverless cluster (IAM auth) in the data subnets, reachable from the service only; its
   * bootstrap brokers reach the service as `KAFKA_BOOTSTRAP_SERVERS`. @default false
   */
  enabled: z.boolean().default(false),
});

const bastionSchema = z.strictObject({
  /** CIDRs allowed to reach the bastion on port 22; empty means SSM Session Manager only. @default [] */
  allowedSshCidrs: z.array(cidr).default([]),
  /** Days a key added with `/bastion-key add` stays valid. @default 30 */
  keyExpiryDays: z.number().int().min(1).max(365).default(30),
  /** EC2 instance type (ARM, Graviton). @default 't4g.nano' */
  instanceType: z
    .string()
    .regex(/^[a-z0-9]+g[a-z]*\.[a-z0-9]+$/, 'must be a Graviton (arm64) instance type such as t4g.nano')
    .default('t4g.nano'),
  /** The tunnel user: no shell, no sudo, port-forwarding only. @default 'tunnel' */
  tunnelUser: z
    .string()
    .regex(/^[a-z_][a-z0-9_-]{0,30}$/)
    .default('tunnel'),
  /**
   * The bastion's AMI (Amazon Linux 2023, arm64, in the environment's region), pinned: a new AMI replaces
   * the instance and its SSH host key, so it changes only when this value does. Required to synthesize the
   * stacks (README "Operator's guide" says how to pin the one running now).
   */
  ami: z
    .string()
    .regex(/^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/, 'must be an AMI id such as ami-0123456789abcdef0')
    .optional(),
});

const domainSchema = z.strictObject({
  /** The service's DNS name, e.g. api.example.com. */
  name: z.string().regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, 'must be a DNS name such as api.example.com'),
  /** ACM certificate ARN in the environment's region, covering `name`. */
  certificateArn: z
    .string()
    .regex(
      /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/,
      'must be an ACM certificate ARN',
    ),
  /** Route 53 hosted zone id; when set, an alias record is created. */
  hostedZoneId: z
    .string()
    .regex(/^Z[A-Z0-9]+$/)
    .optional(),
});

const datadogSchema = z.strictObject({
  /** Ship metrics, traces and logs to Datadog, and manage monitors. @default false */
  enabled: z.boolean().default(false),
  /** Datadog site. @default 'datadoghq.com' */
  site: z.string().default('datadoghq.com'),
  /** External id for the Datadog AWS integration role; no role is created without it. */
  externalId: z.string().min(8).optional(),
  /** Secrets Manager secret holding the Datadog API key. @default 'wheelhouse/datadog-api-key' */
  apiKeySecretName: z.string().default('wheelhouse/datadog-api-key'),
  /** Minutes to watch deploy-gate monitors after a rollout. @default 10 */
  bakeMinutes: z.number().int().min(0).max(240).default(10),
  /** The Slack workspace's account name in Datadog's Slack integration (checked by `monitors routes`). @default the project name */
  slackAccount: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .optional(),
  /**
   * Datadog's Slack integration has more than one Slack workspace: alert handles then name the
   * account (`@slack-<slackAccount>-<channel>`), as Datadog requires to tell the workspaces apart. @default false
   */
  multipleSlackWorkspaces: z.boolean().default(false),
  /** Where longer runbooks live; each monitor links to `<url>#<monitor id>`. @default no link (the steps are in the message) */
  runbookBaseUrl: z.url({ protocol: /^https$/, message: 'must be an https:// URL' }).optional(),
  /** Extra tags on every managed monitor and dashboard. @default [] */
  tags: z.array(z.string().regex(/^[a-z][a-z0-9_.:/-]*$/)).default([]),
});

const pagerdutySchema = z.strictObject({
  /** Page through PagerDuty for critical alerts in this environment. @default false */
  enabled: z.boolean().default(false),
  /** PagerDuty service id (P…). */
  serviceId: z
    .string()
    .regex(/^P[A-Z0-9]{5,}$/)
    .optional(),
  /** The service's name in Datadog's PagerDuty integration (used as `@pagerduty-<name>`). */
  datadogServiceName: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .optional(),
  /** Escalation policy id (P…), checked to exist. */
  escalationPolicyId: z
    .string()
    .regex(/^P[A-Z0-9]{5,}$/)
    .optional(),
  /** Secrets Manager secret holding the Events API v2 routing key. @default 'wheelhouse/<env>/pagerduty-routing-key' */
  routingKeySecretName: z.string().optional(),
});

const freezeWindowSchema = z.strictObject({
  /** Days the window covers. */
  days: z.array(weekday).min(1),
  /** Start time of day. @default '00:00' */
  from: hhmm.default('00:00'),
  /** End time of day. @default '24:00' */
  to: hhmm.default('24:00'),
  /** What people are told. */
  reason: z.string().min(1).default('deploy freeze'),
});

const deploySchema = z.strictObject({
  /** Minutes an approval request stays valid. @default 30 */
  approvalExpiryMinutes: z.number().int().min(1).max(1440).default(30),
  /** Minutes before a deploy lock expires on its own. @default 60 */
  lockTtlMinutes: z.number().int().min(5).max(1440).default(60),
  /** No deploys in these windows (the project's time zone) unless an admin overrides. @default [] */
  freezeWindows: z.array(freezeWindowSchema).default([]),
  /** Versions CI may deploy here without approval (regular expression). @default '^v\\d+\\.\\d+\\.\\d+$' */
  releaseTagPattern: z.string().default('^v\\d+\\.\\d+\\.\\d+$'),
  /** Days a `/signoff` of a release tag lets the command line deploy it to a protected environment. @default 7 */
  signOffExpiryDays: z.number().int().min(1).max(90).default(7),
});

const permissionsSchema = z.strictObject({
  /** May run every command here and override freezes. @default [] */
  admins: peopleRefs.default([]),
  /** May approve deploys and scaling in a protected environment, and `/signoff` releases. @default the admins */
  approvers: peopleRefs.optional(),
  /** Per command: who may run it. A command left out is for admins only (`signoff`: the approvers). */
  commands: z.partialRecord(z.enum(COMMAND_NAMES), peopleRefs).default({}),
});

const slackEnvSchema = z.strictObject({
  /** Channels bound to this environment; commands for other environments are refused there. @default [] */
  channels: z.array(slackChannel).default([]),
  /** Channel name Datadog alerts go to (`@slack-<name>`). @default 'wheelhouse-<env>-alerts' */
  alertChannel: z
    .string()
    .regex(/^[a-z0-9_-]+$/, 'must be a Slack channel name without #')
    .optional(),
});

/**
 * The two trust tiers of the service's images, each with its own repository.
 *
 * - `branch`: any branch deploys here (the GitHub environment of this name admits every branch). Its
 *   images are built into and pulled from `registry.branchRepositoryName`, which only such environments'
 *   CI roles may push to, and from which no `release` environment ever pulls.
 * - `release`: only `main` or release tags deploy here (its GitHub environment's deployment rules say so).
 *   Its images are in `registry.repositoryName`, which only these environments' CI roles may push to.
 *
 * ECR cannot limit a push by tag, so the tiers are kept apart by repository: a branch's job can write
 * nothing that stage or prod run.
 */
export const IMAGE_TIERS = ['branch', 'release'] as const;

/** An environment's image tier, see {@link IMAGE_TIERS}. */
export type ImageTier = (typeof IMAGE_TIERS)[number];

/** One environment as written in the file (after `defaults` are merged in). */
export const environmentSchema = z.strictObject({
  account,
  region,
  /** Protected environments need approvals, keep backups longer and forbid deletion. @default false */
  protected: z.boolean().default(false),
  /**
   * Which repository the service's images come from, and so which one this environment's CI role may push
   * to: `branch` where any branch deploys (dev), `release` where only `main` or release tags do (stage,
   * prod). It must match the deployment rules of the GitHub environment of the same name (README "CI/CD").
   * Trust is opt-in: left out, an environment gets branch images, so that a new environment cannot write
   * images that stage and prod run; a protected environment gets, and must get, release images.
   * @default 'release' in protected environments, else 'branch'
   */
  images: z
    .enum(IMAGE_TIERS, {
      message:
        'must be "branch" (any branch deploys here: images from the branch repository) or "release" (only main or release tags deploy here)',
    })
    .optional(),
  network: networkSchema,
  service: serviceSchema.default(serviceSchema.parse({})),
  database: databaseSchema.default(databaseSchema.parse({})),
  /** The optional message broker. @default { enabled: false } */
  broker: brokerSchema.default(brokerSchema.parse({})),
  bastion: bastionSchema.default(bastionSchema.parse({})),
  /** Custom domain and certificate; without one there is no HTTPS listener and gRPC goes through an NLB. */
  domain: domainSchema.optional(),
  slack: slackEnvSchema.default(slackEnvSchema.parse({})),
  permissions: permissionsSchema.default(permissionsSchema.parse({})),
  datadog: datadogSchema.default(datadogSchema.parse({})),
  pagerduty: pagerdutySchema.default(pagerdutySchema.parse({})),
  deploy: deploySchema.default(deploySchema.parse({})),
});

/** The GitHub repository whose workflows build images and deploy (OIDC, no stored keys). */
const githubSchema = z.strictObject({
  /** `owner/name`; required: the CI stack trusts this repository's workflows and no other. */
  repository: z
    .string()
    .regex(
      /^[A-Za-z0-9-]+\/[A-Za-z0-9_.-]+$/,
      'must be a GitHub repository as "owner/name" (such as acme/wheelhouse), without https://github.com/',
    )
    .optional(),
  /**
   * No longer used, and ignored with a warning: each environment's deploy role trusts only jobs of the
   * GitHub environment of the same name, whose deployment branch and tag rules say which refs deploy there.
   * @deprecated
   */
  deployRefs: z.unknown().optional(),
});

const botSchema = z.strictObject({
  /** Fargate CPU units of each bot task (deploys synthesize the CDK app in-process). @default 512 */
  cpu: z
    .union([z.literal(256), z.literal(512), z.literal(1024), z.literal(2048), z.literal(4096)])
    .default(512),
  /** Task memory in MiB; must be valid for the CPU. @default 2048 */
  memoryMiB: z.number().int().default(2048),
  /** Tasks running at once; each holds its own Socket Mode connection (Slack allows 10). @default 2 */
  replicas: z.number().int().min(1).max(10).default(2),
  /**
   * The bot image's tag in the bot repository: the default of the bot stack's `BotImageTag` parameter.
   * @default none: every deploy of the bot stack names one (CI passes the commit it built)
   */
  imageTag: z
    .string()
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'must be a container image tag')
    .optional(),
  /** Days to keep the bot's CloudWatch logs. @default 90 */
  logRetentionDays: retentionDays.default(90),
  /** The 2 availability zones of the bot's small VPC. @default the tools region's `a` and `b` zones */
  availabilityZones: z.array(z.string()).length(2, 'must list exactly 2 availability zones').optional(),
});

/** Where and how Wheelhouse delivers itself: the CI stack (registry, GitHub OIDC roles) and the bot stack. */
const deliverySchema = z.strictObject({
  /** The tools account of the CI and bot stacks. @default the registry's account */
  account: account.optional(),
  /** The tools region. @default the registry's region */
  region: region.optional(),
  github: githubSchema.default(githubSchema.parse({})),
  bot: botSchema.default(botSchema.parse({})),
});

/** The whole file. */
export const fileSchema = z.strictObject({
  project: z
    .strictObject({
      /** Prefix of every stack and resource name. @default 'wheelhouse' */
      name: name.default('wheelhouse'),
      /** Time zone of freeze windows and human-facing times. @default 'UTC' */
      timeZone: timeZone.default('UTC'),
    })
    .default({ name: 'wheelhouse', timeZone: 'UTC' }),
  /**
   * The container registry the environments pull the service image from: two repositories, one per image
   * tier (see `images` of an environment). A release image is built once, from `main`, and promoted by tag,
   * so prod runs the bytes that stage ran.
   */
  registry: z.strictObject({
    account,
    region,
    /**
     * The release repository: images built from `main`, which stage and prod (`images: release`) run. Only
     * the CI roles of release environments may push to it. @default 'wheelhouse/service'
     */
    repositoryName: repositoryName.default('wheelhouse/service'),
    /**
     * The branch repository: images built from any branch, which only `images: branch` environments (dev)
     * run, and which only their CI roles may push to. @default '<repositoryName>-branches'
     */
    branchRepositoryName: repositoryName.optional(),
  }),
  /** The CI and bot stacks in the tools account. @default none: only the environment stacks */
  delivery: deliverySchema.optional(),
  slack: z
    .strictObject({
      /** Channel id where every command is also audited. */
      auditChannel: slackChannel.optional(),
    })
    .default({}),
  /** Named sets of people, referenced by `permissions`. */
  people: z
    .record(z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be a lower-case name'), peopleSchema)
    .default({}),
  /** Merged under every environment (objects merge, lists and values replace). */
  defaults: z.record(z.string(), z.unknown()).default({}),
  environments: z
    .record(name, z.record(z.string(), z.unknown()))
    .refine((envs) => Object.keys(envs).length > 0, 'must define at least one environment'),
});

/** The file after parsing, before cross-field resolution. */
export type ParsedFile = z.output<typeof fileSchema>;
/** One environment after parsing, before cross-field resolution. */
export type ParsedEnvironment = z.output<typeof environmentSchema>;
/** A named people set after parsing. */
export type People = z.output<typeof peopleSchema>;
/** A freeze window after parsing. */
export type FreezeWindow = z.output<typeof freezeWindowSchema>;
