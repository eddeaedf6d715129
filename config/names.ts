/**
 * Names that the stacks publish and the bot and monitors read back: stack outputs, parameters, tags.
 * They live here, on the ground floor, so that neither side imports the other.
 */
import { ConfigError } from './config-error';
import type { Config, EnvironmentConfig } from './types';

/** CloudFormation output keys of every environment stack (`wheelhouse-<env>`). */
export const STACK_OUTPUTS = {
  loadBalancerDns: 'LoadBalancerDnsName',
  grpcEndpoint: 'GrpcEndpoint',
  httpEndpoint: 'HttpEndpoint',
  clusterName: 'ClusterName',
  serviceName: 'ServiceName',
  databaseWriterEndpoint: 'DatabaseWriterEndpoint',
  databaseReaderEndpoint: 'DatabaseReaderEndpoint',
  databasePort: 'DatabasePort',
  databaseSecretArn: 'DatabaseSecretArn',
  databaseClusterId: 'DatabaseClusterIdentifier',
  bastionAddress: 'BastionAddress',
  bastionInstanceId: 'BastionInstanceId',
  bastionTunnelUser: 'BastionTunnelUser',
  bastionKeysParameterPath: 'BastionKeysParameterPath',
  repositoryUri: 'RepositoryUri',
  imageTag: 'RunningImageTag',
  deployStateTable: 'DeployStateTableName',
  /** Only where `datadog.enabled` and `datadog.externalId` are set. */
  datadogIntegrationRoleArn: 'DatadogIntegrationRoleArn',
} as const;

/** The stack parameter that carries the service's image tag; an infrastructure-only deploy keeps its value. */
export const IMAGE_TAG_PARAMETER = 'ImageTag';

/** Tag keys put on every resource, so that costs, monitors and IAM conditions can select an environment. */
export const RESOURCE_TAGS = {
  project: 'wheelhouse:project',
  environment: 'wheelhouse:environment',
} as const;

/** The DynamoDB table holding an environment's deploy lock, approvals and history (`<stack>-deploy-state`). */
export function deployStateTableName(environment: Pick<EnvironmentConfig, 'stackName'>): string {
  return `${environment.stackName}-deploy-state`;
}

/** Finds an environment by name, or throws a ConfigError that lists the known ones. */
export function findEnvironment(config: Config, name: string): EnvironmentConfig {
  const env = config.environments.find((e) => e.name === name);
  if (!env) {
    const known = config.environments.map((e) => e.name).join(', ');
    throw new ConfigError(config.source, [
      { path: `environments.${name}`, message: `no such environment; known: ${known}` },
    ]);
  }
  return env;
}
