/**
 * Everything a deploy talks to, offline: a real DynamoDB protocol server (dynalite) with each
 * environment's deploy-state table, CloudFormation stack outputs, the two ECR repositories with tags, an ECS
 * service that follows the deploys, and a stand-in stack deployer (`deploy-fakes.ts`), all reached
 * through one {@link AwsClients} seam. The bot's `/deploy` and the command line share it.
 */

import { type Config, deployStateTableName, type EnvironmentConfig } from '../../config';
import { AwsClients } from '../../ops/aws-clients';
import { exampleStackOutputs, fakeStacks, type StackOutputValues, TEST_CREDENTIALS } from './aws-fakes';
import { FakeServiceWorld, FakeStackDeployer, fakeEcr } from './deploy-fakes';
import { type RunningDynalite, startDynalite } from './dynalite';
import type { LbHealthServers } from './lb-health-servers';

/** Image tags that both of the service's fake ECR repositories hold. */
export const WORLD_TAGS = ['v1.4.2', 'v1.5.0', 'v1.5.1', 'v2.0.0-rc1'];

/**
 * A tag a branch's CI job pushed, made to look like a release: its image is in the branch repository
 * (dev's) only, never in the release repository, where no branch's job can push.
 */
export const BRANCH_ONLY_TAG = 'v9.1.0';

/** One AWS world for a test. */
export interface DeployWorld {
  readonly dynalite: RunningDynalite;
  readonly service: FakeServiceWorld;
  readonly deployer: FakeStackDeployer;
  /** ECR: the release repository holds {@link WORLD_TAGS}, the branch repository those and {@link BRANCH_ONLY_TAG}. */
  readonly ecr: ReturnType<typeof fakeEcr>;
  /** Stack outputs by stack name; the fake deployer moves `imageTag`. */
  readonly outputs: Record<string, StackOutputValues>;
  /** New clients on the world (each caller closes its own). */
  aws(): AwsClients;
  environment(name: string): EnvironmentConfig;
  close(): Promise<void>;
}

/** Starts the world for `config`: every environment runs v1.4.2 behind `health`. */
export async function startDeployWorld(config: Config, health: LbHealthServers): Promise<DeployWorld> {
  const dynalite = await startDynalite();
  for (const env of config.environments) await dynalite.createDeployStateTable(deployStateTableName(env));
  const outputs = Object.fromEntries(
    config.environments.map((env) => [
      env.stackName,
      exampleStackOutputs(env, {
        imageTag: 'v1.4.2',
        httpEndpoint: health.httpEndpoint,
        grpcEndpoint: health.grpcEndpoint,
      }),
    ]),
  );
  // One ECS service stands for every environment's; the dev stack's RunningImageTag follows it.
  const service = new FakeServiceWorld('v1.4.2', 2, outputs[`${config.project.name}-dev`]);
  const deployer = new FakeStackDeployer(service);
  const ecr = fakeEcr({
    [config.registry.repositoryName]: WORLD_TAGS,
    [config.registry.branchRepositoryName]: [...WORLD_TAGS, BRANCH_ONLY_TAG],
  });
  const mocks: { restore(): void }[] = [fakeStacks(outputs), ecr, service];
  return {
    dynalite,
    service,
    deployer,
    ecr,
    outputs,
    aws: () =>
      new AwsClients({
        credentials: TEST_CREDENTIALS,
        maxAttempts: 1,
        endpoint: dynalite.endpoint,
        stackDeployer: deployer,
        watch: { pollIntervalMs: 10, scaleDeadlineMs: 300, healthDeadlineMs: 1_000 },
      }),
    environment(name) {
      const found = config.environments.find((e) => e.name === name);
      if (!found) throw new Error(`no environment ${name} in the test configuration`);
      return found;
    },
    async close() {
      for (const mock of mocks) mock.restore();
      await dynalite.close();
    },
  };
}

/** `config` with `envName` frozen all week ('code freeze'), for freeze-window tests. */
export function frozenAllWeek(config: Config, envName: string): Config {
  return {
    ...config,
    environments: config.environments.map((e) =>
      e.name === envName
        ? {
            ...e,
            deploy: {
              ...e.deploy,
              freezeWindows: [
                {
                  days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
                  from: '00:00',
                  to: '24:00',
                  reason: 'code freeze',
                },
              ],
            },
          }
        : e,
    ),
  };
}
