/** One environment's stack, `wheelhouse-<env>`: maps the resolved configuration onto the constructs. */
import {
  Annotations,
  CfnOutput,
  CfnParameter,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Tags,
  Validations,
} from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import {
  type Config,
  ConfigError,
  deployStateTableName,
  type EnvironmentConfig,
  IMAGE_TAG_PARAMETER,
  operatorRoleName,
  planRoleName,
  RESOURCE_TAGS,
  STACK_OUTPUTS,
} from '../config';
import { Bastion } from './bastion/bastion';
import { BROKER_PORT, Broker } from './broker';
import { DATABASE_PORT, Database } from './database';
import { DatadogIntegrationRole, EventForwarding } from './datadog';
import { DeployState } from './deploy-state';
import { GRPC_LISTENER_PORT, LoadBalancing } from './load-balancing';
import { Network } from './network';
import { OperatorRole } from './operator-role';
import { PlanRole } from './plan-role';
import { Service } from './service';

/** Props of {@link EnvironmentStack}. */
export interface EnvironmentStackProps extends StackProps {
  /** The environment, fully resolved. */
  readonly environment: EnvironmentConfig;
  /**
   * The registry of the service's images; the task runs from the repository of the environment's image
   * tier (`environment.images.repositoryName`) and from no other.
   */
  readonly registry: Config['registry'];
  readonly project: Config['project'];
  /**
   * The tools account and the roles there that operate the environment (the bot's task role, this
   * environment's CI deploy role): they get an operator role here. @default no operator role (no `delivery` configured)
   */
  readonly operators?: { readonly account: string; readonly roleNames: readonly string[] };
  /**
   * The tools account and its CI plan role (`<project>-ci-plan`, assumed by pull requests' plan jobs):
   * it gets a plan role here that reads this stack's template. @default no plan role (no `delivery` configured)
   */
  readonly planner?: { readonly account: string; readonly roleName: string };
}

/** Everything one environment runs: network, load balancers, service, database and bastion. */
export class EnvironmentStack extends Stack {
  readonly network: Network;
  readonly loadBalancing: LoadBalancing;
  readonly service: Service;
  readonly database: Database;
  readonly bastion: Bastion;
  readonly deployState: DeployState;
  /** The role the bot and CI assume here, where `operators` is given. */
  readonly operatorRole?: OperatorRole;
  /** The role pull requests' plans read this stack with, where `planner` is given. */
  readonly planRole?: PlanRole;
  /** The message broker, where `broker.enabled`. */
  readonly broker?: Broker;
  /** The image tag parameter: set by a deploy, kept (previous value) by an infrastructure-only deploy. */
  readonly imageTag: CfnParameter;

