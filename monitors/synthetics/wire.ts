/** Synthetic API tests in Datadog's wire format, with the client's own serializer (loaded on first use). */
import type { SyntheticsAPITest } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/models/SyntheticsAPITest';
import type { Json } from '../wire';

type Serializer = { serialize(data: unknown, type: string, format: string): Json };

let serializer: Serializer | undefined;

/** A synthetic API test in wire format; throws on a value the client's `SyntheticsAPITest` model does not allow. */
export function syntheticToWire(test: SyntheticsAPITest): Json {
  serializer ??= (
    require('@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/models/ObjectSerializer') as {
      ObjectSerializer: Serializer;
    }
  ).ObjectSerializer;
  return serializer.serialize(test, 'SyntheticsAPITest', '');
}
