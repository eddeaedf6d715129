import type { NotesServiceClient } from '../../service/gen/wheelhouse/notes/v1/NotesService';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../support/embedded-postgres';
import { notesClient, status, unary } from './grpc-client';
import { startTestService, type TestService } from './start-test-service';

let pg: EmbeddedPostgres;
let app: TestService;
let client: NotesServiceClient;
let noteId: string;

beforeAll(async () => {
  pg = await startEmbeddedPostgres();
  app = await startTestService({ DATABASE_URL: pg.url });
  client = notesClient(app.grpcTarget);
  const created = await fetch(`${app.baseUrl}/v1/notes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'before the outage' }),
  });
  noteId = ((await created.json()) as { id: string }).id;
}, 60_000);

afterAll(async () => {
  client?.close();
  await app?.stop();
  await pg?.stop();
});

async function timed<T>(call: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = Date.now();
  const result = await call();
  return { result, ms: Date.now() - started };
}

const http = (method: string, path: string, body?: unknown) =>
  fetch(`${app.baseUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe('with the database stopped', () => {
  beforeAll(async () => {
    await pg.cluster.stop('fast');
  });

  it.each([
    ['GET one', 'GET', () => `/v1/notes/${noteId}`, undefined],
    ['GET list', 'GET', () => '/v1/notes', undefined],
    ['POST', 'POST', () => '/v1/notes', { title: 'during' }],
    ['PUT', 'PUT', () => `/v1/notes/${noteId}`, { title: 'during', body: '', version: 1 }],
    ['DELETE', 'DELETE', () => `/v1/notes/${noteId}`, undefined],
  ])('answers HTTP %s with 503 within 1 s', async (_name, method, path, body) => {
    const { result, ms } = await timed(() => http(method, path(), body));
    expect(result.status).toBe(503);
    expect(((await result.json()) as { error: { code: string } }).error.code).toBe('unavailable');
    expect(ms).toBeLessThan(1000);
  });

  it.each([
    ['GetNote', () => ({ id: noteId })],
    ['ListNotes', () => ({})],
    ['CreateNote', () => ({ title: 'during' })],
    ['UpdateNote', () => ({ id: noteId, title: 'during', body: '', version: 1 })],
    ['DeleteNote', () => ({ id: noteId })],
  ] as const)('answers gRPC %s with UNAVAILABLE within 1 s', async (method, request) => {
    const { result, ms } = await timed(() => unary(client, method, request() as never));
    expect(!result.ok && result.error.code).toBe(status.UNAVAILABLE);
    expect(ms).toBeLessThan(1000);
  });

  it('reports not ready', async () => {
    expect((await http('GET', '/readyz')).status).toBe(503);
    expect((await http('GET', '/healthz')).status).toBe(200);
  });
});

describe('when the database is back', () => {
  it('serves again without a restart', async () => {
    // GIVEN the database started again
    await pg.cluster.start();

    // WHEN called on both protocols
    const read = await http('GET', `/v1/notes/${noteId}`);
    const write = await unary(client, 'CreateNote', { title: 'after the outage' });

    // THEN both succeed at once
    expect(read.status).toBe(200);
    expect(write.ok).toBe(true);
    expect((await http('GET', '/readyz')).status).toBe(200);
  });
});
