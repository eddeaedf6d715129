/**
 * A real DynamoDB protocol server on a local port (dynalite, in memory), so that conditional writes
 * behave as in AWS. Point {@link AwsClients} at {@link RunningDynalite.endpoint}.
 */
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TEST_CREDENTIALS } from './aws-fakes';

/** A running dynalite. */
export interface RunningDynalite {
  readonly endpoint: string;
  /** Creates a table shaped like `stacks/deploy-state.ts`'s: keys `pk` and `sk` (strings). */
  createDeployStateTable(name: string): Promise<void>;
  close(): Promise<void>;
}

interface DynaliteServer {
  listen(port: number, host: string, callback: () => void): void;
  address(): AddressInfo;
  close(callback: () => void): void;
}

/** Starts dynalite on a free port of 127.0.0.1. */
export async function startDynalite(): Promise<RunningDynalite> {
  // dynalite ships no types; it is a function returning an http.Server.
  const dynalite = require('dynalite') as (options: Record<string, number>) => DynaliteServer;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${server.address().port}`;
  const client = new DynamoDBClient({ region: 'eu-west-1', endpoint, credentials: TEST_CREDENTIALS });
  return {
    endpoint,
    async createDeployStateTable(name) {
      await client.send(
        new CreateTableCommand({
          TableName: name,
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
