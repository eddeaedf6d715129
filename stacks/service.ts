/** The dual-protocol service on ECS Fargate: task, rolling deploys with circuit-breaker rollback, autoscaling. */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { DatadogAgentSidecar, type DatadogLogOptions } from './datadog';

/** Name of the service's container in the task definition. */
export const SERVICE_CONTAINER_NAME = 'service';

/** Props of {@link Service}. */
export interface ServiceProps {
  readonly vpc: ec2.IVpc;
  /** Private app subnets the tasks run in. */
  readonly subnets: ec2.ISubnet[];
  /** Repository the image comes from: the one of the environment's image tier. */
  readonly repository: ecr.IRepository;
  /** Image tag to run (a token: the stack parameter). */
  readonly imageTag: string;
  /** Fargate CPU units and memory (MiB). */
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly httpPort: number;
  readonly grpcPort: number;
  /** Autoscaling bounds. */
  readonly minTasks: number;
  readonly maxTasks: number;
  /** Target-tracking targets. */
  readonly scaling: {
    readonly cpuPercent: number;
    readonly memoryPercent: number;
    readonly requestsPerTarget: number;
    readonly scaleInCooldownSeconds: number;
    readonly scaleOutCooldownSeconds: number;
  };
  /** Seconds between SIGTERM and SIGKILL; the service drains within it. */
  readonly stopTimeoutSeconds: number;
  readonly logRetentionDays: number;
  /** Plain environment variables for the container (endpoints, names). */
  readonly environment: Readonly<Record<string, string>>;
  /** Secrets Manager secret with `username` and `password` of the database. */
  readonly databaseSecret: secretsmanager.ISecret;
  /** Where HTTP traffic comes from. */
  readonly httpTargetGroup: elbv2.ApplicationTargetGroup;
  /** Where gRPC traffic comes from. */
  readonly grpcTargetGroup: elbv2.ApplicationTargetGroup | elbv2.NetworkTargetGroup;
  /** Security groups of the load balancers. */
  readonly loadBalancerSecurityGroups: readonly ec2.ISecurityGroup[];
  /** A stable cluster name, e.g. `wheelhouse-prod`. */
  readonly clusterName: string;
  /** A stable service name, e.g. `wheelhouse-prod-service`. */
  readonly serviceName: string;
  /** Ship metrics, traces and logs to Datadog through an Agent sidecar and FireLens. @default CloudWatch Logs only */
  readonly datadog?: DatadogLogOptions;
}

/** The ECS cluster, task definition, Fargate service and its autoscaling. */
export class Service extends Construct {
  readonly cluster: ecs.Cluster;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly service: ecs.FargateService;
  readonly securityGroup: ec2.SecurityGroup;
  readonly scaling: ecs.ScalableTaskCount;

