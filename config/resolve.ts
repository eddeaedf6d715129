/** Turns a parsed `wheelhouse.yml` into the fully-resolved {@link Config}, or a {@link ConfigError} listing every problem. */
import type { z } from 'zod';
import { allocate, contains, formatCidr, overlaps, parseCidr } from './cidr';
import { ConfigError, type ConfigProblem, describeValue } from './config-error';
import { deliveryNames } from './names';
import {
  COMMAND_NAMES,
  environmentSchema,
  FARGATE_MEMORY,
  fileSchema,
  type ParsedEnvironment,
  type ParsedFile,
  type People,
} from './schema';
import type {
  Config,
  DeliveryConfig,
  EnvironmentConfig,
  NetworkConfig,
  Principals,
  RegistryConfig,
  SubnetLayout,
} from './types';

/** The result of resolving: the configuration and warnings worth logging. */
export interface Resolved {
  readonly config: Config;
  readonly warnings: readonly string[];
}

/** Validates and resolves a configuration object (as parsed from YAML). Throws {@link ConfigError}. */
export function resolveConfig(raw: unknown, source: string): Resolved {
  const problems: ConfigProblem[] = [];
  const warnings: string[] = [];
  const file = fileSchema.safeParse(raw ?? {});
  if (!file.success) throw new ConfigError(source, zodProblems(file.error, raw, []));

  const registry = resolveRegistry(file.data, (path, message) =>
    problems.push({ path: `registry.${path}`, message }),
  );
  const environments: EnvironmentConfig[] = [];
  for (const [envName, envRaw] of Object.entries(file.data.environments)) {
    const merged = deepMerge(file.data.defaults, envRaw);
    const parsed = environmentSchema.safeParse(merged);
    if (!parsed.success) {
      problems.push(...zodProblems(parsed.error, merged, ['environments', envName]));
      continue;
    }
    const at = (path: string) => `environments.${envName}.${path}`;
    const env = resolveEnvironment(
      file.data.project.name,
      envName,
      parsed.data,
      registry,
      file.data.people,
      (path, message) => problems.push({ path: at(path), message }),
    );
    if (env) environments.push(env);
  }

  for (let i = 0; i < environments.length; i++) {
    for (let j = i + 1; j < environments.length; j++) {
      const a = environments[i]!;
      const b = environments[j]!;
      if (
        a.account === b.account &&
        a.region === b.region &&
        overlaps(parseCidr(a.network.cidr), parseCidr(b.network.cidr))
      ) {
        warnings.push(
          `environments ${a.name} and ${b.name} share account ${a.account} and overlapping VPC blocks (${a.network.cidr}, ${b.network.cidr}): they cannot be peered later`,
        );
      }
    }
  }
  const delivery = resolveDelivery(file.data, registry, (path, message) =>
    problems.push({ path: `delivery.${path}`, message }),
  );
  if (file.data.delivery?.github.deployRefs !== undefined) {
    warnings.push(
      'delivery.github.deployRefs is no longer used and is ignored: each environment has its own CI deploy role, which only jobs of the GitHub environment of that name may assume; set the branches and tags that may deploy there in that GitHub environment\'s deployment rules (README "CI/CD"), and remove the field',
    );
  }
  if (problems.length > 0) throw new ConfigError(source, problems);

  return {
    config: {
      project: file.data.project,
      registry,
      slack: { auditChannel: file.data.slack.auditChannel ?? null },
      delivery,
      environments,
      source,
    },
    warnings,
  };
}

type Report = (path: string, message: string) => void;

/** The registry with the branch repository's name resolved; a clash is reported, and resolving goes on. */
function resolveRegistry(file: ParsedFile, fail: Report): RegistryConfig {
  const { account, region, repositoryName } = file.registry;
  const branchRepositoryName = file.registry.branchRepositoryName ?? `${repositoryName}-branches`;
  // One repository for both tiers would let a branch's CI job push what stage and prod run.
  if (branchRepositoryName === repositoryName) {
    fail(
      'branchRepositoryName',
      `must differ from registry.repositoryName (${repositoryName}), got ${describeValue(branchRepositoryName)}: branch images must never be where stage and prod pull from; leave it out for ${repositoryName}-branches`,
    );
  }
  return { account, region, repositoryName, branchRepositoryName };
}

