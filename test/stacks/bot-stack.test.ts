import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { BOT_ENV_VARS } from '../../bot/env';
import {
  ASSUME_OPERATOR_ROLE_VARIABLE,
  BOT_EGRESS_PORTS,
  BOT_IMAGE_TAG_PARAMETER,
  type Config,
  deliveryNames,
} from '../../config';
import { buildApp } from '../../stacks/app';
import type { BotStack } from '../../stacks/bot/bot-stack';
import { GRPC_LISTENER_PORT } from '../../stacks/load-balancing';
import { exampleConfig } from '../support/example-config';
import { flatten, roleLogicalId, roleStatements, trustStatements } from '../support/iam-policies';

function botTemplate(config: Config): { stack: BotStack; template: Template } {
  process.env.CDK_VALIDATION = 'false';
  const { delivery } = buildApp(config, { nag: false });
  if (!delivery) throw new Error('expected the delivery stacks');
  return { stack: delivery.bot, template: Template.fromStack(delivery.bot) };
}

interface Container {
  Name: string;
  Image: unknown;
  Environment: { Name: string; Value: string }[];
  StopTimeout: number;
  Secrets: { Name: string; ValueFrom: unknown }[];
  ReadonlyRootFilesystem: boolean;
  User: string;
  LogConfiguration: { LogDriver: string };
}

function botContainer(template: Template): Container {
  const [definition] = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
  return (definition!.Properties.ContainerDefinitions as Container[]).find((c) => c.Name === 'bot')!;
}

const ENVIRONMENTS = [
  ['222222222222', 'dev'],
  ['333333333333', 'stage'],
  ['444444444444', 'prod'],
] as const;

