import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ConfigError, findEnvironment, loadConfig, parseConfig, resolveConfig } from '../../config';
import { EXAMPLE_CONFIG_PATH, exampleConfig, exampleRaw, type RawConfig } from '../support/example-config';

/** Resolves the example after `change`, expecting failure; returns the error message. */
function failure(change: (raw: RawConfig) => void): string {
  const raw = exampleRaw();
  change(raw);
  try {
    resolveConfig(raw, 'wheelhouse.yml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('the example configuration', () => {
  it('loads dev, stage and prod from wheelhouse.yml', () => {
    const { config, warnings } = loadConfig({ path: EXAMPLE_CONFIG_PATH });
    expect(config.environments.map((e) => e.name)).toEqual(['dev', 'stage', 'prod']);
    expect(config.environments.map((e) => e.stackName)).toEqual([
      'wheelhouse-dev',
      'wheelhouse-stage',
      'wheelhouse-prod',
    ]);
    expect(warnings).toEqual([]);
  });

  it('merges defaults under every environment', () => {
    const config = exampleConfig();
    for (const env of config.environments) {
      expect(env.region).toBe('eu-west-1');
      expect(env.permissions.commands.status.everyone).toBe(true);
    }
  });

  it('lets an environment override a default', () => {
    const prod = findEnvironment(exampleConfig(), 'prod');
    expect(prod.service.cpu).toBe(1024);
    expect(prod.permissions.commands.deploy.roles).toEqual(['platform']);
    expect(findEnvironment(exampleConfig(), 'dev').permissions.commands.deploy.roles).toEqual([
      'developers',
      'platform',
    ]);
  });

  it('derives the subnet layout from the VPC block', () => {
    const dev = findEnvironment(exampleConfig(), 'dev');
    expect(dev.network.publicSubnets).toEqual([
      { az: 'eu-west-1a', cidr: '10.10.0.0/24' },
      { az: 'eu-west-1b', cidr: '10.10.1.0/24' },
    ]);
    expect(dev.network.appSubnets.map((s) => s.cidr)).toEqual(['10.10.16.0/20', '10.10.32.0/20']);
    expect(dev.network.dataSubnets.map((s) => s.az)).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
  });

  it('resolves defaults that depend on other fields', () => {
    const config = exampleConfig();
    const dev = findEnvironment(config, 'dev');
    const prod = findEnvironment(config, 'prod');
    expect(dev.database.deletionProtection).toBe(false);
    expect(prod.database.deletionProtection).toBe(true);
    expect(prod.permissions.approvers.roles).toEqual(['platform']);
    expect(dev.permissions.approvers.roles).toEqual(['platform']);
    expect(dev.service.limits.approvalAboveTasks).toBe(dev.service.tasks.max);
    expect(dev.slack.alertChannel).toBe('wheelhouse-dev-alerts');
    expect(dev.bastion.keysParameterPath).toBe('/wheelhouse/dev/bastion/authorized-keys/');
    expect(dev.bastion.hostKeysParameterName).toBe('/wheelhouse/dev/bastion/host-keys');
    expect(prod.bastion.ami).toBe('ami-0123456789abcdef0');
    expect(prod.pagerduty.routingKeySecretName).toBe('wheelhouse/prod/pagerduty-routing-key');
  });

  it('leaves the bastion AMI unset when no pin is configured (the stacks then refuse to build)', () => {
    const config = exampleConfig((raw) => {
      delete raw.defaults.bastion.ami;
    });
    expect(findEnvironment(config, 'dev').bastion.ami).toBeNull();
  });

  it('gives commands left out of permissions to the admins only', () => {
    const config = exampleConfig((raw) => {
      delete raw.defaults.permissions.commands.lock;
    });
    expect(findEnvironment(config, 'dev').permissions.commands.lock.roles).toEqual(['platform']);
  });

  it('gives /signoff, left out of permissions, to the approvers, and keeps sign-offs 7 days unless told', () => {
    const config = exampleConfig((raw) => {
      raw.environments.prod.permissions.approvers = ['oncall'];
      raw.environments.prod.deploy.signOffExpiryDays = 3;
    });
    const prod = findEnvironment(config, 'prod');
    expect(prod.permissions.commands.signoff.roles).toEqual(['oncall']);
    expect(prod.permissions.admins.roles).toEqual(['platform']);
    expect(prod.deploy.signOffExpiryDays).toBe(3);
    expect(findEnvironment(config, 'dev').deploy.signOffExpiryDays).toBe(7);
  });
});

describe('loading', () => {
  it('reads the path in WHEELHOUSE_CONFIG', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wheelhouse-config-'));
    const raw = exampleRaw();
    raw.project.name = 'harbour';
    writeFileSync(join(dir, 'other.yml'), stringify(raw));
    const { config } = loadConfig({ env: { WHEELHOUSE_CONFIG: join(dir, 'other.yml') } });
    expect(config.environments[0]?.stackName).toBe('harbour-dev');
  });

  it('fails when the file is missing, and says how to fix it', () => {
    expect(() => loadConfig({ path: '/nonexistent/wheelhouse.yml' })).toThrow(
      'cannot read the file: create it (copy the example wheelhouse.yml from the repository) or set WHEELHOUSE_CONFIG to its path',
    );
  });

  it('fails when the YAML does not parse, with the line', () => {
    expect(() => parseConfig('project:\n  name: [unclosed\n', 'bad.yml')).toThrow(
      /bad\.yml .*\n.*not valid YAML at line \d+/,
    );
  });

  it('fails when a key is repeated', () => {
    expect(() => parseConfig('project: {}\nproject: {}\n', 'dup.yml')).toThrow(/not valid YAML/);
  });
});

