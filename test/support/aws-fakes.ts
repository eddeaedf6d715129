/**
 * AWS at the edge, through the ecosystem's own mocking library (aws-sdk-client-mock): a stack with
 * outputs, an ECS service, a scalable target, an Aurora cluster, and an in-memory SSM Parameter
 * Store that behaves like the real one for the calls the bot makes (including its errors).
 */
import { writeFileSync } from 'node:fs';
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
} from '@aws-sdk/client-ecs';
import { DescribeDBClustersCommand, RDSClient } from '@aws-sdk/client-rds';
import {
  AddTagsToResourceCommand,
  DeleteParameterCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  ParameterAlreadyExists,
  ParameterNotFound,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import type { EnvironmentConfig } from '../../config';
import { STACK_OUTPUTS } from '../../config';

/** Static credentials for clients under test (nothing leaves the machine). */
export const TEST_CREDENTIALS = { accessKeyId: 'AKIDTESTTESTTEST', secretAccessKey: 'test-secret' };

/** An endpoint where nothing listens: AWS calls a test forgot to fake fail here, never on the internet. */
export const UNREACHABLE_AWS_ENDPOINT = 'http://127.0.0.1:9';

/** A credentials provider that finds none, as the SDK's chain does on a fresh machine. */
export async function noCredentials(): Promise<never> {
  const error = new Error('Could not load credentials from any providers');
  error.name = 'CredentialsProviderError';
  throw error;
}

/** Output values of a deployed environment stack, by the keys of STACK_OUTPUTS. */
export type StackOutputValues = Partial<Record<keyof typeof STACK_OUTPUTS, string>>;

/** Plausible outputs for `environment`'s stack. */
export function exampleStackOutputs(
  environment: EnvironmentConfig,
  overrides: StackOutputValues = {},
): StackOutputValues {
  const n = environment.name;
  return {
    clusterName: `wheelhouse-${n}`,
    serviceName: `wheelhouse-${n}-service`,
    databaseWriterEndpoint: `wheelhouse-${n}.cluster-abc.${environment.region}.rds.amazonaws.com`,
    databaseReaderEndpoint: `wheelhouse-${n}.cluster-ro-abc.${environment.region}.rds.amazonaws.com`,
    databasePort: '5432',
    databaseClusterId: `wheelhouse-${n}-db`,
    bastionAddress: `ec2-203-0-113-10.${environment.region}.compute.amazonaws.com`,
    bastionInstanceId: 'i-0123456789abcdef0',
    bastionTunnelUser: environment.bastion.tunnelUser,
    bastionKeysParameterPath: environment.bastion.keysParameterPath,
    imageTag: 'v1.4.2',
    httpTargetGroupArn: `arn:aws:elasticloadbalancing:${environment.region}:${environment.account}:targetgroup/wheelhouse-${n}-http/0123456789abcdef`,
    grpcTargetGroupArn: `arn:aws:elasticloadbalancing:${environment.region}:${environment.account}:targetgroup/wheelhouse-${n}-grpc/0123456789abcdef`,
    ...overrides,
  };
}

/** Mocks CloudFormation: `stacks` maps stack names to their outputs; others do not exist. */
export function fakeStacks(stacks: Readonly<Record<string, StackOutputValues>>) {
  const cfn = mockClient(CloudFormationClient);
  cfn.on(DescribeStacksCommand).callsFake((input: { StackName?: string }) => {
    const outputs = stacks[input.StackName ?? ''];
    if (!outputs) {
      throw new CloudFormationServiceException({
        name: 'ValidationError',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: `Stack with id ${input.StackName} does not exist`,
      });
    }
    return {
      Stacks: [
        {
          StackName: input.StackName,
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date('2026-01-01T00:00:00Z'),
          Outputs: Object.entries(outputs).map(([k, v]) => ({
            OutputKey: STACK_OUTPUTS[k as keyof typeof STACK_OUTPUTS],
            OutputValue: v,
          })),
        },
      ],
    };
  });
  return cfn;
}

/** Mocks ECS, Application Auto Scaling and RDS with a healthy service of `running` tasks. */
export function fakeRunningService(options: { readonly running?: number; readonly version?: string } = {}) {
  const running = options.running ?? 2;
  const version = options.version ?? 'v1.4.2';
  const ecs = mockClient(ECSClient);
  ecs.on(DescribeServicesCommand).resolves({
    services: [
      {
        serviceName: 'wheelhouse-dev-service',
        status: 'ACTIVE',
        runningCount: running,
        desiredCount: running,
        pendingCount: 0,
        taskDefinition: 'arn:aws:ecs:eu-west-1:222222222222:task-definition/wheelhouse-dev:7',
        deployments: [
          { status: 'PRIMARY', rolloutState: 'COMPLETED', rolloutStateReason: 'ECS deployment completed.' },
        ],
      },
    ],
  });
  ecs.on(DescribeTaskDefinitionCommand).resolves({
    taskDefinition: {
      // The sidecar first: `/status` finds the service's container by dev's repository, the branch one.
      containerDefinitions: [
        { name: 'datadog-agent', image: 'public.ecr.aws/datadog/agent:7' },
        {
          name: 'service',
          image: `111111111111.dkr.ecr.eu-west-1.amazonaws.com/wheelhouse/service-branches:${version}`,
        },
      ],
    },
  });
  ecs.on(ListServiceDeploymentsCommand).resolves({
    serviceDeployments: [
      {
        status: 'SUCCESSFUL',
        startedAt: new Date('2026-11-25T10:00:00Z'),
        finishedAt: new Date('2026-11-25T10:06:00Z'),
      },
      {
        status: 'ROLLBACK_SUCCESSFUL',
        statusReason: 'circuit breaker: tasks failed to start',
        startedAt: new Date('2026-11-24T09:00:00Z'),
      },
    ],
  });
  const scaling = mockClient(ApplicationAutoScalingClient);
  scaling
    .on(DescribeScalableTargetsCommand)
    .resolves({ ScalableTargets: [{ MinCapacity: 1, MaxCapacity: 4 } as never] });
  const rds = mockClient(RDSClient);
  rds.on(DescribeDBClustersCommand).resolves({
    DBClusters: [
      {
        DBClusterIdentifier: 'wheelhouse-dev-db',
        Status: 'available',
        EngineVersion: '16.6',
        DBClusterMembers: [
          { DBInstanceIdentifier: 'wheelhouse-dev-db-writer', IsClusterWriter: true },
          { DBInstanceIdentifier: 'wheelhouse-dev-db-reader1', IsClusterWriter: false },
        ],
        ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 2 },
      },
    ],
  });
  return { ecs, scaling, rds };
}