function resolveEnvironment(
  project: string,
  name: string,
  env: ParsedEnvironment,
  registry: RegistryConfig,
  people: Readonly<Record<string, People>>,
  report: Report,
): EnvironmentConfig | null {
  let failed = false;
  const fail: Report = (path, message) => {
    failed = true;
    report(path, message);
  };

  const { service, database } = env;
  if (!FARGATE_MEMORY[service.cpu]?.includes(service.memoryMiB)) {
    fail(
      'service.memoryMiB',
      `${service.memoryMiB} MiB is not a Fargate size for ${service.cpu} CPU units; use one of ${FARGATE_MEMORY[service.cpu]?.join(', ')}`,
    );
  }
  if (service.tasks.max < service.tasks.min) {
    fail('service.tasks.max', `must be >= tasks.min (${service.tasks.min}), got ${service.tasks.max}`);
  }
  if (service.limits.maxTasks < service.tasks.max) {
    fail(
      'service.limits.maxTasks',
      `must be >= tasks.max (${service.tasks.max}), got ${service.limits.maxTasks}: the hard limit caps /scale`,
    );
  }
  if (service.httpPort === service.grpcPort) {
    fail('service.grpcPort', `must differ from service.httpPort (${service.httpPort})`);
  }
  if (database.maxCapacity < database.minCapacity) {
    fail(
      'database.maxCapacity',
      `must be >= database.minCapacity (${database.minCapacity}), got ${database.maxCapacity}`,
    );
  }
  try {
    new RegExp(env.deploy.releaseTagPattern);
  } catch {
    fail(
      'deploy.releaseTagPattern',
      `must be a valid regular expression, got ${describeValue(env.deploy.releaseTagPattern)}`,
    );
  }
  env.deploy.freezeWindows.forEach((w, i) => {
    if (w.from >= w.to)
      fail(
        `deploy.freezeWindows.${i}.to`,
        `must be after from (${w.from}), got ${w.to}; split a window that spans midnight in two`,
      );
  });
  if (env.datadog.enabled && env.pagerduty.enabled && !env.pagerduty.datadogServiceName) {
    fail(
      'pagerduty.datadogServiceName',
      "is required when PagerDuty is enabled: the name of the service in Datadog's PagerDuty integration",
    );
  }
  if (env.pagerduty.enabled && !env.pagerduty.serviceId) {
    fail(
      'pagerduty.serviceId',
      "is required when PagerDuty is enabled: the PagerDuty service id (P…) from the service's URL",
    );
  }

  // Trust is opt-in (see `images` in schema.ts): left out, only a protected environment takes release images.
  const tier = env.images ?? (env.protected ? 'release' : 'branch');
  if (env.protected && tier === 'branch') {
    fail(
      'images',
      'must be "release" in a protected environment, got "branch": a protected environment runs only images built from main, never a branch\'s; remove the field or set it to release',
    );
  }

  const network = resolveNetwork(env, fail);

  const principals = (path: string, refs: readonly string[]): Principals => {
    const users = new Set<string>();
    const groups = new Set<string>();
    let everyone = false;
    refs.forEach((ref, i) => {
      const set = people[ref];
      if (!set) {
        const known = Object.keys(people);
        fail(
          `${path}.${i}`,
          `names no people set, got ${describeValue(ref)}; define it under people (known: ${known.join(', ') || 'none'})`,
        );
        return;
      }
      for (const u of set.users) users.add(u);
      for (const g of set.groups) groups.add(g);
      everyone ||= set.everyone;
    });
    return { users: [...users], groups: [...groups], everyone, roles: [...refs] };
  };
  const admins = principals('permissions.admins', env.permissions.admins);
  const approvers = principals('permissions.approvers', env.permissions.approvers ?? env.permissions.admins);
  if (env.protected && approvers.users.length === 0 && approvers.groups.length === 0 && !approvers.everyone) {
    fail(
      'permissions.approvers',
      'a protected environment needs at least one approver (or admins, who approve by default)',
    );
  }
  const commands = Object.fromEntries(
    COMMAND_NAMES.map((command) => {
      const refs = env.permissions.commands[command];
      // A sign-off is an approval given ahead of time: left out, it is for the approvers, not the admins.
      if (refs === undefined && command === 'signoff') return [command, approvers];
      return [command, principals(`permissions.commands.${command}`, refs ?? env.permissions.admins)];
    }),
  ) as Record<(typeof COMMAND_NAMES)[number], Principals>;

  if (failed || !network) return null;
  return {
    name,
    stackName: `${project}-${name}`,
    account: env.account,
    region: env.region,
    protected: env.protected,
    images: {
      tier,
      repositoryName: tier === 'release' ? registry.repositoryName : registry.branchRepositoryName,
    },
    network,
    service: {
      ...service,
      limits: {
        maxTasks: service.limits.maxTasks,
        approvalAboveTasks: service.limits.approvalAboveTasks ?? service.tasks.max,
      },
    },
    database: { ...database, deletionProtection: database.deletionProtection ?? env.protected },
    broker: env.broker,
    bastion: {
      ...env.bastion,
      keysParameterPath: `/${project}/${name}/bastion/authorized-keys/`,
      ami: env.bastion.ami ?? null,
      hostKeysParameterName: `/${project}/${name}/bastion/host-keys`,
    },
    domain: env.domain ? { ...env.domain, hostedZoneId: env.domain.hostedZoneId ?? null } : null,
    slack: {
      channels: env.slack.channels,
      alertChannel: env.slack.alertChannel ?? `${project}-${name}-alerts`,
    },
    permissions: { admins, approvers, commands },
    datadog: {
      ...env.datadog,
      externalId: env.datadog.externalId ?? null,
      slackAccount: env.datadog.slackAccount ?? project,
      runbookBaseUrl: env.datadog.runbookBaseUrl ?? null,
    },
    pagerduty: {
      enabled: env.pagerduty.enabled,
      serviceId: env.pagerduty.serviceId ?? null,
      datadogServiceName: env.pagerduty.datadogServiceName ?? null,
      escalationPolicyId: env.pagerduty.escalationPolicyId ?? null,
      routingKeySecretName: env.pagerduty.routingKeySecretName ?? `${project}/${name}/pagerduty-routing-key`,
    },
    deploy: env.deploy,
  };
}