describe('validation', () => {
  it.each<[string, (raw: RawConfig) => void, string]>([
    [
      'max tasks are below min tasks',
      (raw) => {
        raw.environments.prod.service.tasks = { min: 3, max: 2 };
      },
      'environments.prod.service.tasks.max: must be >= tasks.min (3), got 2',
    ],
    [
      'the hard limit is below max tasks',
      (raw) => {
        raw.environments.dev.service.limits = { maxTasks: 2 };
      },
      'environments.dev.service.limits.maxTasks: must be >= tasks.max (4), got 2: the hard limit caps /scale',
    ],
    [
      'an account id is written as a number',
      (raw) => {
        raw.environments.prod.account = 444444444444;
      },
      'environments.prod.account: must be string, got 444444444444 (quote it in YAML: "444444444444")',
    ],
    [
      'the bastion AMI is not an AMI id',
      (raw) => {
        raw.environments.prod.bastion.ami = 'al2023-latest';
      },
      'environments.prod.bastion.ami: must be an AMI id such as ami-0123456789abcdef0',
    ],
    [
      'an account id is not 12 digits',
      (raw) => {
        raw.environments.prod.account = '4444';
      },
      'environments.prod.account: must be a 12-digit AWS account id',
    ],
    [
      'the memory does not fit the CPU on Fargate',
      (raw) => {
        raw.environments.dev.service.memoryMiB = 512;
      },
      'environments.dev.service.memoryMiB: 512 MiB is not a Fargate size for 512 CPU units; use one of 1024, 2048, 3072, 4096',
    ],
    [
      'an app zone is in another region',
      (raw) => {
        raw.environments.dev.network.appAzs = ['us-east-1a', 'eu-west-1b'];
      },
      'environments.dev.network.appAzs.0: must be an availability zone of eu-west-1 such as eu-west-1a, got "us-east-1a"',
    ],
    [
      'the data tier lists two zones',
      (raw) => {
        raw.environments.dev.network.dataAzs = ['eu-west-1a', 'eu-west-1b'];
      },
      'environments.dev.network.dataAzs: must list exactly 3 availability zones (data tier)',
    ],
    [
      'a zone is listed twice',
      (raw) => {
        raw.environments.dev.network.dataAzs = ['eu-west-1a', 'eu-west-1a', 'eu-west-1b'];
      },
      'environments.dev.network.dataAzs: must list different availability zones',
    ],
    [
      'an explicit subnet lies outside the VPC',
      (raw) => {
        raw.environments.dev.network.subnets = { data: ['10.10.100.0/24', '10.10.101.0/24', '10.99.0.0/24'] };
      },
      'environments.dev.network.subnets.data.2: must lie inside the VPC block 10.10.0.0/16, got 10.99.0.0/24',
    ],
    [
      'two subnets overlap',
      (raw) => {
        raw.environments.dev.network.subnets = { public: ['10.10.16.0/24', '10.10.1.0/24'] };
      },
      'environments.dev.network.subnets.app.0: overlaps network.subnets.public.0 (10.10.16.0/24), got 10.10.16.0/20',
    ],
    [
      'the VPC block is too small',
      (raw) => {
        raw.environments.dev.network.cidr = '10.10.0.0/24';
      },
      'environments.dev.network.cidr: must be between a /16 and a /20 to hold seven subnets, got 10.10.0.0/24',
    ],
    [
      'a permission names an unknown people set',
      (raw) => {
        raw.environments.prod.permissions.commands.deploy = ['platfrom'];
      },
      'environments.prod.permissions.commands.deploy.0: names no people set, got "platfrom"; define it under people (known: platform, developers, oncall, everyone)',
    ],
    [
      'a field is misspelt',
      (raw) => {
        raw.environments.prod.databse = {};
      },
      'environments.prod: unknown field "databse": remove it or check the spelling',
    ],
    [
      'a channel is given by name',
      (raw) => {
        raw.environments.dev.slack.channels = ['#dev-ops'];
      },
      'environments.dev.slack.channels.0: must be a Slack channel id (C… or G…), not a #name, got "#dev-ops"',
    ],
    [
      'the database capacity bounds are inverted',
      (raw) => {
        raw.environments.dev.database.maxCapacity = 1;
        raw.environments.dev.database.minCapacity = 2;
      },
      'environments.dev.database.maxCapacity: must be >= database.minCapacity (2), got 1',
    ],
    [
      'a freeze window ends before it starts',
      (raw) => {
        raw.environments.prod.deploy.freezeWindows = [{ days: ['fri'], from: '18:00', to: '09:00' }];
      },
      'environments.prod.deploy.freezeWindows.0.to: must be after from (18:00), got 09:00; split a window that spans midnight in two',
    ],
    [
      'a log retention is not one CloudWatch accepts',
      (raw) => {
        raw.environments.dev.service.logRetentionDays = 10;
      },
      'environments.dev.service.logRetentionDays: must be a CloudWatch Logs retention: one of 1, 3, 5, 7, 14, 30',
    ],
    [
      'PagerDuty is on without a service id',
      (raw) => {
        delete raw.environments.prod.pagerduty.serviceId;
      },
      "environments.prod.pagerduty.serviceId: is required when PagerDuty is enabled: the PagerDuty service id (P…) from the service's URL",
    ],
    [
      'the time zone is unknown',
      (raw) => {
        raw.project.timeZone = 'Mars/Olympus';
      },
      'project.timeZone: must be an IANA time zone such as Europe/Berlin, got "Mars/Olympus"',
    ],
    [
      'a protected environment has nobody to approve',
      (raw) => {
        raw.environments.prod.permissions.approvers = [];
        raw.defaults.permissions.admins = [];
      },
      'environments.prod.permissions.approvers: a protected environment needs at least one approver',
    ],
    [
      'there are no environments',
      (raw) => {
        raw.environments = {};
      },
      'environments: must define at least one environment',
    ],
  ])('fails when %s', (_, change, message) => {
    expect(failure(change)).toContain(message);
  });

  it('lists every problem at once, not just the first', () => {
    const message = failure((raw) => {
      raw.environments.dev.service.tasks = { min: 5, max: 4 };
      raw.environments.prod.database.backupRetentionDays = 90;
    });
    expect(message).toContain('environments.dev.service.tasks.max');
    expect(message).toContain('environments.prod.database.backupRetentionDays');
  });

  it('warns when two environments in one account overlap', () => {
    const raw = exampleRaw();
    raw.environments.stage.account = raw.environments.dev.account;
    raw.environments.stage.network.cidr = raw.environments.dev.network.cidr;
    const { warnings } = resolveConfig(raw, 'wheelhouse.yml');
    expect(warnings).toEqual([
      'environments dev and stage share account 222222222222 and overlapping VPC blocks (10.10.0.0/16, 10.10.0.0/16): they cannot be peered later',
    ]);
  });

  it('names the known environments when one is missing', () => {
    expect(() => findEnvironment(exampleConfig(), 'qa')).toThrow(
      'environments.qa: no such environment; known: dev, stage, prod',
    );
  });
});
