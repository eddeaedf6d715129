import { Metadata } from '@grpc/grpc-js';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../support/embedded-postgres';
import { notesClient, unary } from './grpc-client';
import { startTestService, type TestService } from './start-test-service';

let pg: EmbeddedPostgres;
let app: TestService;
const lines: string[] = [];

beforeAll(async () => {
  pg = await startEmbeddedPostgres();
  app = await startTestService({ DATABASE_URL: pg.url }, lines);
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await pg?.stop();
});

const logged = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

it('writes one JSON line per HTTP request with its request id, operation, status and code', async () => {
  // WHEN a request with a caller-chosen request id fails
  await fetch(`${app.baseUrl}/v1/notes/00000000-0000-4000-8000-000000000000`, {
    headers: { 'x-request-id': 'http-log-1' },
  });

  // THEN its log line says so
  expect(logged()).toContainEqual(
    expect.objectContaining({
      level: 'info',
      msg: 'request',
      reqId: 'http-log-1',
      protocol: 'http',
      method: 'GetNote',
      status: 404,
      code: 'not_found',
    }),
  );
});

it('writes one JSON line per gRPC call with its request id', async () => {
  const client = notesClient(app.grpcTarget);
  const metadata = new Metadata();
  metadata.set('x-request-id', 'grpc-log-1');
  await unary(client, 'CreateNote', { title: 'logged' }, metadata);
  client.close();
  expect(logged()).toContainEqual(
    expect.objectContaining({
      reqId: 'grpc-log-1',
      protocol: 'grpc',
      method: 'CreateNote',
      status: 'OK',
      code: 'ok',
    }),
  );
});

it('never logs the database password', async () => {
  expect(lines.join('\n')).not.toContain(`:${pg.password}@`);
});
