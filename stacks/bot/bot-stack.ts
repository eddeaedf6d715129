/**
 * The bot stack, `<project>-bot`, in the tools account: the Slack bot on ECS Fargate in Socket Mode.
 *
 * Socket Mode connects out to Slack, so nothing connects in: no load balancer, and a security group
 * without a single inbound rule. The tasks run in the private subnets of the stack's own small VPC and
 * leave through one NAT gateway (HTTPS only) to Slack, AWS, Datadog and PagerDuty: no public
 * address on a task (the finding Security Hub's ECS.2 raises), for the price of one NAT gateway.
 *
 * The task role can do nothing in the environments itself: it assumes each environment's operator
 * role (the commands) and the CDK bootstrap roles (deploys, which run toolkit-lib in-process).
 */
import {
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
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import {
  ASSUME_OPERATOR_ROLE_VARIABLE,
  BOT_EGRESS_PORTS,
  BOT_IMAGE_TAG_PARAMETER,
  type BotSecret,
  DRAIN_SECONDS_VARIABLE,
  RESOURCE_TAGS,
} from '../../config';
import { applyUnifiedServiceTags } from '../datadog/unified-service-tags';
import {
  ACTING_FOR_ACTIONS,
  bootstrapRoleArns,
  type DeliveryTarget,
  operatorRoleArns,
} from '../delivery-targets';

/** Name of the bot's container in the task definition. */
export const BOT_CONTAINER_NAME = 'bot';

/** The bot VPC's block: it holds 2 NAT-routed private subnets and is peered with nothing. */
export const BOT_VPC_CIDR = '10.0.0.0/24';

/**
 * Bootstrap roles the bot assumes in an environment's account to deploy its stack: toolkit-lib deploys
 * with the deploy role, uploads file assets with the file-publishing role and reads with the lookup
 * role. The environment stacks have no Docker image assets (images come from the registry), so the
 * image-publishing role is left out.
 */
export const BOT_BOOTSTRAP_ROLES = ['deploy', 'file-publishing', 'lookup'] as const;

/** What the bot reads in the service's repositories: whether a tag exists, and the closest ones when not. */
export const BOT_IMAGE_READ_ACTIONS: readonly string[] = ['ecr:DescribeImages', 'ecr:ListImages'];

/**
 * What a deploy does to mark the images an environment references (ops/deploy/deployed-image-marks.ts):
 * read an image's manifest and put it again under one more tag. No layer upload is allowed, so nothing new
 * can be pushed, and the repositories' immutable tags keep every existing tag where it is.
 */
export const BOT_IMAGE_MARK_ACTIONS: readonly string[] = ['ecr:BatchGetImage', 'ecr:PutImage'];

/** Seconds ECS waits after SIGTERM before SIGKILL (Fargate's longest): the bot drains in that time. */
export const BOT_STOP_TIMEOUT_SECONDS = 120;

/**
 * How long the bot lets deploys in flight run on after SIGTERM (`WHEELHOUSE_DRAIN_SECONDS`): 10 s under
 * the stop timeout, so that a deploy still running can record itself as interrupted, unmute, unlock
 * and say so in its thread before ECS kills the task.
 */
export const BOT_DRAIN_SECONDS = BOT_STOP_TIMEOUT_SECONDS - 10;

/** Props of {@link BotStack}. */
export interface BotStackProps extends StackProps {
  readonly stackName: string;
  /** The tools account and region. */
  readonly account: string;
  readonly region: string;
  readonly projectName: string;
  readonly cpu: number;
  readonly memoryMiB: number;
  /** Tasks running at once, each with its own Socket Mode connection. */
  readonly replicas: number;
  /** Default of the `BotImageTag` parameter; null: every deploy names one. */
  readonly imageTag: string | null;
  readonly logRetentionDays: number;
  /** The two zones of the VPC. */
  readonly availabilityZones: readonly [string, string];
  /** A fixed name: the operator roles trust it by ARN. */
  readonly taskRoleName: string;
  /** The bot's image repository (created by the CI stack). */
  readonly botRepositoryName: string;
  /**
   * The service's repositories whose tags `/deploy` and `/signoff` check: each environment's (its image
   * tier's), read only.
   */
  readonly serviceRepositoryNames: readonly string[];
  /** Secrets Manager secrets the container receives as variables (created by a person, by name). */
  readonly secrets: readonly BotSecret[];
  /** Plain, non-secret variables (settings, never credentials). */
  readonly environment: Readonly<Record<string, string>>;
  /** The environments, with their operator roles. */
  readonly targets: readonly DeliveryTarget[];
}

/** The bot's VPC, cluster, task and service. */
export class BotStack extends Stack {
  readonly vpc: ec2.Vpc;
  readonly cluster: ecs.Cluster;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly service: ecs.FargateService;
  readonly securityGroup: ec2.SecurityGroup;
  readonly taskRole: iam.Role;
  readonly imageTag: CfnParameter;

  constructor(scope: Construct, id: string, props: BotStackProps) {
    super(scope, id, {
      ...props,
      stackName: props.stackName,
      env: { account: props.account, region: props.region },
      description: 'Wheelhouse bot: the Slack bot on ECS Fargate (Socket Mode, no inbound access)',
    });
    Tags.of(this).add(RESOURCE_TAGS.project, props.projectName);
    if (props.replicas < 1) throw new Error(`BotStack replicas must be at least 1, got ${props.replicas}`);
    const environments = props.targets.filter((t) => t.operatorRoleName !== null);
    if (environments.length === 0) {
      throw new Error(
        'BotStack needs at least one environment (with its operator role) to operate, got none',
      );
    }

    this.imageTag = new CfnParameter(this, BOT_IMAGE_TAG_PARAMETER, {
      type: 'String',
      description: `Tag of the bot's image in ${props.botRepositoryName}.`,
      allowedPattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$',
      constraintDescription: 'must be a container image tag: letters, digits, _ . - (at most 128)',
      ...(props.imageTag ? { default: props.imageTag } : {}),
    });

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(BOT_VPC_CIDR),
      availabilityZones: [...props.availabilityZones],
      // One NAT gateway: the bot is not the service; if its zone fails, the bot waits for it.
      natGateways: 1,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 26, mapPublicIpOnLaunch: false },
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 26 },
      ],
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(
        new logs.LogGroup(this, 'FlowLogs', {
          retention: props.logRetentionDays as logs.RetentionDays,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
      ),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: this.vpc,
      // Unchanged since the group was created: CloudFormation replaces a group whose description changes.
      description: 'Bot tasks: nothing in; HTTPS out to Slack (Socket Mode), AWS, Datadog and PagerDuty',
      allowAllOutbound: false,
    });
    // BOT_EGRESS_PORTS is also what the deploy's end-to-end check believes it can reach from here.
    for (const port of BOT_EGRESS_PORTS) {
      this.securityGroup.addEgressRule(
        ec2.Peer.anyIpv4(),
        ec2.Port.tcp(port),
        port === 443 ? 'HTTPS and WSS out' : `gRPC health check of the environment load balancers (${port})`,
      );
    }

    this.taskRole = new iam.Role(this, 'TaskRole', {
      roleName: props.taskRoleName,
      description: "The Wheelhouse bot's tasks: assume the environments' operator and CDK bootstrap roles",
      // Only ECS tasks of this account may use it (the confused-deputy guard ECS documents).
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': props.account },
        ArnLike: { 'aws:SourceArn': `arn:${this.partition}:ecs:${props.region}:${props.account}:*` },
      }),
    });
    this.taskRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'OperateEnvironments',
        // For the Slack user who ran the command (source identity and session tags, see trustActorSessions).
        actions: [...ACTING_FOR_ACTIONS],
        resources: operatorRoleArns(environments),
      }),
    );
    this.taskRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'DeployEnvironments',
        actions: ['sts:AssumeRole'],
        resources: bootstrapRoleArns(environments, BOT_BOOTSTRAP_ROLES),
      }),
    );
    this.taskRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ServiceImageTags',
        actions: [...BOT_IMAGE_READ_ACTIONS],
        resources: props.serviceRepositoryNames.map((name) =>
          this.formatArn({ service: 'ecr', resource: 'repository', resourceName: name }),
        ),
      }),
    );
    this.taskRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'MarkDeployedImages',
        actions: [...BOT_IMAGE_MARK_ACTIONS],
        resources: props.serviceRepositoryNames.map((name) =>
          this.formatArn({ service: 'ecr', resource: 'repository', resourceName: name }),
        ),
      }),
    );

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: this.vpc,
      clusterName: props.stackName,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: props.cpu,
      memoryLimitMiB: props.memoryMiB,
      taskRole: this.taskRole,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.ARM64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const secrets = Object.fromEntries(
      props.secrets.map((s) => [
        s.variable,
        ecs.Secret.fromSecretsManager(
          secretsmanager.Secret.fromSecretNameV2(this, `Secret-${s.variable}`, s.secretName),
        ),
      ]),
    );
    const repository = ecr.Repository.fromRepositoryName(this, 'BotRepository', props.botRepositoryName);
    this.container = this.taskDefinition.addContainer(BOT_CONTAINER_NAME, {
      image: ecs.ContainerImage.fromEcrRepository(repository, this.imageTag.valueAsString),
      essential: true,
      readonlyRootFilesystem: true,
      user: '1000',
      environment: {
        ...props.environment,
        NODE_ENV: 'production',
        // tsx's compile cache, toolkit-lib's synth output and anything under ~ go to the /tmp volume.
        HOME: '/tmp',
        [ASSUME_OPERATOR_ROLE_VARIABLE]: 'true',
        [DRAIN_SECONDS_VARIABLE]: String(BOT_DRAIN_SECONDS),
      },
      secrets,
      stopTimeout: Duration.seconds(BOT_STOP_TIMEOUT_SECONDS),
      linuxParameters: new ecs.LinuxParameters(this, 'LinuxParameters', { initProcessEnabled: true }),
      logging: ecs.LogDrivers.awsLogs({
        logGroup,
        streamPrefix: 'bot',
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
      }),
    });
    // Unified service tags, so that the bot's container metrics and logs are told apart in Datadog.
    applyUnifiedServiceTags(this.container, {
      env: 'tools',
      service: `${props.projectName}-bot`,
      version: this.imageTag.valueAsString,
    });
    // The root filesystem is read-only; /tmp is the one writable place (task-local scratch space).
    this.taskDefinition.addVolume({ name: 'tmp' });
    this.container.addMountPoints({ containerPath: '/tmp', sourceVolume: 'tmp', readOnly: false });
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions::AwsSolutions-ECS2',
      reason:
        'Only settings are plain environment variables (the Datadog site, the operator-role switch, HOME); tokens and keys come from Secrets Manager.',
    });
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecr:GetAuthorizationToken, granted by CDK to the execution role, has no resource-level permissions.',
    });

    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      serviceName: `${props.stackName}-service`,
      taskDefinition: this.taskDefinition,
      desiredCount: props.replicas,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.securityGroup],
      assignPublicIp: false,
      circuitBreaker: { enable: true, rollback: true },
      // New tasks connect before old ones stop: Slack spreads events over every open connection.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      enableExecuteCommand: false,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
    });

    new CfnOutput(this, 'TaskRoleArn', { value: this.taskRole.roleArn });
    new CfnOutput(this, 'ClusterName', { value: this.cluster.clusterName });
    new CfnOutput(this, 'ServiceName', { value: this.service.serviceName });
  }
}
