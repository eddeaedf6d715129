/**
 * AWS behind a deploy, for tests: an ECS service with its deployments and scalable target (through
 * aws-sdk-client-mock, so every bot instance in the process sees the same one), ECR repositories
 * with tags, and a stack deployer that behaves like CloudFormation updating the `ImageTag` parameter
 * (including a rollout the ECS circuit breaker fails and rolls back).
 */
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  DescribeImagesCommand,
  ECRClient,
  ImageNotFoundException,
  ListImagesCommand,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import type {
  StackActivityEvent,
  StackDeployer,
  StackDeployRequest,
  StackDeployResult,
  StackDiffResult,
} from '../../ops/deploy/stack-deployer';
import type { StackOutputValues } from './aws-fakes';

interface FakeDeployment {
  id: string;
  status: 'PRIMARY' | 'ACTIVE' | 'INACTIVE';
  rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason: string;
  runningCount: number;
  pendingCount: number;
  desiredCount: number;
  failedTasks: number;
  taskDefinition: string;
  version: string;
}

/** The reason ECS gives when the deployment circuit breaker fails a rollout. */
export const CIRCUIT_BREAKER_REASON =
  'ECS deployment circuit breaker: tasks failed to start. Rolling back to the previous deployment.';

/**
 * One ECS service and its scalable target. `UpdateService` sets the desired count; each
 * DescribeServices moves the running count one task towards it, unless {@link stuck}.
 */
export class FakeServiceWorld {
  readonly ecs = mockClient(ECSClient);
  readonly scaling = mockClient(ApplicationAutoScalingClient);
  /** The target groups' target health (both groups alike). */
  readonly elb = mockClient(ElasticLoadBalancingV2Client);
  /** The state the load balancer reports for the PRIMARY deployment's tasks. @default 'healthy' */
  targetState: 'healthy' | 'unhealthy' | 'initial' = 'healthy';
  deployments: FakeDeployment[];
  desired: number;
  running: number;
  bounds = { min: 1, max: 4 };
  /** When true, the running count never moves (for the deadline test). */
  stuck = false;
  private ids = 0;

  constructor(
    version: string,
    tasks = 2,
    /** The stack outputs the CloudFormation fake serves; RunningImageTag follows the deploys. */
    readonly outputs: StackOutputValues = {},
  ) {
    this.desired = tasks;
    this.running = tasks;
    this.deployments = [this.deployment(version, 'COMPLETED')];
    this.ecs.on(DescribeServicesCommand).callsFake(() => {
      if (!this.stuck && this.running !== this.desired) this.running += this.running < this.desired ? 1 : -1;
      return {
        services: [
          {
            serviceName: 'wheelhouse-service',
            status: 'ACTIVE',
            desiredCount: this.desired,
            runningCount: this.running,
            pendingCount: Math.max(0, this.desired - this.running),
            deployments: this.deployments.map((d) => ({ ...d })),
          },
        ],
      };
    });
    // The shapes of ListTasks, DescribeTasks (an awsvpc task's ElasticNetworkInterface attachment with
    // privateIPv4Address) and DescribeTargetHealth are those of the ECS and ELB API references
    // (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTasks.html,
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeTargetHealth.html);
    // moto answers DescribeTargetHealth too (test/ops/target-health.test.ts) but cannot run awsvpc tasks.
    this.ecs.on(ListTasksCommand).callsFake(() => ({
      taskArns: this.tasks().map((t) => t.taskArn),
    }));
    this.ecs.on(DescribeTasksCommand).callsFake((input: { tasks?: string[] }) => ({
      tasks: this.tasks()
        .filter((t) => input.tasks?.includes(t.taskArn))
        .map((t) => ({
          taskArn: t.taskArn,
          taskDefinitionArn: t.taskDefinition,
          lastStatus: 'RUNNING',
          attachments: [
            {
              type: 'ElasticNetworkInterface',
              status: 'ATTACHED',
              details: [
                { name: 'subnetId', value: 'subnet-0123' },
                { name: 'privateIPv4Address', value: t.ip },
              ],
            },
          ],
        })),
    }));
    this.elb.on(DescribeTargetHealthCommand).callsFake(() => ({
      TargetHealthDescriptions: this.tasks().map((t) => ({
        Target: { Id: t.ip, Port: 8080 },
        HealthCheckPort: '8080',
        TargetHealth:
          this.targetState === 'healthy'
            ? { State: 'healthy' }
            : this.targetState === 'initial'
              ? { State: 'initial', Reason: 'Elb.InitialHealthChecking' }
              : {
                  State: 'unhealthy',
                  Reason: 'Target.ResponseCodeMismatch',
                  Description: 'Health checks failed with these codes: [503]',
                },
      })),
    }));
    this.ecs.on(UpdateServiceCommand).callsFake((input: { desiredCount?: number }) => {
      if (input.desiredCount !== undefined) this.desired = input.desiredCount;
      return { service: { desiredCount: this.desired } };
    });
    this.scaling.on(DescribeScalableTargetsCommand).callsFake(() => ({
      ScalableTargets: [{ MinCapacity: this.bounds.min, MaxCapacity: this.bounds.max }],
    }));
    this.scaling
      .on(RegisterScalableTargetCommand)
      .callsFake((input: { MinCapacity?: number; MaxCapacity?: number }) => {
        this.bounds = {
          min: input.MinCapacity ?? this.bounds.min,
          max: input.MaxCapacity ?? this.bounds.max,
        };
        this.desired = Math.min(Math.max(this.desired, this.bounds.min), this.bounds.max);
        return {};
      });
  }

  /** The running tasks of the PRIMARY deployment: one per running count. */
  tasks(): { taskArn: string; taskDefinition: string; ip: string }[] {
    const primary = this.deployments.find((d) => d.status === 'PRIMARY')!;
    return Array.from({ length: primary.runningCount }, (_, i) => ({
      taskArn: `arn:aws:ecs:eu-west-1:222222222222:task/wheelhouse-dev/${primary.id.replace(/\W/g, '')}t${i}`,
      taskDefinition: primary.taskDefinition,
      ip: `10.0.${primary.id.replace(/\D/g, '')}.${i + 10}`,
    }));
  }

  /** The version the PRIMARY deployment runs. */
  get version(): string {
    return this.deployments.find((d) => d.status === 'PRIMARY')!.version;
  }

  deployment(version: string, rolloutState: FakeDeployment['rolloutState']): FakeDeployment {
    return {
      id: `ecs-svc/${++this.ids}`,
      status: 'PRIMARY',
      rolloutState,
      rolloutStateReason: rolloutState === 'COMPLETED' ? 'ECS deployment completed.' : '',
      runningCount: rolloutState === 'COMPLETED' ? this.desired : 0,
      pendingCount: rolloutState === 'COMPLETED' ? 0 : this.desired,
      desiredCount: this.desired,
      failedTasks: 0,
      taskDefinition: `arn:aws:ecs:eu-west-1:222222222222:task-definition/wheelhouse-service:${this.ids}`,
      version,
    };
  }

  restore(): void {
    this.ecs.restore();
    this.scaling.restore();
    this.elb.restore();
  }
}