/** The CI and bot stacks' settings, or null when `delivery` is left out. */
function resolveDelivery(file: ParsedFile, registry: RegistryConfig, fail: Report): DeliveryConfig | null {
  const { delivery } = file;
  if (!delivery) return null;
  let ok = true;
  const account = delivery.account ?? registry.account;
  const region = delivery.region ?? registry.region;
  // The CI stack creates the shared registry, so it must be where the environments pull from.
  if (account !== registry.account) {
    ok = false;
    fail(
      'account',
      `must be the registry's account (${registry.account}), got ${account}: the CI stack creates the registry there; leave delivery.account out`,
    );
  }
  if (region !== registry.region) {
    ok = false;
    fail(
      'region',
      `must be the registry's region (${registry.region}), got ${region}: the CI stack creates the registry there; leave delivery.region out`,
    );
  }
  const repository = delivery.github.repository;
  if (!repository) {
    ok = false;
    fail(
      'github.repository',
      'is required: the GitHub repository whose workflows build and deploy, as "owner/name" (such as acme/wheelhouse)',
    );
  }
  const botRepository = deliveryNames(file.project).botRepositoryName;
  if (registry.repositoryName === botRepository) {
    ok = false;
    fail(
      'bot',
      `the bot's image repository is ${botRepository}, which registry.repositoryName also names: give the service's repository another name`,
    );
  }
  if (registry.branchRepositoryName === botRepository) {
    ok = false;
    fail(
      'bot',
      `the bot's image repository is ${botRepository}, which registry.branchRepositoryName also names: give the branch repository another name`,
    );
  }
  const { bot } = delivery;
  if (!FARGATE_MEMORY[bot.cpu]?.includes(bot.memoryMiB)) {
    ok = false;
    fail(
      'bot.memoryMiB',
      `${bot.memoryMiB} MiB is not a Fargate size for ${bot.cpu} CPU units; use one of ${FARGATE_MEMORY[bot.cpu]?.join(', ')}`,
    );
  }
  const zones = bot.availabilityZones ?? [`${region}a`, `${region}b`];
  zones.forEach((az, i) => {
    if (!new RegExp(`^${region}[a-z]$`).test(az)) {
      ok = false;
      fail(
        `bot.availabilityZones.${i}`,
        `must be an availability zone of ${region} such as ${region}a, got ${describeValue(az)}`,
      );
    }
  });
  if (zones[0] === zones[1]) {
    ok = false;
    fail('bot.availabilityZones', `must list different availability zones, got ${describeValue(zones)}`);
  }
  if (!ok || !repository) return null;
  return {
    account,
    region,
    github: { repository },
    bot: {
      cpu: bot.cpu,
      memoryMiB: bot.memoryMiB,
      replicas: bot.replicas,
      imageTag: bot.imageTag ?? null,
      logRetentionDays: bot.logRetentionDays,
      availabilityZones: zones as [string, string],
    },
  };
}

