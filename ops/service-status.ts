/**
 * Reads what `/status` shows: the ECS service and its rollout, its autoscaling bounds, the Aurora
 * cluster and recent deployments. Returns data; rendering is the command's job.
 *
 * After the stack's outputs (without them nothing else can be found), each read settles on its own: one
 * that fails leaves the others' results, and is listed in {@link ServiceStatus.unreadable}.
 */
import { z } from 'zod';
import type { EnvironmentConfig } from '../config';
import type { AwsClients } from './aws-clients';
import { withAwsErrors } from './aws-errors';
import { type DeployLock, DeployStateStore } from './deploy/deploy-state';
import type { BotLogger } from './logger';
import { describeReadFailure } from './read-failure';
import { readStackOutputs } from './stack-outputs';

/** The parts of a status that are read independently. */
export type StatusPart = 'service' | 'image' | 'deployments' | 'autoscaling' | 'database' | 'lock';

/** A part that could not be read: which, through which IAM action, and why in words a person can act on. */
export interface UnreadablePart {
  readonly part: StatusPart;
  readonly action: string;
  readonly reason: string;
  /** True when the reason is ours to look at (the error is logged), not something AWS explained. */
  readonly logged: boolean;
}

/** One ECS deployment of the service (current or recent). */
export interface DeploymentSummary {
  readonly status: string;
  readonly rolloutState: string | null;
  readonly reason: string | null;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
}

/** Everything `/status` shows for one environment. */
export interface ServiceStatus {
  readonly stackName: string;
  readonly stackStatus: string;
  /** Null when DescribeServices failed (see {@link unreadable}). */
  readonly service: {
    readonly name: string;
    readonly status: string;
    readonly running: number;
    readonly desired: number;
    readonly pending: number;
    /** The rollout of the PRIMARY deployment. */
    readonly rollout: { readonly state: string; readonly reason: string | null } | null;
    /** The service container's image, e.g. `…/wheelhouse/service:v1.2.3`. */
    readonly image: string | null;
    /** The tag part of {@link image}. */
    readonly version: string | null;
  } | null;
  readonly scaling: { readonly min: number; readonly max: number } | null;
  /** The bounds the stack configures (`service.tasks`); `/scale` may have set others live. */
  readonly configuredScaling: { readonly min: number; readonly max: number };
  /** Who holds the deploy lock, or null when it is free (or the lock table cannot be read). */
  readonly lock: DeployLock | null;
  readonly database: {
    readonly id: string;
    readonly status: string;
    readonly engineVersion: string | null;
    readonly writer: string | null;
    readonly readers: readonly string[];
    readonly capacity: { readonly min: number; readonly max: number } | null;
  } | null;
  readonly recentDeployments: readonly DeploymentSummary[];
  /** The reads that failed, one entry each; the matching fields above then hold their empty value. */
  readonly unreadable: readonly UnreadablePart[];
}

const describeServices = z.object({
  services: z
    .array(
      z.object({
        serviceName: z.string().optional(),
        status: z.string().optional(),
        runningCount: z.number().optional(),
        desiredCount: z.number().optional(),
        pendingCount: z.number().optional(),
        taskDefinition: z.string().optional(),
        deployments: z
          .array(
            z.object({
              status: z.string().optional(),
              rolloutState: z.string().optional(),
              rolloutStateReason: z.string().optional(),
            }),
          )
          .optional(),
      }),
    )
    .optional(),
});

const describeTaskDefinition = z.object({
  taskDefinition: z
    .object({
      containerDefinitions: z
        .array(z.object({ name: z.string().optional(), image: z.string().optional() }))
        .optional(),
    })
    .optional(),
});

const listServiceDeployments = z.object({
  serviceDeployments: z
    .array(
      z.object({
        status: z.string().optional(),
        statusReason: z.string().optional(),
        startedAt: z.date().optional(),
        createdAt: z.date().optional(),
        finishedAt: z.date().optional(),
      }),
    )
    .optional(),
});

const describeScalableTargets = z.object({
  ScalableTargets: z
    .array(z.object({ MinCapacity: z.number().optional(), MaxCapacity: z.number().optional() }))
    .optional(),
});

const describeDbClusters = z.object({
  DBClusters: z
    .array(
      z.object({
        DBClusterIdentifier: z.string().optional(),
        Status: z.string().optional(),
        EngineVersion: z.string().optional(),
        DBClusterMembers: z
          .array(
            z.object({
              DBInstanceIdentifier: z.string().optional(),
              IsClusterWriter: z.boolean().optional(),
            }),
          )
          .optional(),
        ServerlessV2ScalingConfiguration: z
          .object({ MinCapacity: z.number().optional(), MaxCapacity: z.number().optional() })
          .optional(),
      }),
    )
    .optional(),
});

/** How many recent deployments `/status` lists. */
export const RECENT_DEPLOYMENTS = 5;

/**
 * Reads the status of `environment` from CloudFormation, ECS, Application Auto Scaling, RDS and DynamoDB.
 *
 * @param logger where unexpected failures of single reads are logged (they are listed, not thrown)
 * @throws the first failure when every read failed (nothing to show), as an AWS user error where it is one
 */
