/**
 * Datadog's unified service tags (`env`, `service`, `version`) on a Fargate container, both ways
 * Datadog reads them on ECS Fargate: the `DD_ENV`/`DD_SERVICE`/`DD_VERSION` variables (for the
 * tracer and the StatsD client in the container) and the `com.datadoghq.tags.*` Docker labels (for
 * the Agent, which tags the container's `ecs.fargate.*` metrics and its logs with them). Datadog,
 * "Unified Service Tagging" → "Containerized environment" → "Amazon ECS"
 * (https://docs.datadoghq.com/getting_started/tagging/unified_service_tagging/?tab=ecs).
 */
import type * as ecs from 'aws-cdk-lib/aws-ecs';

/** The three tags. */
export interface UnifiedServiceTags {
  readonly env: string;
  readonly service: string;
  /** The image tag (a token is fine). */
  readonly version: string;
}

/** The Docker label of each tag. */
export const UNIFIED_SERVICE_TAG_LABELS = {
  env: 'com.datadoghq.tags.env',
  service: 'com.datadoghq.tags.service',
  version: 'com.datadoghq.tags.version',
} as const;

/** Sets the tags on a container as variables and Docker labels. */
export function applyUnifiedServiceTags(container: ecs.ContainerDefinition, tags: UnifiedServiceTags): void {
  container.addEnvironment('DD_ENV', tags.env);
  container.addEnvironment('DD_SERVICE', tags.service);
  container.addEnvironment('DD_VERSION', tags.version);
  container.addDockerLabel(UNIFIED_SERVICE_TAG_LABELS.env, tags.env);
  container.addDockerLabel(UNIFIED_SERVICE_TAG_LABELS.service, tags.service);
  container.addDockerLabel(UNIFIED_SERVICE_TAG_LABELS.version, tags.version);
}
