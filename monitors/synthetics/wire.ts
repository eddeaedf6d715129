/** Synthetic API tests in Datadog's wire format, with the client's own serializer (loaded on first use). */
import type { SyntheticsAPITest } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/models/SyntheticsAPITest';
import { type Json, objectSerializer } from '../wire';

/** A synthetic API test in wire format; throws on a value the client's `SyntheticsAPITest` model does not allow. */
export function syntheticToWire(test: SyntheticsAPITest): Json {
  return objectSerializer().serialize(test, 'SyntheticsAPITest', '');
}
