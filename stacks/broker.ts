/** The optional message broker: MSK Serverless with IAM auth in the data subnets, reachable from the service only. */
import { ArnFormat, Fn, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as msk from 'aws-cdk-lib/aws-msk';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

/** The port MSK serves Kafka on for IAM-authenticated clients (SASL over TLS). */
export const BROKER_PORT = 9098;

/** What a client of the broker may do: connect, produce, consume and create topics, on this cluster only. */
export const BROKER_CLIENT_ACTIONS = {
  // Idempotent writes are the producer default since Kafka 3.0; without it such a producer cannot start.
  cluster: ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster', 'kafka-cluster:WriteDataIdempotently'],
  topic: [
    'kafka-cluster:CreateTopic',
    'kafka-cluster:DescribeTopic',
    'kafka-cluster:WriteData',
    'kafka-cluster:ReadData',
  ],
  group: ['kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup'],
} as const;

/** Props of {@link Broker}. */
export interface BrokerProps {
  readonly vpc: ec2.IVpc;
  /** The isolated data subnets; MSK Serverless needs them in at least two zones. */
  readonly subnets: ec2.ISubnet[];
  /** A stable cluster name, e.g. `wheelhouse-prod-broker`: renaming it replaces the cluster and its topics. */
  readonly clusterName: string;
}

/**
 * An MSK Serverless cluster with IAM authentication (TLS on {@link BROKER_PORT}, no plaintext listener),
 * its security group (no rule until {@link Broker.allowFrom}), and its bootstrap brokers.
 */
export class Broker extends Construct {
  readonly cluster: msk.CfnServerlessCluster;
  readonly securityGroup: ec2.SecurityGroup;
  /**
   * The comma-separated `host:9098` list that IAM-authenticated clients bootstrap from, resolved at deploy.
   *
   * CloudFormation has no attribute for it, so a custom resource reads it with `kafka:GetBootstrapBrokers`
   * (the approach of the CDK's own MSK construct).
   */
  readonly bootstrapServers: string;
  private readonly clusterName: string;

  constructor(scope: Construct, id: string, props: BrokerProps) {
    super(scope, id);
    const zones = new Set(props.subnets.map((s) => s.availabilityZone));
    if (zones.size < 2)
      throw new Error(
        `Broker needs subnets in at least 2 availability zones (MSK Serverless), got ${[...zones].join(', ') || 'none'}`,
      );
    if (!/^[A-Za-z0-9-]{1,64}$/.test(props.clusterName))
      throw new Error(
        `Broker clusterName must be 1-64 letters, digits and dashes, got ${JSON.stringify(props.clusterName)}`,
      );
    this.clusterName = props.clusterName;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'MSK Serverless: Kafka over TLS with IAM auth from the service only',
      allowAllOutbound: false,
    });
    this.cluster = new msk.CfnServerlessCluster(this, 'Cluster', {
      clusterName: props.clusterName,
      clientAuthentication: { sasl: { iam: { enabled: true } } },
      vpcConfigs: [
        {
          subnetIds: props.subnets.map((s) => s.subnetId),
          securityGroups: [this.securityGroup.securityGroupId],
        },
      ],
    });

    const getBootstrapBrokers: cr.AwsSdkCall = {
      service: 'Kafka',
      action: 'GetBootstrapBrokers',
      parameters: { ClusterArn: this.cluster.attrArn },
      // A replaced cluster has a new ARN, so the brokers are read again; nothing to undo on delete.
      physicalResourceId: cr.PhysicalResourceId.of(this.cluster.attrArn),
      outputPaths: ['BootstrapBrokerStringSaslIam'],
    };
    const bootstrap = new cr.AwsCustomResource(this, 'BootstrapBrokers', {
      onCreate: getBootstrapBrokers,
      onUpdate: getBootstrapBrokers,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          actions: ['kafka:GetBootstrapBrokers'],
          resources: [this.cluster.attrArn],
        }),
      ]),
      // The Lambda runtime's own SDK has the Kafka client; installing the latest one would make every deploy
      // depend on the npm registry.
      installLatestAwsSdk: false,
    });
    this.bootstrapServers = bootstrap.getResponseField('BootstrapBrokerStringSaslIam');
    // The function behind it is a CDK-made singleton at the stack's root; its role is reached from here.
    const providerRole = bootstrap.grantPrincipal;
    if (!Construct.isConstruct(providerRole))
      throw new Error('Broker: the custom resource role is not a construct');
    Validations.of(providerRole).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        'The CDK-managed custom resource function only writes its own logs, which is exactly what AWSLambdaBasicExecutionRole allows.',
    });
  }

  /** Opens the broker port to `client`: ingress here and, where the client restricts egress, egress there. */
  allowFrom(client: ec2.IConnectable, description: string): void {
    this.securityGroup.connections.allowFrom(client, ec2.Port.tcp(BROKER_PORT), description);
  }

  /** Lets `role` connect with IAM auth, produce, consume and create topics on this cluster and no other. */
  grantClient(role: iam.IRole): void {
    const stack = Stack.of(this);
    // The cluster ARN ends in `cluster/<name>/<uuid>`; topic and group ARNs are scoped by the same name and uuid.
    const uuid = Fn.select(2, Fn.split('/', this.cluster.attrArn));
    const within = (resource: 'topic' | 'group') =>
      stack.formatArn({
        service: 'kafka',
        resource,
        resourceName: `${this.clusterName}/${uuid}/*`,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      });
    const statements = [
      new iam.PolicyStatement({
        actions: [...BROKER_CLIENT_ACTIONS.cluster],
        resources: [this.cluster.attrArn],
      }),
      new iam.PolicyStatement({ actions: [...BROKER_CLIENT_ACTIONS.topic], resources: [within('topic')] }),
      new iam.PolicyStatement({ actions: [...BROKER_CLIENT_ACTIONS.group], resources: [within('group')] }),
    ];
    for (const statement of statements) role.addToPrincipalPolicy(statement);
    for (const resource of ['topic', 'group'] as const) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::${nagFinding(stack, within(resource))}]`,
        reason: `The application names its own ${resource}s; the grant covers every ${resource} of this one cluster (by name and uuid) and of no other.`,
      });
    }
  }
}

/**
 * How cdk-nag prints a resource that holds CloudFormation intrinsics (`Fn::Join` flattened, `Ref` and
 * `Fn::GetAtt` as `<Name>` and `<Name.Attribute>`, anything else as JSON), so that a finding is acknowledged
 * by its exact id, never by the bare rule. The broker test synthesizes with cdk-nag to keep the two in step.
 */
function nagFinding(stack: Stack, value: string): string {
  const flatten = (node: unknown): string => {
    if (typeof node === 'string') return node;
    if (typeof node === 'object' && node !== null) {
      const join = (node as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
      if (join) return join[1].map(flatten).join(join[0]);
      const ref = (node as { Ref?: unknown }).Ref;
      if (typeof ref === 'string') return `<${ref}>`;
      const getAtt = (node as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
      if (getAtt) return `<${getAtt[0]}.${getAtt[1]}>`;
    }
    return JSON.stringify(node);
  };
  return flatten(stack.resolve(value));
}
