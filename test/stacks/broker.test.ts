import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../stacks/app';
import { Broker } from '../../stacks/broker';
import { Network } from '../../stacks/network';
import { exampleConfig } from '../support/example-config';
import { synthTemplates } from '../support/synth';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

function resources(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type)) as [string, Resource][];
}

/** Every NACL entry as `<acl> <in|out> <rule number> <cidr> <ports>`, sorted. */
function aclRows(template: Template): string[] {
  const acls = Object.keys(template.findResources('AWS::EC2::NetworkAcl'));
  return resources(template, 'AWS::EC2::NetworkAclEntry')
    .map(([, r]) => {
      const p = r.Properties;
      const acl = acls
        .find((id) => id === (p.NetworkAclId as { Ref: string }).Ref)
        ?.replace(/[A-F0-9]{8}$/, '');
      const range = p.PortRange as { From: number; To: number };
      const ports = range.From === range.To ? `${range.From}` : `${range.From}-${range.To}`;
      return `${acl} ${p.Egress ? 'out' : 'in'} ${p.RuleNumber} ${p.CidrBlock} ${ports}`;
    })
    .sort();
}

function serviceEnvironment(template: Template): Record<string, unknown> {
  const [task] = Object.values(template.findResources('AWS::ECS::TaskDefinition')) as {
    Properties: { ContainerDefinitions: { Name: string; Environment: { Name: string; Value: unknown }[] }[] };
  }[];
  const service = task!.Properties.ContainerDefinitions.find((c) => c.Name === 'service')!;
  return Object.fromEntries(service.Environment.map((e) => [e.Name, e.Value]));
}