export async function readServiceStatus(
  aws: AwsClients,
  environment: EnvironmentConfig,
  logger?: BotLogger,
): Promise<ServiceStatus> {
  const outputs = await readStackOutputs(aws, environment);
  const cluster = outputs.get('clusterName');
  const serviceName = outputs.get('serviceName');
  const dbClusterId = outputs.find('databaseClusterId');

  return withAwsErrors(`read the status of ${environment.name}`, async () => {
    const ecsSdk = await import('@aws-sdk/client-ecs');
    const ecs = await aws.ecs(environment);
    const serviceCall = ecs
      .send(new ecsSdk.DescribeServicesCommand({ cluster, services: [serviceName] }))
      .then((r) => describeServices.parse(r).services?.[0] ?? null);
    const deploymentsCall = ecs
      .send(
        new ecsSdk.ListServiceDeploymentsCommand({
          cluster,
          service: serviceName,
          maxResults: RECENT_DEPLOYMENTS,
        }),
      )
      .then((r) => listServiceDeployments.parse(r).serviceDeployments ?? []);
    const scalingCall = (async () => {
      const sdk = await import('@aws-sdk/client-application-auto-scaling');
      const client = await aws.autoScaling(environment);
      const response = await client.send(
        new sdk.DescribeScalableTargetsCommand({
          ServiceNamespace: 'ecs',
          ResourceIds: [`service/${cluster}/${serviceNameOf(serviceName)}`],
          ScalableDimension: 'ecs:service:DesiredCount',
        }),
      );
      const target = describeScalableTargets.parse(response).ScalableTargets?.[0];
      return target ? { min: target.MinCapacity ?? 0, max: target.MaxCapacity ?? 0 } : null;
    })();
    const databaseCall = (async () => {
      if (!dbClusterId) return null;
      const sdk = await import('@aws-sdk/client-rds');
      const client = await aws.rds(environment);
      const response = await client.send(
        new sdk.DescribeDBClustersCommand({ DBClusterIdentifier: dbClusterId }),
      );
      const db = describeDbClusters.parse(response).DBClusters?.[0];
      if (!db) return null;
      const members = db.DBClusterMembers ?? [];
      const scaling = db.ServerlessV2ScalingConfiguration;
      return {
        id: db.DBClusterIdentifier ?? dbClusterId,
        status: db.Status ?? 'unknown',
        engineVersion: db.EngineVersion ?? null,
        writer: members.find((m) => m.IsClusterWriter)?.DBInstanceIdentifier ?? null,
        readers: members.filter((m) => !m.IsClusterWriter).map((m) => m.DBInstanceIdentifier ?? '?'),
        capacity:
          scaling?.MinCapacity !== undefined && scaling.MaxCapacity !== undefined
            ? { min: scaling.MinCapacity, max: scaling.MaxCapacity }
            : null,
      };
    })();

    const lockCall = new DeployStateStore(aws, environment).readLock(new Date());
    // Each read settles on its own: one failure neither hides the others nor leaves a rejection unhandled.
    const failures: { part: StatusPart; action: string; error: unknown }[] = [];
    const settle = async <T>(part: StatusPart, action: string, call: Promise<T>, empty: T): Promise<T> => {
      try {
        return await call;
      } catch (error) {
        failures.push({ part, action, error });
        return empty;
      }
    };
    const [service, deployments, scaling, database, lock] = await Promise.all([
      settle('service', 'ecs:DescribeServices', serviceCall, undefined),
      settle('deployments', 'ecs:ListServiceDeployments', deploymentsCall, []),
      settle('autoscaling', 'application-autoscaling:DescribeScalableTargets', scalingCall, null),
      settle('database', 'rds:DescribeDBClusters', databaseCall, null),
      settle('lock', 'dynamodb:GetItem', lockCall, null),
    ]);
    let image: string | null = null;
    if (service?.taskDefinition) {
      const taskDefinition = service.taskDefinition;
      image = await settle(
        'image',
        'ecs:DescribeTaskDefinition',
        (async () => {
          const response = await ecs.send(new ecsSdk.DescribeTaskDefinitionCommand({ taskDefinition }));
          const containers =
            describeTaskDefinition.parse(response).taskDefinition?.containerDefinitions ?? [];
          const repository = environment.images.repositoryName;
          const main = containers.find((c) => c.image?.includes(`/${repository}:`)) ?? containers[0];
          return main?.image ?? null;
        })(),
        null,
      );
    }
    const attempted = 4 + (dbClusterId ? 1 : 0) + (service?.taskDefinition ? 1 : 0);
    // Nothing could be read: the same error as a single failing read (e.g. access denied, with what to do).
    if (failures.length >= attempted) throw failures[0]!.error;
    const unreadable = failures.map(({ part, action, error }): UnreadablePart => {
      const { reason, expected } = describeReadFailure(error, action);
      if (!expected) logger?.warn({ err: error, part, action }, 'status: a read failed');
      return { part, action, reason, logged: !expected };
    });
    const primary = service?.deployments?.find((d) => d.status === 'PRIMARY');
    return {
      stackName: outputs.stackName,
      stackStatus: outputs.stackStatus,
      service:
        service === undefined
          ? null
          : {
              name: service?.serviceName ?? serviceNameOf(serviceName),
              status: service?.status ?? 'MISSING',
              running: service?.runningCount ?? 0,
              desired: service?.desiredCount ?? 0,
              pending: service?.pendingCount ?? 0,
              rollout: primary?.rolloutState
                ? { state: primary.rolloutState, reason: primary.rolloutStateReason ?? null }
                : null,
              image,
              version: image?.includes(':') ? (image.split(':').at(-1) ?? null) : outputs.find('imageTag'),
            },
      scaling,
      configuredScaling: environment.service.tasks,
      lock,
      database,
      unreadable,
      recentDeployments: deployments.map((d) => ({
        status: d.status ?? 'UNKNOWN',
        rolloutState: null,
        reason: d.statusReason ?? null,
        startedAt: d.startedAt ?? d.createdAt ?? null,
        finishedAt: d.finishedAt ?? null,
      })),
    };
  });
}

/** The service name from a name or an ARN (`arn:aws:ecs:…:service/cluster/name`). */
function serviceNameOf(nameOrArn: string): string {
  return nameOrArn.split('/').at(-1) ?? nameOrArn;
}