  constructor(scope: Construct, id: string, props: EnvironmentStackProps) {
    const env = props.environment;
    super(scope, id, {
      ...props,
      stackName: env.stackName,
      env: { account: env.account, region: env.region },
      terminationProtection: env.protected,
      description: `Wheelhouse ${env.name}: the dual-protocol service, its Aurora database and bastion`,
    });
    Tags.of(this).add(RESOURCE_TAGS.project, props.project.name);
    Tags.of(this).add(RESOURCE_TAGS.environment, env.name);

    this.imageTag = new CfnParameter(this, IMAGE_TAG_PARAMETER, {
      type: 'String',
      description:
        'Image tag of the service to run. Deploys set it; infrastructure-only deploys keep the running value.',
      allowedPattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$',
      constraintDescription: 'must be a container image tag: letters, digits, _ . - (at most 128)',
    });

    const ports = { http: env.service.httpPort, grpc: env.service.grpcPort };
    this.network = new Network(this, 'Network', {
      cidr: env.network.cidr,
      publicSubnets: env.network.publicSubnets,
      appSubnets: env.network.appSubnets,
      dataSubnets: env.network.dataSubnets,
      natGateways: env.network.natGateways,
      publicIngressPorts: env.domain ? [80, 443, GRPC_LISTENER_PORT] : [80, GRPC_LISTENER_PORT],
      servicePorts: [ports.http, ports.grpc],
      sshCidrs: env.bastion.allowedSshCidrs,
      databasePort: DATABASE_PORT,
      brokerPort: env.broker.enabled ? BROKER_PORT : undefined,
      flowLogRetentionDays: env.network.flowLogRetentionDays,
    });
    const { vpc } = this.network;

    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: env.protected ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      autoDeleteObjects: !env.protected,
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions::AwsSolutions-S1',
      reason: "This bucket holds the load balancers' access logs; logging its own access would recurse.",
    });

    this.loadBalancing = new LoadBalancing(this, 'LoadBalancing', {
      vpc,
      subnets: this.network.publicSubnets,
      httpPort: ports.http,
      grpcPort: ports.grpc,
      certificateArn: env.domain?.certificateArn,
      accessLogs,
      // Connections drain for less than the stop timeout, so a task is out of rotation before it exits.
      deregistrationDelaySeconds: Math.max(5, env.service.stopTimeoutSeconds - 10),
    });

    if (env.domain?.hostedZoneId) {
      // One name for both protocols: with a certificate, gRPC is on the same ALB (port 9000).
      const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
        hostedZoneId: env.domain.hostedZoneId,
        zoneName: env.domain.name.split('.').slice(1).join('.'),
      });
      new route53.ARecord(this, 'Alias', {
        zone,
        recordName: env.domain.name,
        target: route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(this.loadBalancing.alb)),
      });
    }

    this.database = new Database(this, 'Database', {
      vpc,
      subnets: this.network.dataSubnets,
      writerAz: env.network.dataAzs[0],
      readerAz: env.network.dataAzs[1],
      engineVersion: env.database.engineVersion,
      databaseName: env.database.databaseName,
      minCapacity: env.database.minCapacity,
      maxCapacity: env.database.maxCapacity,
      deletionProtection: env.database.deletionProtection,
      backupRetentionDays: env.database.backupRetentionDays,
      clusterIdentifier: env.stackName,
    });
    const { cluster } = this.database;
    const secret = cluster.secret!;
    // With @aws-cdk/core:annotationsInValidationReport, CDK's own warnings join the validation report.
    Annotations.of(cluster).acknowledgeWarning(
      '@aws-cdk/aws-rds:instancePerformanceInsightsOverridden',
      'Performance Insights is set on the cluster on purpose; the instances inherit it.',
    );

    // The image tier's repository: dev runs branch images, stage and prod release images (built from main).
    // The task definition names this repository and no other; the other tier's repository policy admits
    // only the accounts of that tier's environments.
    const repositoryName = env.images.repositoryName;
    const repository = ecr.Repository.fromRepositoryAttributes(this, 'Repository', {
      repositoryArn: `arn:${this.partition}:ecr:${props.registry.region}:${props.registry.account}:repository/${repositoryName}`,
      repositoryName,
    });
    const dbUrl = (host: string) => `postgres://${host}:${DATABASE_PORT}/${env.database.databaseName}`;
    this.broker = env.broker.enabled
      ? new Broker(this, 'Broker', {
          vpc,
          subnets: this.network.dataSubnets,
          clusterName: `${env.stackName}-broker`,
        })
      : undefined;
    this.service = new Service(this, 'Service', {
      vpc,
      subnets: this.network.appSubnets,
      repository,
      imageTag: this.imageTag.valueAsString,
      cpu: env.service.cpu,
      memoryMiB: env.service.memoryMiB,
      httpPort: ports.http,
      grpcPort: ports.grpc,
      minTasks: env.service.tasks.min,
      maxTasks: env.service.tasks.max,
      scaling: env.service.scaling,
      stopTimeoutSeconds: env.service.stopTimeoutSeconds,
      logRetentionDays: env.service.logRetentionDays,
      environment: {
        DATABASE_WRITER_URL: dbUrl(cluster.clusterEndpoint.hostname),
        DATABASE_READER_URL: dbUrl(cluster.clusterReadEndpoint.hostname),
        DATABASE_SSL: 'verify-full',
        DD_ENV: env.name,
        DD_SERVICE: props.project.name,
        DD_VERSION: this.imageTag.valueAsString,
        ...(this.broker ? { KAFKA_BOOTSTRAP_SERVERS: this.broker.bootstrapServers } : {}),
      },
      databaseSecret: secret,
      httpTargetGroup: this.loadBalancing.httpTargetGroup,
      grpcTargetGroup: this.loadBalancing.grpcTargetGroup,
      loadBalancerSecurityGroups: this.loadBalancing.securityGroups,
      clusterName: env.stackName,
      serviceName: `${env.stackName}-service`,
      datadog: env.datadog.enabled
        ? {
            apiKey: secretsmanager.Secret.fromSecretNameV2(
              this,
              'DatadogApiKey',
              env.datadog.apiKeySecretName,
            ),
            site: env.datadog.site,
            service: props.project.name,
            env: env.name,
            tags: env.datadog.tags,
          }
        : undefined,
    });
    if (env.datadog.enabled && env.datadog.externalId) {
      const integration = new DatadogIntegrationRole(this, 'DatadogIntegration', {
        externalId: env.datadog.externalId,
        site: env.datadog.site,
        roleName: `${env.stackName}-datadog-integration`,
      });
      new CfnOutput(this, STACK_OUTPUTS.datadogIntegrationRoleArn, { value: integration.role.roleArn });
    }
    if (env.datadog.enabled)
      new EventForwarding(this, 'DatadogEvents', {
        env: env.name,
        site: env.datadog.site,
        apiKeySecretName: env.datadog.apiKeySecretName,
        clusterArn: this.service.cluster.clusterArn,
        databaseClusterArn: cluster.clusterArn,
        tags: env.datadog.tags,
      });
    this.database.securityGroup.connections.allowFrom(
      this.service.securityGroup,
      ec2.Port.tcp(DATABASE_PORT),
      'PostgreSQL from the service',
    );

    this.bastion = new Bastion(this, 'Bastion', {
      vpc,
      subnet: this.network.publicSubnets[0]!,
      instanceType: env.bastion.instanceType,
      allowedSshCidrs: env.bastion.allowedSshCidrs,
      tunnelUser: env.bastion.tunnelUser,
      keysParameterPath: env.bastion.keysParameterPath,
      ami: bastionAmi(env),
      hostKeysParameterName: env.bastion.hostKeysParameterName,
      permitOpen: [
        `${cluster.clusterEndpoint.hostname}:${DATABASE_PORT}`,
        `${cluster.clusterReadEndpoint.hostname}:${DATABASE_PORT}`,
      ],
    });
    this.database.securityGroup.connections.allowFrom(
      this.bastion.securityGroup,
      ec2.Port.tcp(DATABASE_PORT),
      'PostgreSQL tunnels from the bastion',
    );
    if (this.broker) {
      this.broker.allowFrom(this.service.securityGroup, 'Kafka (IAM auth, TLS) from the service');
      this.broker.grantClient(this.service.taskDefinition.taskRole);
    }

    this.deployState = new DeployState(this, 'DeployState', {
      tableName: deployStateTableName(env),
      retain: env.protected,
    });

    if (props.operators) {
      this.operatorRole = new OperatorRole(this, 'Operator', {
        roleName: operatorRoleName(env),
        trustedAccount: props.operators.account,
        trustedRoleNames: props.operators.roleNames,
        stackName: env.stackName,
        deployStateTableArn: this.deployState.table.tableArn,
        serviceArn: this.service.service.serviceArn,
        databaseClusterArn: cluster.clusterArn,
        keysParameterPath: env.bastion.keysParameterPath,
        hostKeysParameterName: env.bastion.hostKeysParameterName,
        pagerDutyRoutingKeySecretName: env.pagerduty.enabled ? env.pagerduty.routingKeySecretName : null,
        environmentName: env.name,
      });
      new CfnOutput(this, STACK_OUTPUTS.operatorRoleArn, { value: this.operatorRole.role.roleArn });
    }
    if (props.planner) {
      this.planRole = new PlanRole(this, 'Plan', {
        roleName: planRoleName(env),
        trustedAccount: props.planner.account,
        trustedRoleName: props.planner.roleName,
        stackName: env.stackName,
      });
      new CfnOutput(this, STACK_OUTPUTS.planRoleArn, { value: this.planRole.role.roleArn });
    }

    const outputs: Record<
      Exclude<keyof typeof STACK_OUTPUTS, 'datadogIntegrationRoleArn' | 'operatorRoleArn' | 'planRoleArn'>,
      string
    > = {
      loadBalancerDns: this.loadBalancing.alb.loadBalancerDnsName,
      // The names clients use: with a domain, the ALB's certificate names the domain only, so a
      // request to the ALB's own DNS name fails TLS hostname verification.
      httpEndpoint: env.domain ? `https://${env.domain.name}` : this.loadBalancing.httpEndpoint,
      grpcEndpoint: env.domain ? `${env.domain.name}:${GRPC_LISTENER_PORT}` : this.loadBalancing.grpcEndpoint,
      httpTargetGroupArn: this.loadBalancing.httpTargetGroup.targetGroupArn,
      grpcTargetGroupArn: this.loadBalancing.grpcTargetGroup.targetGroupArn,
      clusterName: this.service.cluster.clusterName,
      serviceName: this.service.service.serviceName,
      databaseWriterEndpoint: cluster.clusterEndpoint.hostname,
      databaseReaderEndpoint: cluster.clusterReadEndpoint.hostname,
      databasePort: String(DATABASE_PORT),
      databaseSecretArn: secret.secretArn,
      databaseClusterId: cluster.clusterIdentifier,
      bastionAddress: this.bastion.publicAddress,
      bastionInstanceId: this.bastion.instance.instanceId,
      bastionTunnelUser: env.bastion.tunnelUser,
      bastionKeysParameterPath: env.bastion.keysParameterPath,
      bastionSessionPolicyArn: this.bastion.sessionPolicy.managedPolicyArn,
      repositoryUri: repository.repositoryUri,
      imageTag: this.imageTag.valueAsString,
      deployStateTable: this.deployState.table.tableName,
    };
    for (const [key, value] of Object.entries(outputs)) {
      new CfnOutput(this, STACK_OUTPUTS[key as keyof typeof STACK_OUTPUTS], { value });
    }
  }
}

/** The pinned bastion AMI; without one the stack is not built (a new AMI would replace the bastion silently). */
function bastionAmi(env: EnvironmentConfig): string {
  if (env.bastion.ami) return env.bastion.ami;
  throw new ConfigError('the configuration', [
    {
      path: `environments.${env.name}.bastion.ami`,
      message:
        `required: pin the bastion's AMI (Amazon Linux 2023, arm64, in ${env.region}). For a running bastion, ` +
        `pin the AMI it runs so that nothing is replaced: aws ec2 describe-instances --region ${env.region} ` +
        `--instance-ids <BastionInstanceId output of ${env.stackName}> --query 'Reservations[0].Instances[0].ImageId' --output text. ` +
        `For a new one: aws ssm get-parameter --region ${env.region} --name /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64 --query Parameter.Value --output text`,
    },
  ]);
}