function resolveNetwork(env: ParsedEnvironment, fail: Report): NetworkConfig | null {
  const { network } = env;
  const azPattern = new RegExp(`^${env.region}[a-z]$`);
  let ok = true;
  for (const key of ['appAzs', 'dataAzs'] as const) {
    network[key].forEach((az, i) => {
      if (!azPattern.test(az)) {
        ok = false;
        fail(
          `network.${key}.${i}`,
          `must be an availability zone of ${env.region} such as ${env.region}a, got ${describeValue(az)}`,
        );
      }
    });
    if (new Set(network[key]).size !== network[key].length) {
      ok = false;
      fail(`network.${key}`, `must list different availability zones, got ${describeValue(network[key])}`);
    }
  }
  const vpc = parseCidr(network.cidr);
  if (vpc.mask > 20 || vpc.mask < 16) {
    fail('network.cidr', `must be between a /16 and a /20 to hold seven subnets, got ${network.cidr}`);
    return null;
  }
  // Derived layout: the public and data tiers get 1/256 of the VPC each subnet (a /24 in a /16), the app
  // tier 1/16 (a /20) because tasks take one address each.
  const derived = allocate(vpc, [
    vpc.mask + 8,
    vpc.mask + 8,
    vpc.mask + 4,
    vpc.mask + 4,
    vpc.mask + 8,
    vpc.mask + 8,
    vpc.mask + 8,
  ]);
  if (!derived) {
    fail('network.cidr', `cannot hold the subnets, got ${network.cidr}`);
    return null;
  }
  const pick = (explicit: readonly string[] | undefined, from: number, count: number): string[] =>
    explicit ? [...explicit] : derived.slice(from, from + count).map(formatCidr);
  const tiers = {
    public: pick(network.subnets.public, 0, 2),
    app: pick(network.subnets.app, 2, 2),
    data: pick(network.subnets.data, 4, 3),
  };
  const all: { path: string; cidr: string }[] = [];
  for (const [tier, cidrs] of Object.entries(tiers)) {
    cidrs.forEach((cidr, i) => {
      const path = `network.subnets.${tier}.${i}`;
      const block = parseCidr(cidr);
      if (!contains(vpc, block)) {
        ok = false;
        fail(path, `must lie inside the VPC block ${network.cidr}, got ${cidr}`);
      }
      const clash = all.find((other) => overlaps(parseCidr(other.cidr), block));
      if (clash) {
        ok = false;
        fail(path, `overlaps ${clash.path} (${clash.cidr}), got ${cidr}`);
      }
      all.push({ path, cidr });
    });
  }
  if (!ok) return null;
  const layout = (azs: readonly string[], cidrs: readonly string[]): SubnetLayout[] =>
    cidrs.map((cidr, i) => ({ az: azs[i]!, cidr }));
  return {
    cidr: network.cidr,
    appAzs: network.appAzs as [string, string],
    dataAzs: network.dataAzs as [string, string, string],
    natGateways: network.natGateways,
    publicSubnets: layout(network.appAzs, tiers.public) as [SubnetLayout, SubnetLayout],
    appSubnets: layout(network.appAzs, tiers.app) as [SubnetLayout, SubnetLayout],
    dataSubnets: layout(network.dataAzs, tiers.data) as [SubnetLayout, SubnetLayout, SubnetLayout],
    flowLogRetentionDays: network.flowLogRetentionDays,
  };
}

/** Objects merge key by key; anything else in `override` replaces what `base` had. */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = deepMerge(base[key], value);
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function zodProblems(error: z.ZodError, raw: unknown, prefix: readonly (string | number)[]): ConfigProblem[] {
  return error.issues.map((issue) => {
    const segments = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    const value = valueAt(raw, issue.path);
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}: remove it or check the spelling`;
    } else if (issue.code === 'invalid_type' && value === undefined) {
      message = `is required (${issue.expected})`;
    } else if (issue.code === 'invalid_type') {
      const hint =
        issue.expected === 'string' && typeof value === 'number' ? ` (quote it in YAML: "${value}")` : '';
      message = `must be ${issue.expected}, got ${describeValue(value)}${hint}`;
    } else if (value !== undefined && !/\bgot\b/.test(message)) {
      message = `${message}, got ${describeValue(value)}`;
    }
    return { path: segments.join('.'), message };
  });
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = raw;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