  constructor(scope: Construct, id: string, props: ServiceProps) {
    super(scope, id);
    if (props.maxTasks < props.minTasks)
      throw new Error(`Service maxTasks (${props.maxTasks}) must be >= minTasks (${props.minTasks})`);

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      clusterName: props.clusterName,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: props.cpu,
      memoryLimitMiB: props.memoryMiB,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.ARM64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.container = this.taskDefinition.addContainer(SERVICE_CONTAINER_NAME, {
      image: ecs.ContainerImage.fromEcrRepository(props.repository, props.imageTag),
      essential: true,
      readonlyRootFilesystem: true,
      user: '1000',
      portMappings: [
        { name: 'http', containerPort: props.httpPort, protocol: ecs.Protocol.TCP },
        { name: 'grpc', containerPort: props.grpcPort, protocol: ecs.Protocol.TCP },
      ],
      environment: {
        PORT: String(props.httpPort),
        GRPC_PORT: String(props.grpcPort),
        // The service drains within this, a little under ECS's SIGKILL deadline.
        SHUTDOWN_TIMEOUT_MS: String(Math.max(1000, (props.stopTimeoutSeconds - 3) * 1000)),
        ...props.environment,
      },
      secrets: {
        PGUSER: ecs.Secret.fromSecretsManager(props.databaseSecret, 'username'),
        PGPASSWORD: ecs.Secret.fromSecretsManager(props.databaseSecret, 'password'),
      },
      stopTimeout: Duration.seconds(props.stopTimeoutSeconds),
      logging: props.datadog
        ? DatadogAgentSidecar.logDriver(props.datadog)
        : ecs.LogDrivers.awsLogs({
            logGroup,
            streamPrefix: 'service',
            mode: ecs.AwsLogDriverMode.NON_BLOCKING,
          }),
    });
    if (props.datadog) {
      new DatadogAgentSidecar(this, 'Datadog', {
        ...props.datadog,
        taskDefinition: this.taskDefinition,
        appContainer: this.container,
        version: props.imageTag,
      });
    }
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions::AwsSolutions-ECS2',
      reason:
        'Only non-secret settings (ports, endpoints, names) are plain environment variables; credentials come from Secrets Manager.',
    });
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecr:GetAuthorizationToken, granted by CDK to the execution role, has no resource-level permissions.',
    });
    // The root filesystem is read-only; /tmp is the one writable place (task-local scratch space).
    this.taskDefinition.addVolume({ name: 'tmp' });
    this.container.addMountPoints({ containerPath: '/tmp', sourceVolume: 'tmp', readOnly: false });

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Service tasks: load balancers in, HTTPS and the database out',
      allowAllOutbound: false,
    });
    // Image pulls, Secrets Manager, CloudWatch Logs and the Datadog intake, through NAT.
    this.securityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'AWS APIs and image pulls over HTTPS',
    );
    for (const lbSg of props.loadBalancerSecurityGroups) {
      this.securityGroup.connections.allowFrom(
        lbSg,
        ec2.Port.tcp(props.httpPort),
        'HTTP and health checks from the load balancer',
      );
      this.securityGroup.connections.allowFrom(
        lbSg,
        ec2.Port.tcp(props.grpcPort),
        'gRPC from the load balancer',
      );
    }

    // DesiredCount is left out of the template on purpose: autoscaling and /scale own the running count,
    // and a deploy must never reset it. A new service starts at 1 and autoscaling raises it to minTasks.
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      serviceName: props.serviceName,
      taskDefinition: this.taskDefinition,
      vpcSubnets: { subnets: props.subnets },
      securityGroups: [this.securityGroup],
      assignPublicIp: false,
      circuitBreaker: { enable: true, rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      healthCheckGracePeriod: Duration.seconds(30),
      enableExecuteCommand: false,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
    });
    props.httpTargetGroup.addTarget(
      this.service.loadBalancerTarget({
        containerName: SERVICE_CONTAINER_NAME,
        containerPort: props.httpPort,
      }),
    );
    props.grpcTargetGroup.addTarget(
      this.service.loadBalancerTarget({
        containerName: SERVICE_CONTAINER_NAME,
        containerPort: props.grpcPort,
      }),
    );

    this.scaling = this.service.autoScaleTaskCount({
      minCapacity: props.minTasks,
      maxCapacity: props.maxTasks,
    });
    const cooldowns = {
      scaleInCooldown: Duration.seconds(props.scaling.scaleInCooldownSeconds),
      scaleOutCooldown: Duration.seconds(props.scaling.scaleOutCooldownSeconds),
    };
    this.scaling.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: props.scaling.cpuPercent,
      ...cooldowns,
    });
    this.scaling.scaleOnMemoryUtilization('Memory', {
      targetUtilizationPercent: props.scaling.memoryPercent,
      ...cooldowns,
    });
    this.scaling.scaleOnRequestCount('Requests', {
      requestsPerTarget: props.scaling.requestsPerTarget,
      targetGroup: props.httpTargetGroup,
      ...cooldowns,
    });
  }
}