/**
 * How the fake CloudFormation update goes. `access-denied`: CreateChangeSet is refused, so the
 * deploy fails before CloudFormation changes anything.
 */
export type FakeDeployMode = 'succeed' | 'circuit-breaker' | 'access-denied';

/** The reason of a deploy in {@link FakeDeployMode} `access-denied`, as toolkit-lib gives it. */
export const ACCESS_DENIED_REASON =
  'wheelhouse-dev failed: AccessDenied: User: arn:aws:sts::222222222222:assumed-role/cdk-hnb659fds-deploy-role-222222222222-eu-west-1/aws-cdk-root is not authorized to perform: cloudformation:CreateChangeSet on resource: arn:aws:cloudformation:eu-west-1:222222222222:stack/wheelhouse-dev/*';

/**
 * A {@link StackDeployer} that acts like CloudFormation updating the stack's `ImageTag`: a new ECS
 * deployment that completes (or that the circuit breaker fails and rolls back), stack events, and
 * the RunningImageTag output following the parameter (kept when no version is given).
 */
export class FakeStackDeployer implements StackDeployer {
  readonly calls: StackDeployRequest[] = [];
  /** The diffs asked for (a diff never counts as a deploy in {@link calls}). */
  readonly diffCalls: StackDeployRequest[] = [];
  /** What `diff` answers, besides the running image tag (the world's). @default no changes */
  diffResult: Omit<StackDiffResult, 'runningImageTag'> = {
    stackExists: true,
    text: 'There were no differences',
    resourceChanges: 0,
  };
  mode: FakeDeployMode = 'succeed';
  private held: Promise<void> = Promise.resolve();

  /** Makes deploys wait (after they start) until the returned function is called. */
  hold(): () => void {
    let release = () => {};
    this.held = new Promise((resolve) => {
      release = resolve;
    });
    return release;
  }

  constructor(
    private readonly world: FakeServiceWorld,
    /** Time between two steps of the rollout. @default 30 */
    private readonly stepMs = 30,
  ) {}

  async diff(request: StackDeployRequest): Promise<StackDiffResult> {
    this.diffCalls.push(request);
    return {
      ...this.diffResult,
      runningImageTag: this.diffResult.stackExists ? this.world.version : null,
    };
  }

