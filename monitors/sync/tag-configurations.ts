/**
 * The metrics tag configurations in the sync: read the ones our metrics have, compare them with
 * {@link TagConfigurationDefinition}s, and write the difference (v2 metrics tag configuration API,
 * https://docs.datadoghq.com/api/latest/metrics/#create-a-tag-configuration).
 *
 * Only the metrics we define are read and written, one `GET /api/v2/metrics/{metric_name}/tags` each;
 * a configuration is never deleted, since it belongs to the metric for the whole organisation and
 * deleting one drops the percentiles that other teams' graphs may use.
 */
import type { MetricTagConfigurationCreateRequest } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v2/models/MetricTagConfigurationCreateRequest';
import type { MetricTagConfigurationUpdateRequest } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v2/models/MetricTagConfigurationUpdateRequest';
import type { DatadogClient } from '../../clients/datadog-client';
import { toMonitoringError } from '../../clients/monitoring-error';
import type { TagConfigurationDefinition } from '../metric-tag-configurations';
import type { Json } from '../wire';
import type { FieldChange } from './owned-fields';

/** A metric's tag configuration as Datadog has it. */
export interface ManagedTagConfiguration {
  readonly metricName: string;
  readonly metricType: string;
  readonly tags: readonly string[];
  readonly includePercentiles: boolean;
}

/** Reads the tag configuration of each metric in `metricNames`; a metric without one is left out. */
export async function readTagConfigurations(
  client: DatadogClient,
  metricNames: readonly string[],
): Promise<readonly ManagedTagConfiguration[]> {
  const found: ManagedTagConfiguration[] = [];
  for (const metricName of metricNames) {
    try {
      const response = await client.metrics().listTagConfigurationByName({ metricName });
      const attributes = response.data?.attributes;
      found.push({
        metricName,
        metricType: String(attributes?.metricType ?? ''),
        tags: [...(attributes?.tags ?? [])].sort(),
        includePercentiles: attributes?.includePercentiles ?? false,
      });
    } catch (error) {
      const e = toMonitoringError('datadog', `read the tag configuration of ${metricName}`, error);
      if (e.code !== 'not-found') throw e;
    }
  }
  return found;
}

/** The fields of `actual` that differ from `desired`; empty when they match. */
export function diffTagConfiguration(
  desired: TagConfigurationDefinition,
  actual: ManagedTagConfiguration,
): readonly FieldChange[] {
  const changes: FieldChange[] = [];
  const desiredTags = [...desired.tags].sort();
  const actualTags = [...actual.tags].sort();
  if (JSON.stringify(desiredTags) !== JSON.stringify(actualTags)) {
    changes.push({ path: 'tags', desired: desiredTags as Json, actual: actualTags as Json });
  }
  if (desired.includePercentiles !== actual.includePercentiles) {
    changes.push({
      path: 'include_percentiles',
      desired: desired.includePercentiles,
      actual: actual.includePercentiles,
    });
  }
  if (desired.metricType !== actual.metricType) {
    changes.push({ path: 'metric_type', desired: desired.metricType, actual: actual.metricType });
  }
  return changes;
}

/** The create request of a definition (`POST /api/v2/metrics/{metric_name}/tags`). */
export function createTagConfigurationRequest(
  definition: TagConfigurationDefinition,
): MetricTagConfigurationCreateRequest {
  return {
    data: {
      id: definition.metricName,
      type: 'manage_tags',
      attributes: {
        metricType: definition.metricType,
        tags: [...definition.tags],
        includePercentiles: definition.includePercentiles,
      },
    },
  };
}

/** The update request of a definition (`PATCH /api/v2/metrics/{metric_name}/tags`). */
export function updateTagConfigurationRequest(
  definition: TagConfigurationDefinition,
): MetricTagConfigurationUpdateRequest {
  return {
    data: {
      id: definition.metricName,
      type: 'manage_tags',
      attributes: { tags: [...definition.tags], includePercentiles: definition.includePercentiles },
    },
  };
}

/** Creates or updates one tag configuration; returns the metric name. */
export async function writeTagConfiguration(
  client: DatadogClient,
  action: 'create' | 'update',
  definition: TagConfigurationDefinition,
): Promise<string> {
  const api = client.metrics();
  const metricName = definition.metricName;
  if (action === 'create') {
    await api.createTagConfiguration({ metricName, body: createTagConfigurationRequest(definition) });
  } else {
    await api.updateTagConfiguration({ metricName, body: updateTagConfigurationRequest(definition) });
  }
  return metricName;
}