describe('BotStack', () => {
  const { stack, template } = botTemplate(exampleConfig());

  it('lives in the tools account', () => {
    expect([stack.stackName, stack.account, stack.region]).toEqual([
      'wheelhouse-bot',
      '111111111111',
      'eu-west-1',
    ]);
  });

  it('runs the configured number of tasks in private subnets, without a public address or a load balancer', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      DesiredCount: 2,
      DeploymentConfiguration: Match.objectLike({
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
      }),
      NetworkConfiguration: {
        AwsvpcConfiguration: {
          AssignPublicIp: 'DISABLED',
          SecurityGroups: Match.anyValue(),
          Subnets: [
            { Ref: Match.stringLikeRegexp('VpcPrivateSubnet1') },
            { Ref: Match.stringLikeRegexp('VpcPrivateSubnet2') },
          ],
        },
      },
      // An empty list (feature flags): no load balancer either way.
      LoadBalancers: [],
    });
    expect(Object.keys(template.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'))).toEqual([]);
    const { template: three } = botTemplate(
      exampleConfig((raw) => {
        raw.delivery.bot = { replicas: 3 };
      }),
    );
    three.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 3 });
  });

  it("lets nothing in: no inbound rule at all; out: HTTPS, and the environments' gRPC listener port (the deploy check's end-to-end gRPC request)", () => {
    const groups = Object.values(template.findResources('AWS::EC2::SecurityGroup'));
    for (const group of groups) expect(group.Properties.SecurityGroupIngress).toBeUndefined();
    expect(Object.keys(template.findResources('AWS::EC2::SecurityGroupIngress'))).toEqual([]);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Bot tasks: nothing in'),
      SecurityGroupEgress: [
        {
          CidrIp: '0.0.0.0/0',
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
          Description: 'HTTPS and WSS out',
        },
        {
          CidrIp: '0.0.0.0/0',
          IpProtocol: 'tcp',
          FromPort: GRPC_LISTENER_PORT,
          ToPort: GRPC_LISTENER_PORT,
          Description: `gRPC health check of the environment load balancers (${GRPC_LISTENER_PORT})`,
        },
      ],
    });
  });

  it('allows out exactly the ports the deploy health check believes it can reach from the bot (BOT_EGRESS_PORTS)', () => {
    const [group] = Object.values(template.findResources('AWS::EC2::SecurityGroup')).filter((g) =>
      String(g.Properties.GroupDescription).startsWith('Bot tasks'),
    );
    const ports = (group!.Properties.SecurityGroupEgress as { FromPort: number; ToPort: number }[]).map(
      (rule) => {
        expect(rule.ToPort).toBe(rule.FromPort);
        return rule.FromPort;
      },
    );
    expect(ports).toEqual([...BOT_EGRESS_PORTS]);
    // Port 80 stays closed: without a domain the end-to-end HTTP request is not made from the bot.
    expect(ports).not.toContain(80);
  });

  it('has its own VPC in the configured zones, with one NAT gateway and flow logs', () => {
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.resourceCountIs('AWS::EC2::FlowLog', 1);
    const zones = Object.values(template.findResources('AWS::EC2::Subnet')).map(
      (s) => s.Properties.AvailabilityZone,
    );
    expect([...new Set(zones)].sort()).toEqual(['eu-west-1a', 'eu-west-1b']);
    for (const subnet of Object.values(template.findResources('AWS::EC2::Subnet'))) {
      expect(subnet.Properties.MapPublicIpOnLaunch).toBe(false);
    }
  });

  it('runs the image from the bot repository at the BotImageTag parameter, as a non-root user on a read-only root', () => {
    const container = botContainer(template);
    expect(flatten(container.Image)).toBe(
      `111111111111.dkr.ecr.eu-west-1.amazonaws.com/wheelhouse/bot:\${${BOT_IMAGE_TAG_PARAMETER}}`,
    );
    expect(container.User).toBe('1000');
    expect(container.ReadonlyRootFilesystem).toBe(true);
    template.hasParameter(BOT_IMAGE_TAG_PARAMETER, { Type: 'String', Default: Match.absent() });
    const { template: pinned } = botTemplate(
      exampleConfig((raw) => {
        raw.delivery.bot = { imageTag: 'abc1234' };
      }),
    );
    pinned.hasParameter(BOT_IMAGE_TAG_PARAMETER, { Default: 'abc1234' });
  });

  // Datadog, "Unified Service Tagging" → "Amazon ECS" (https://docs.datadoghq.com/getting_started/tagging/unified_service_tagging/?tab=ecs).
  it('carries the unified service tags as variables and Docker labels', () => {
    const [definition] = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
    const bot = (
      definition!.Properties.ContainerDefinitions as (Container & { DockerLabels: Record<string, unknown> })[]
    ).find((c) => c.Name === 'bot')!;
    const env = Object.fromEntries(bot.Environment.map((e) => [e.Name, e.Value]));
    expect(env).toMatchObject({ DD_ENV: 'tools', DD_SERVICE: 'wheelhouse-bot' });
    expect(bot.DockerLabels).toMatchObject({
      'com.datadoghq.tags.env': 'tools',
      'com.datadoghq.tags.service': 'wheelhouse-bot',
    });
    expect(flatten(bot.DockerLabels['com.datadoghq.tags.version'])).toBe(`\${${BOT_IMAGE_TAG_PARAMETER}}`);
  });

  it('hands the tokens and keys to the container as ECS secrets, never as plain variables', () => {
    const container = botContainer(template);
    const { botSecrets } = deliveryNames({ name: 'wheelhouse' });
    expect(container.Secrets.map((s) => [s.Name, flatten(s.ValueFrom)])).toEqual(
      Object.values(botSecrets).map((s) => [
        s.variable,
        `arn:aws:secretsmanager:eu-west-1:111111111111:secret:${s.secretName}`,
      ]),
    );
    const plain = container.Environment.map((e) => e.Name);
    for (const secret of Object.values(botSecrets)) expect(plain).not.toContain(secret.variable);
    expect(container.Environment).toEqual(
      expect.arrayContaining([
        { Name: ASSUME_OPERATOR_ROLE_VARIABLE, Value: 'true' },
        { Name: 'DD_SITE', Value: 'datadoghq.com' },
      ]),
    );
  });

  it('drains deploys in flight for 10 s less than the stop timeout, so an interrupted one records itself before SIGKILL', () => {
    const container = botContainer(template);
    expect(container.StopTimeout).toBe(120);
    expect(container.Environment).toContainEqual({ Name: BOT_ENV_VARS.drainSeconds, Value: '110' });
  });

  it('names the secrets after the variables the bot reads', () => {
    const { botSecrets } = deliveryNames({ name: 'wheelhouse' });
    expect(botSecrets.slackBotToken.variable).toBe(BOT_ENV_VARS.botToken);
    expect(botSecrets.slackAppToken.variable).toBe(BOT_ENV_VARS.appToken);
    expect(BOT_ENV_VARS.assumeOperatorRole).toBe(ASSUME_OPERATOR_ROLE_VARIABLE);
  });

  it('asks for the Datadog and PagerDuty secrets only where an environment uses them', () => {
    const { template: slackOnly } = botTemplate(
      exampleConfig((raw) => {
        for (const env of Object.values(raw.environments) as Record<string, unknown>[]) {
          delete env.datadog;
          delete env.pagerduty;
        }
      }),
    );
    const container = botContainer(slackOnly);
    expect(container.Secrets.map((s) => s.Name)).toEqual(['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN']);
    expect(container.Environment.map((e) => e.Name)).not.toContain('DD_SITE');
  });

  it('logs to CloudWatch with the configured retention', () => {
    expect(botContainer(template).LogConfiguration.LogDriver).toBe('awslogs');
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it('gives the task role a fixed name that only ECS tasks of the tools account can assume', () => {
    const role = roleLogicalId(template, 'wheelhouse-bot-task');
    expect(trustStatements(template, role)).toEqual([
      {
        sid: null,
        effect: 'Allow',
        actions: ['sts:AssumeRole'],
        resources: [],
        principal: { Service: 'ecs-tasks.amazonaws.com' },
        condition: {
          StringEquals: { 'aws:SourceAccount': '111111111111' },
          ArnLike: { 'aws:SourceArn': 'arn:aws:ecs:eu-west-1:111111111111:*' },
        },
      },
    ]);
  });

  it("lets the task role assume the operator and CDK bootstrap roles read the tags of the service's two repositories and mark deployed images there, nothing else", () => {
    const statements = roleStatements(template, roleLogicalId(template, 'wheelhouse-bot-task'));
    expect(statements.map(({ sid, actions, resources }) => ({ sid, actions, resources }))).toEqual([
      {
        sid: 'OperateEnvironments',
        // For the Slack user: the caller's policy must allow these too (IAM user guide, id_session-tags.html).
        actions: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
        resources: ENVIRONMENTS.map(
          ([account, env]) => `arn:aws:iam::${account}:role/wheelhouse-${env}-operator`,
        ),
      },
      {
        sid: 'DeployEnvironments',
        actions: ['sts:AssumeRole'],
        resources: ENVIRONMENTS.flatMap(([account]) =>
          ['deploy', 'file-publishing', 'lookup'].map(
            (role) => `arn:aws:iam::${account}:role/cdk-hnb659fds-${role}-role-${account}-eu-west-1`,
          ),
        ).sort(),
      },
      {
        sid: 'ServiceImageTags',
        actions: ['ecr:DescribeImages', 'ecr:ListImages'],
        // Each environment's repository: dev's branch images, stage's and prod's release images.
        resources: [
          'arn:aws:ecr:eu-west-1:111111111111:repository/wheelhouse/service',
          'arn:aws:ecr:eu-west-1:111111111111:repository/wheelhouse/service-branches',
        ],
      },
      {
        sid: 'MarkDeployedImages',
        actions: ['ecr:BatchGetImage', 'ecr:PutImage'],
        resources: [
          'arn:aws:ecr:eu-west-1:111111111111:repository/wheelhouse/service',
          'arn:aws:ecr:eu-west-1:111111111111:repository/wheelhouse/service-branches',
        ],
      },
    ]);
    for (const statement of statements) {
      for (const action of statement.actions) expect(action).not.toMatch(/\*/);
      expect(statement.resources).not.toContain('*');
    }
  });

  it('checks image tags with exactly the calls image-tags.ts makes', () => {
    const source = readFileSync(join(__dirname, '..', '..', 'ops', 'deploy', 'image-tags.ts'), 'utf8');
    const calls = [...source.matchAll(/new (?:\w+\.)?(\w+)Command\(/g)].map((m) => `ecr:${m[1]}`).sort();
    const statements = roleStatements(template, roleLogicalId(template, 'wheelhouse-bot-task'));
    expect(statements.find((s) => s.sid === 'ServiceImageTags')?.actions).toEqual(calls);
  });

  it('marks deployed images with exactly the calls deployed-image-marks.ts makes, in the service repositories', () => {
    const source = readFileSync(
      join(__dirname, '..', '..', 'ops', 'deploy', 'deployed-image-marks.ts'),
      'utf8',
    );
    const calls = [...source.matchAll(/new (?:\w+\.)?(\w+)Command\(/g)].map((m) => `ecr:${m[1]}`).sort();
    const statements = roleStatements(template, roleLogicalId(template, 'wheelhouse-bot-task'));
    expect(statements.find((s) => s.sid === 'MarkDeployedImages')).toMatchObject({
      actions: calls,
      resources: [
        'arn:aws:ecr:eu-west-1:111111111111:repository/wheelhouse/service',
        'arn:aws:ecr:eu-west-1:111111111111:repository/wheelhouse/service-branches',
      ],
    });
  });

  it('lets the execution role read only its own secrets and pull only the bot image', () => {
    const [executionRole] = Object.keys(
      template.findResources('AWS::IAM::Role', {
        Properties: {
          RoleName: Match.absent(),
          AssumeRolePolicyDocument: Match.objectLike({
            Statement: [Match.objectLike({ Principal: { Service: 'ecs-tasks.amazonaws.com' } })],
          }),
        },
      }),
    );
    const statements = roleStatements(template, executionRole!);
    const secrets = statements.filter((s) => s.actions.includes('secretsmanager:GetSecretValue'));
    expect(secrets.flatMap((s) => s.resources).sort()).toEqual(
      Object.values(deliveryNames({ name: 'wheelhouse' }).botSecrets)
        .map((s) => `arn:aws:secretsmanager:eu-west-1:111111111111:secret:${s.secretName}-??????`)
        .sort(),
    );
    const pull = statements.find((s) => s.actions.includes('ecr:BatchGetImage'));
    expect(pull?.resources).toEqual(['arn:aws:ecr:eu-west-1:111111111111:repository/wheelhouse/bot']);
  });
});