/** One parameter in {@link FakeSsm}. */
export interface FakeParameter {
  readonly name: string;
  value: string;
  tags: Record<string, string>;
}

/**
 * An in-memory SSM Parameter Store behind aws-sdk-client-mock. `dumpFile`, when set, receives the
 * parameters after every write as `name<TAB>value` lines (mode 0644), so that a stand-in AWS CLI
 * (see `fake-aws-cli.ts`) can answer the bastion's `get-parameters-by-path` from what the bot wrote.
 */
export class FakeSsm {
  readonly parameters = new Map<string, FakeParameter>();
  readonly mock = mockClient(SSMClient);

  constructor(private readonly dumpFile: string | null = null) {
    this.mock.on(PutParameterCommand).callsFake((input) => {
      const name = String(input.Name);
      if (!/^[a-zA-Z0-9_.\-/]+$/.test(name)) throw validation(`Parameter name ${name} is not valid`);
      const existing = this.parameters.get(name);
      if (existing && !input.Overwrite) {
        throw new ParameterAlreadyExists({
          $metadata: { httpStatusCode: 400 },
          message: 'The parameter already exists.',
        });
      }
      if (existing && input.Tags) throw validation('Tags cannot be given with Overwrite');
      if (String(input.Value).length > 4096) throw validation('Standard parameters hold at most 4 KB');
      const tags = Object.fromEntries(
        (input.Tags ?? []).map((t: { Key?: string; Value?: string }) => [t.Key, t.Value]),
      );
      this.parameters.set(name, { name, value: String(input.Value), tags: existing ? existing.tags : tags });
      this.dump();
      return { Version: 1, Tier: 'Standard' };
    });
    this.mock.on(GetParameterCommand).callsFake((input) => {
      const parameter = this.parameters.get(String(input.Name));
      if (!parameter)
        throw new ParameterNotFound({ $metadata: { httpStatusCode: 400 }, message: 'not found' });
      return { Parameter: { Name: parameter.name, Value: parameter.value, Type: 'String', Version: 1 } };
    });
    this.mock.on(GetParametersByPathCommand).callsFake((input) => {
      const path = String(input.Path);
      const all = [...this.parameters.values()].filter((p) =>
        p.name.startsWith(path.endsWith('/') ? path : `${path}/`),
      );
      const start = Number(input.NextToken ?? 0);
      const size = input.MaxResults ?? 10;
      const page = all.slice(start, start + size);
      return {
        Parameters: page.map((p) => ({ Name: p.name, Value: p.value, Type: 'String', Version: 1 })),
        NextToken: start + size < all.length ? String(start + size) : undefined,
      };
    });
    this.mock.on(DeleteParameterCommand).callsFake((input) => {
      if (!this.parameters.delete(String(input.Name))) {
        throw new ParameterNotFound({ $metadata: { httpStatusCode: 400 }, message: 'not found' });
      }
      this.dump();
      return {};
    });
    this.mock.on(AddTagsToResourceCommand).callsFake((input) => {
      const parameter = this.parameters.get(String(input.ResourceId));
      if (!parameter) throw validation('no such resource');
      for (const tag of input.Tags ?? []) parameter.tags[String(tag.Key)] = String(tag.Value);
      return {};
    });
    this.dump();
  }

  /** Sets a parameter directly, as something other than the bot would (tests of what the bastion ignores). */
  putRaw(name: string, value: string): void {
    this.parameters.set(name, { name, value, tags: {} });
    this.dump();
  }

  private dump(): void {
    if (!this.dumpFile) return;
    const lines = [...this.parameters.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((p) => `${p.name}\t${p.value}\n`);
    writeFileSync(this.dumpFile, lines.join(''), { mode: 0o644 });
  }
}

function validation(message: string): Error {
  const error = new Error(message);
  error.name = 'ValidationException';
  return error;
}
