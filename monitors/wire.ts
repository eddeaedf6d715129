/**
 * Conversion between the client's models (camelCase, what the code builds) and Datadog's wire
 * format (snake_case, what the API and the UI's "export JSON" show), with the client's own serializer.
 *
 * The v1 models are loaded on first use: the client takes most of a second to load.
 */
import type { Dashboard } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/models/Dashboard';
import type { Monitor } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/models/Monitor';
import type { MetricTagConfigurationCreateRequest } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v2/models/MetricTagConfigurationCreateRequest';

/** A JSON value as Datadog sends and receives it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

type Serializer = {
  serialize(data: unknown, type: string, format: string): Json;
  deserialize(data: unknown, type: string, format?: string): unknown;
};

let serializer: Serializer | undefined;

/** The client's v1 serializer, loaded on first use; monitors, dashboards and synthetic tests (synthetics/wire.ts) use it. */
export function objectSerializer(): Serializer {
  serializer ??= (
    require('@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/models/ObjectSerializer') as {
      ObjectSerializer: Serializer;
    }
  ).ObjectSerializer;
  return serializer;
}

/** A monitor in Datadog's wire format; throws on a value the schema does not allow. */
export function monitorToWire(monitor: Monitor): Json {
  return objectSerializer().serialize(monitor, 'Monitor', '');
}

/** A dashboard in Datadog's wire format; throws on a value the schema does not allow. */
export function dashboardToWire(dashboard: Dashboard): Json {
  return objectSerializer().serialize(dashboard, 'Dashboard', '');
}

let v2Serializer: Serializer | undefined;

/** A metrics tag configuration create request in Datadog's wire format (v2 model); throws on a value the schema does not allow. */
export function tagConfigurationRequestToWire(request: MetricTagConfigurationCreateRequest): Json {
  v2Serializer ??= (
    require('@datadog/datadog-api-client/dist/packages/datadog-api-client-v2/models/ObjectSerializer') as {
      ObjectSerializer: Serializer;
    }
  ).ObjectSerializer;
  return v2Serializer.serialize(request, 'MetricTagConfigurationCreateRequest', '');
}
