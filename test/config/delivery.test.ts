import {
  ConfigError,
  ciDeployRoleArn,
  ciDeployRoleName,
  ciDeployRoleOutput,
  ciPlanRoleArn,
  ciPlanRoleName,
  deliveryNames,
  operatorRoleArn,
  partitionOf,
  planRoleArn,
  planRoleName,
  resolveConfig,
} from '../../config';
import { exampleConfig, exampleRaw, type RawConfig } from '../support/example-config';

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

describe('delivery', () => {
  it('defaults to the registry account and region and two bot replicas', () => {
    const { delivery } = exampleConfig();
    expect(delivery).toEqual({
      account: '111111111111',
      region: 'eu-west-1',
      github: { repository: 'example-org/wheelhouse' },
      bot: {
        cpu: 512,
        memoryMiB: 2048,
        replicas: 2,
        imageTag: null,
        logRetentionDays: 90,
        availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      },
    });
  });

  it('is null when the section is left out: the environment stacks only', () => {
    expect(
      exampleConfig((raw) => {
        delete raw.delivery;
      }).delivery,
    ).toBeNull();
  });

  it('keeps what is written', () => {
    const { delivery } = exampleConfig((raw) => {
      raw.delivery.bot = {
        cpu: 1024,
        memoryMiB: 3072,
        replicas: 3,
        imageTag: 'bot-abc123',
        availabilityZones: ['eu-west-1c', 'eu-west-1a'],
      };
    });
    expect(delivery?.bot).toMatchObject({
      cpu: 1024,
      memoryMiB: 3072,
      replicas: 3,
      imageTag: 'bot-abc123',
      availabilityZones: ['eu-west-1c', 'eu-west-1a'],
    });
  });

  it('ignores the deploy refs of old configurations with a warning that says what replaced them', () => {
    // GIVEN a configuration written when one deploy role trusted refs as well as environments
    const raw = exampleRaw();
    raw.delivery.github.deployRefs = ['refs/heads/main', 'refs/tags/v*'];
    // WHEN it is resolved
    const { config, warnings } = resolveConfig(raw, 'wheelhouse.yml');
    // THEN it loads, and the warning names the field and where the refs are set now
    expect(config.delivery?.github).toEqual({ repository: 'example-org/wheelhouse' });
    expect(warnings).toEqual([
      expect.stringMatching(
        /^delivery\.github\.deployRefs is no longer used and is ignored: .*GitHub environment's deployment rules/,
      ),
    ]);
  });

  it.each<[string, (raw: RawConfig) => void, string]>([
    [
      'the GitHub repository is missing',
      (raw) => {
        delete raw.delivery.github;
      },
      'delivery.github.repository: is required: the GitHub repository whose workflows build and deploy, as "owner/name" (such as acme/wheelhouse)',
    ],
    [
      'the GitHub repository is a URL',
      (raw) => {
        raw.delivery.github.repository = 'https://github.com/example-org/wheelhouse';
      },
      'delivery.github.repository: must be a GitHub repository as "owner/name" (such as acme/wheelhouse), without https://github.com/, got "https://github.com/example-org/wheelhouse"',
    ],
    [
      'the tools account is not the registry account',
      (raw) => {
        raw.delivery.account = '999999999999';
      },
      "delivery.account: must be the registry's account (111111111111), got 999999999999: the CI stack creates the registry there; leave delivery.account out",
    ],
    [
      'the tools region is not the registry region',
      (raw) => {
        raw.delivery.region = 'eu-central-1';
      },
      "delivery.region: must be the registry's region (eu-west-1), got eu-central-1",
    ],
    [
      'the bot memory does not fit its CPU',
      (raw) => {
        raw.delivery.bot = { cpu: 256, memoryMiB: 4096 };
      },
      'delivery.bot.memoryMiB: 4096 MiB is not a Fargate size for 256 CPU units; use one of 512, 1024, 2048',
    ],
    [
      'there are more replicas than Slack allows connections',
      (raw) => {
        raw.delivery.bot = { replicas: 11 };
      },
      'delivery.bot.replicas: Too big: expected number to be <=10, got 11',
    ],
    [
      'a bot zone is in another region',
      (raw) => {
        raw.delivery.bot = { availabilityZones: ['eu-west-1a', 'us-east-1b'] };
      },
      'delivery.bot.availabilityZones.1: must be an availability zone of eu-west-1 such as eu-west-1a, got "us-east-1b"',
    ],
    [
      'the service repository takes the name of the bot repository',
      (raw) => {
        raw.registry.repositoryName = 'wheelhouse/bot';
      },
      "delivery.bot: the bot's image repository is wheelhouse/bot, which registry.repositoryName also names",
    ],
    [
      'an unknown field is given',
      (raw) => {
        raw.delivery.bots = {};
      },
      'delivery: unknown field "bots": remove it or check the spelling',
    ],
  ])('fails when %s', (_, change, message) => {
    expect(failure(change)).toContain(message);
  });
});

describe('delivery names', () => {
  it('prefixes the stacks, roles, repository and secrets with the project name', () => {
    const names = deliveryNames({ name: 'acme' });
    expect(names).toMatchObject({
      ciStackName: 'acme-ci',
      botStackName: 'acme-bot',
      botTaskRoleName: 'acme-bot-task',
      botRepositoryName: 'acme/bot',
    });
    expect(Object.values(names.botSecrets).map((s) => s.secretName)).toEqual([
      'acme/bot/slack-bot-token',
      'acme/bot/slack-app-token',
      'acme/bot/datadog-api-key',
      'acme/bot/datadog-app-key',
      'acme/bot/pagerduty-token',
    ]);
  });

  it('names one CI deploy role per environment, and its CI stack output', () => {
    expect(ciDeployRoleName({ name: 'acme' }, 'prod')).toBe('acme-ci-deploy-prod');
    expect(
      ciDeployRoleArn({ name: 'acme' }, { account: '111111111111', region: 'us-gov-west-1' }, 'prod'),
    ).toBe('arn:aws-us-gov:iam::111111111111:role/acme-ci-deploy-prod');
    expect(['dev', 'eu-prod'].map(ciDeployRoleOutput)).toEqual(['DeployRoleArnDev', 'DeployRoleArnEuProd']);
  });

  it("names the pull requests' CI plan role and each environment's plan role", () => {
    expect(ciPlanRoleName({ name: 'acme' })).toBe('acme-ci-plan');
    expect(ciPlanRoleArn({ name: 'acme' }, { account: '111111111111', region: 'cn-north-1' })).toBe(
      'arn:aws-cn:iam::111111111111:role/acme-ci-plan',
    );
    expect(planRoleName({ stackName: 'acme-prod' })).toBe('acme-prod-plan');
    expect(planRoleArn({ stackName: 'acme-prod', account: '444444444444', region: 'us-gov-west-1' })).toBe(
      'arn:aws-us-gov:iam::444444444444:role/acme-prod-plan',
    );
  });

  it.each([
    ['eu-west-1', 'arn:aws:iam::222222222222:role/wheelhouse-dev-operator'],
    ['us-gov-west-1', 'arn:aws-us-gov:iam::222222222222:role/wheelhouse-dev-operator'],
    ['cn-north-1', 'arn:aws-cn:iam::222222222222:role/wheelhouse-dev-operator'],
  ])('names the operator role of an environment in %s', (region, arn) => {
    expect(partitionOf(region)).toBe(arn.split(':')[1]);
    expect(operatorRoleArn({ stackName: 'wheelhouse-dev', account: '222222222222', region })).toBe(arn);
  });
});