/** The statements of every IAM policy attached to a role whose logical id starts with `rolePrefix`. */
function statementsOf(template: Template, rolePrefix: string): Statement[] {
  return resources(template, 'AWS::IAM::Policy')
    .filter(([, r]) =>
      (r.Properties.Roles as { Ref: string }[]).some((role) => role.Ref.startsWith(rolePrefix)),
    )
    .flatMap(([, r]) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

const actions = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const CLUSTER_ARN = { 'Fn::GetAtt': [Match.stringLikeRegexp('^BrokerCluster'), 'Arn'] };

function withBroker(): Template {
  return synthTemplates(
    exampleConfig((raw) => {
      raw.environments.dev.broker = { enabled: true };
    }),
    ['dev'],
  ).dev!;
}

describe('the message broker', () => {
  describe('when broker.enabled is left out (the default)', () => {
    const { dev, prod } = synthTemplates(exampleConfig(), ['dev', 'prod']);

    it.each([
      ['dev', dev!],
      ['prod', prod!],
    ])(
      '%s has no MSK cluster, no custom resource reading its brokers and no broker security group',
      (_, t) => {
        t.resourceCountIs('AWS::MSK::ServerlessCluster', 0);
        t.resourceCountIs('Custom::AWS', 0);
        expect(
          Object.keys(t.findResources('AWS::EC2::SecurityGroup')).filter((id) => id.startsWith('Broker')),
        ).toEqual([]);
      },
    );

    it('opens no NACL entry on the broker port', () => {
      expect(aclRows(dev!).filter((row) => row.endsWith(' 9098'))).toEqual([]);
    });

    it('gives the service no bootstrap brokers and its role no Kafka permission', () => {
      expect(serviceEnvironment(dev!)).not.toHaveProperty('KAFKA_BOOTSTRAP_SERVERS');
      expect(JSON.stringify(dev!.toJSON())).not.toContain('kafka');
    });

    it('resolves to enabled: false in every environment', () => {
      expect(exampleConfig().environments.map((e) => [e.name, e.broker])).toEqual([
        ['dev', { enabled: false }],
        ['stage', { enabled: false }],
        ['prod', { enabled: false }],
      ]);
    });
  });

  describe('when broker.enabled is true', () => {
    const off = synthTemplates(exampleConfig(), ['dev']).dev!;
    const on = withBroker();

    it('is one MSK Serverless cluster with IAM auth, in the three data subnets, behind its own security group', () => {
      on.resourceCountIs('AWS::MSK::ServerlessCluster', 1);
      on.hasResourceProperties('AWS::MSK::ServerlessCluster', {
        ClusterName: 'wheelhouse-dev-broker',
        ClientAuthentication: { Sasl: { Iam: { Enabled: true } } },
        VpcConfigs: [
          {
            SubnetIds: [
              { Ref: Match.stringLikeRegexp('^NetworkData1') },
              { Ref: Match.stringLikeRegexp('^NetworkData2') },
              { Ref: Match.stringLikeRegexp('^NetworkData3') },
            ],
            SecurityGroups: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^BrokerSecurityGroup'), 'GroupId'] }],
          },
        ],
        Tags: { 'wheelhouse:environment': 'dev', 'wheelhouse:project': 'wheelhouse' },
      });
    });

    it("accepts port 9098 from the service's security group and from nothing else", () => {
      const brokerGroups = resources(on, 'AWS::EC2::SecurityGroup').filter(([id]) =>
        id.startsWith('BrokerSecurityGroup'),
      );
      expect(brokerGroups).toHaveLength(1);
      expect(brokerGroups[0]![1].Properties.SecurityGroupIngress).toBeUndefined();
      const toBroker = resources(on, 'AWS::EC2::SecurityGroupIngress')
        .map(([, r]) => r.Properties)
        .filter((p) => JSON.stringify(p.GroupId).includes('BrokerSecurityGroup'));
      expect(toBroker).toEqual([
        expect.objectContaining({
          IpProtocol: 'tcp',
          FromPort: 9098,
          ToPort: 9098,
          SourceSecurityGroupId: {
            'Fn::GetAtt': [expect.stringMatching(/^ServiceSecurityGroup/), 'GroupId'],
          },
        }),
      ]);
      // The service's security group restricts egress, so it needs the matching way out.
      on.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
        GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ServiceSecurityGroup'), 'GroupId'] },
        DestinationSecurityGroupId: {
          'Fn::GetAtt': [Match.stringLikeRegexp('^BrokerSecurityGroup'), 'GroupId'],
        },
        FromPort: 9098,
        ToPort: 9098,
      });
    });

    it('opens 9098 from the app tier to the data tier in the NACLs, after every existing rule', () => {
      const added = aclRows(on).filter((row) => !aclRows(off).includes(row));
      expect(added).toEqual(
        [
          'NetworkAppAcl out 160 10.10.48.0/24 9098',
          'NetworkAppAcl out 170 10.10.49.0/24 9098',
          'NetworkAppAcl out 180 10.10.50.0/24 9098',
          'NetworkDataAcl in 140 10.10.16.0/20 9098',
          'NetworkDataAcl in 150 10.10.32.0/20 9098',
        ].sort(),
      );
      // Nothing renumbered or removed: turning the broker on only adds.
      expect(aclRows(off).every((row) => aclRows(on).includes(row))).toBe(true);
      // Never from the public tier (the bastion tunnels to the database only).
      expect(added.some((row) => row.includes(' 10.10.0.') || row.includes(' 10.10.1.'))).toBe(false);
    });

    it('hands the service container the SASL/IAM bootstrap brokers read by the custom resource', () => {
      expect(serviceEnvironment(on).KAFKA_BOOTSTRAP_SERVERS).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^BrokerBootstrapBrokers/), 'BootstrapBrokerStringSaslIam'],
      });
      const customs = resources(on, 'Custom::AWS');
      expect(customs).toHaveLength(1);
      const custom = customs[0]![1];
      const create = JSON.stringify(custom.Properties.Create);
      expect(create).toContain('\\"service\\":\\"Kafka\\",\\"action\\":\\"GetBootstrapBrokers\\"');
      expect(create).toContain('BrokerCluster');
      expect(custom.Properties.Update).toEqual(custom.Properties.Create);
    });

    it('lets the custom resource call kafka:GetBootstrapBrokers on this cluster and nothing else', () => {
      on.hasResourceProperties('AWS::IAM::Policy', {
        PolicyName: Match.stringLikeRegexp('^BrokerBootstrapBrokersCustomResourcePolicy'),
        PolicyDocument: {
          Statement: [{ Action: 'kafka:GetBootstrapBrokers', Effect: 'Allow', Resource: CLUSTER_ARN }],
        },
      });
    });

    it('allows the task role to connect and use topics and groups of this cluster only', () => {
      const kafka = statementsOf(on, 'ServiceTaskDefinitionTaskRole').filter((s) =>
        actions(s).some((a) => a.startsWith('kafka-cluster:')),
      );
      const scoped = (kind: string) => ({
        'Fn::Join': [
          '',
          [
            // The partition is a literal (feature flag @aws-cdk/core:enablePartitionLiterals).
            `arn:aws:kafka:eu-west-1:222222222222:${kind}/wheelhouse-dev-broker/`,
            { 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': [expect.any(String), 'Arn'] }] }] },
            '/*',
          ],
        ],
      });
      expect(kafka).toEqual([
        {
          Effect: 'Allow',
          Action: [
            'kafka-cluster:Connect',
            'kafka-cluster:DescribeCluster',
            'kafka-cluster:WriteDataIdempotently',
          ],
          Resource: { 'Fn::GetAtt': [expect.stringMatching(/^BrokerCluster/), 'Arn'] },
        },
        {
          Effect: 'Allow',
          Action: [
            'kafka-cluster:CreateTopic',
            'kafka-cluster:DescribeTopic',
            // Sorted: @aws-cdk/aws-iam:minimizePolicies merges and orders the actions.
            'kafka-cluster:ReadData',
            'kafka-cluster:WriteData',
          ],
          Resource: scoped('topic'),
        },
        {
          Effect: 'Allow',
          Action: ['kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup'],
          Resource: scoped('group'),
        },
      ]);
      // Only the task role: not the execution role, not the bastion, not the custom resource.
      const everyKafkaStatement = resources(on, 'AWS::IAM::Policy').flatMap(([, r]) =>
        (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement.filter((s) =>
          actions(s).some((a) => a.startsWith('kafka-cluster:')),
        ),
      );
      expect(everyKafkaStatement).toHaveLength(3);
    });

    // With cdk-nag on (the gate test in app.test.ts synthesizes the example, where the broker is off).
    it('synthesizes with zero unacknowledged cdk-nag findings', () => {
      const outdir = mkdtempSync(join(tmpdir(), 'wheelhouse-broker-'));
      const config = exampleConfig((raw) => {
        raw.environments.dev.broker = { enabled: true };
      });
      const { app } = buildApp(config, { environments: ['dev'], appProps: { outdir } });
      app.synth();
      const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
        pluginReports: { pluginName: string; violations: { ruleName: string }[] }[];
      };
      expect(report.pluginReports.map((r) => r.pluginName)).toContain('AwsSolutions');
      expect(report.pluginReports.flatMap((r) => r.violations.map((v) => v.ruleName))).toEqual([]);
    }, 120_000);
  });

  describe('refuses bad input', () => {
    it('fails when broker.enabled is not a boolean, naming the field', () => {
      expect(() =>
        exampleConfig((raw) => {
          raw.environments.prod.broker = { enabled: 'yes' };
        }),
      ).toThrow(/environments\.prod\.broker\.enabled: must be boolean, got "yes"/);
    });

    it('fails when broker has an unknown field', () => {
      expect(() =>
        exampleConfig((raw) => {
          raw.environments.dev.broker = { enabled: true, size: 'large' };
        }),
      ).toThrow(/environments\.dev\.broker: unknown field "size": remove it or check the spelling/);
    });

    it('fails when the subnets are all in one zone', () => {
      const stack = new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
      const network = new Network(stack, 'Network', {
        cidr: '10.0.0.0/16',
        publicSubnets: [
          { az: 'eu-west-1a', cidr: '10.0.0.0/24' },
          { az: 'eu-west-1b', cidr: '10.0.1.0/24' },
        ],
        appSubnets: [
          { az: 'eu-west-1a', cidr: '10.0.16.0/20' },
          { az: 'eu-west-1b', cidr: '10.0.32.0/20' },
        ],
        dataSubnets: [
          { az: 'eu-west-1a', cidr: '10.0.48.0/24' },
          { az: 'eu-west-1a', cidr: '10.0.49.0/24' },
          { az: 'eu-west-1a', cidr: '10.0.50.0/24' },
        ],
        natGateways: 1,
        publicIngressPorts: [80],
        servicePorts: [8080],
        sshCidrs: [],
        databasePort: 5432,
        flowLogRetentionDays: 7,
      });
      expect(
        () =>
          new Broker(stack, 'Broker', { vpc: network.vpc, subnets: network.dataSubnets, clusterName: 'b' }),
      ).toThrow('Broker needs subnets in at least 2 availability zones (MSK Serverless), got eu-west-1a');
    });
  });
});