  async deploy(
    request: StackDeployRequest,
    onActivity: (event: StackActivityEvent) => void,
  ): Promise<StackDeployResult> {
    this.calls.push(request);
    await this.held;
    const world = this.world;
    const stackName = request.environment.stackName;
    const previous = world.version;
    const version = request.version ?? previous;
    const emit = (logicalId: string, resourceType: string, status: string, reason: string | null = null) =>
      onActivity({ logicalId, resourceType, status, reason });
    const step = () => new Promise((resolve) => setTimeout(resolve, this.stepMs));

    if (this.mode === 'access-denied') {
      await step();
      return { ok: false, reason: ACCESS_DENIED_REASON, stackChanged: false };
    }
    emit(stackName, 'AWS::CloudFormation::Stack', 'UPDATE_IN_PROGRESS', 'User Initiated');
    if (version === previous) {
      await step();
      emit(stackName, 'AWS::CloudFormation::Stack', 'UPDATE_COMPLETE');
      return { ok: true, reason: null, stackChanged: true };
    }
    emit('ServiceTaskDefinition', 'AWS::ECS::TaskDefinition', 'UPDATE_COMPLETE');
    emit('ServiceFargateService', 'AWS::ECS::Service', 'UPDATE_IN_PROGRESS');
    const old = world.deployments.find((d) => d.status === 'PRIMARY')!;
    old.status = 'ACTIVE';
    const next = world.deployment(version, 'IN_PROGRESS');
    world.deployments = [next, old];
    await step();
    if (this.mode === 'circuit-breaker') {
      next.failedTasks = 3;
      await step();
      next.status = 'ACTIVE';
      next.rolloutState = 'FAILED';
      next.rolloutStateReason = CIRCUIT_BREAKER_REASON;
      next.pendingCount = 0;
      const rollback = world.deployment(previous, 'COMPLETED');
      world.deployments = [rollback, next];
      await step();
      const reason =
        'Resource handler returned message: "Error occurred during operation \'ECS Deployment Circuit Breaker was triggered\'."';
      emit('ServiceFargateService', 'AWS::ECS::Service', 'UPDATE_FAILED', reason);
      emit(stackName, 'AWS::CloudFormation::Stack', 'UPDATE_ROLLBACK_COMPLETE');
      world.deployments = [rollback];
      return {
        ok: false,
        reason: `The stack named ${stackName} failed to deploy: UPDATE_ROLLBACK_COMPLETE: ${reason}`,
        stackChanged: true,
      };
    }
    next.runningCount = Math.ceil(world.desired / 2);
    next.pendingCount = world.desired - next.runningCount;
    await step();
    next.runningCount = world.desired;
    next.pendingCount = 0;
    old.runningCount = 0;
    next.rolloutState = 'COMPLETED';
    next.rolloutStateReason = 'ECS deployment completed.';
    world.deployments = [next];
    world.outputs.imageTag = version;
    emit('ServiceFargateService', 'AWS::ECS::Service', 'UPDATE_COMPLETE');
    emit(stackName, 'AWS::CloudFormation::Stack', 'UPDATE_COMPLETE');
    return { ok: true, reason: null, stackChanged: true };
  }
}

/** Mocks ECR: each repository named in `repositories` holds its tags; any other does not exist. */
export function fakeEcr(repositories: Readonly<Record<string, readonly string[]>>) {
  const ecr = mockClient(ECRClient);
  const tagsOf = (repositoryName: string | undefined): readonly string[] => {
    const tags = repositoryName === undefined ? undefined : repositories[repositoryName];
    if (!tags) {
      throw new RepositoryNotFoundException({
        $metadata: { httpStatusCode: 400 },
        message: `The repository with name '${repositoryName}' does not exist in the registry with id '111111111111'`,
      });
    }
    return tags;
  };
  ecr
    .on(DescribeImagesCommand)
    .callsFake((input: { repositoryName?: string; imageIds?: { imageTag?: string }[] }) => {
      const tags = tagsOf(input.repositoryName);
      const tag = input.imageIds?.[0]?.imageTag ?? '';
      if (!tags.includes(tag)) {
        throw new ImageNotFoundException({
          $metadata: { httpStatusCode: 400 },
          message: `The image with imageId {imageTag:'${tag}'} does not exist within the repository`,
        });
      }
      return { imageDetails: [{ imageTags: [tag], imageDigest: `sha256:${'a'.repeat(64)}` }] };
    });
  ecr.on(ListImagesCommand).callsFake((input: { repositoryName?: string }) => ({
    imageIds: tagsOf(input.repositoryName).map((imageTag) => ({ imageTag })),
  }));
  return ecr;
}
