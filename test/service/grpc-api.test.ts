import { Metadata } from '@grpc/grpc-js';
import type { NotesServiceClient } from '../../service/gen/wheelhouse/notes/v1/NotesService';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../support/embedded-postgres';
import { healthCheck, listServicesByReflection, notesClient, status, unary } from './grpc-client';
import { startTestService, type TestService } from './start-test-service';

let pg: EmbeddedPostgres;
let app: TestService;
let client: NotesServiceClient;

beforeAll(async () => {
  pg = await startEmbeddedPostgres();
  app = await startTestService({ DATABASE_URL: pg.url });
  client = notesClient(app.grpcTarget);
}, 60_000);

afterAll(async () => {
  client?.close();
  await app?.stop();
  await pg?.stop();
});

const MISSING_ID = '00000000-0000-4000-8000-000000000000';

async function create(title: string, body = '', idempotencyKey = '') {
  const outcome = await unary(client, 'CreateNote', { title, body, idempotencyKey });
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

describe('gRPC wheelhouse.notes.v1.NotesService', () => {
  it('creates, reads, updates and deletes a note', async () => {
    // GIVEN a new note
    const note = await create('first', 'hello');
    expect(note).toMatchObject({ title: 'first', body: 'hello', version: 1 });

    // WHEN it is read, updated and deleted
    const read = await unary(client, 'GetNote', { id: note.id });
    const updated = await unary(client, 'UpdateNote', {
      id: note.id,
      title: 'second',
      body: 'bye',
      version: 1,
    });
    const deleted = await unary(client, 'DeleteNote', { id: note.id });
    const after = await unary(client, 'GetNote', { id: note.id });

    // THEN each answers as on HTTP
    expect(read.ok && read.value).toEqual(note);
    expect(updated.ok && updated.value).toMatchObject({ title: 'second', body: 'bye', version: 2 });
    expect(deleted.ok).toBe(true);
    expect(!after.ok && after.error.code).toBe(status.NOT_FOUND);
  });

  it('pages through notes with a cursor', async () => {
    const ids = [(await create('p1')).id, (await create('p2')).id, (await create('p3')).id];
    const first = await unary(client, 'ListNotes', { limit: 2, cursor: '' });
    if (!first.ok) throw first.error;
    expect(first.value.notes.map((n) => n.id)).toEqual([ids[2], ids[1]]);
    const second = await unary(client, 'ListNotes', { limit: 2, cursor: first.value.nextCursor });
    expect(second.ok && second.value.notes[0]?.id).toBe(ids[0]);
  });

  it('stores SQL metacharacters literally', async () => {
    const title = "x'); DELETE FROM notes; --";
    const note = await create(title, '%_\\');
    const read = await unary(client, 'GetNote', { id: note.id });
    expect(read.ok && read.value).toMatchObject({ title, body: '%_\\' });
  });

  it('answers a retried create with the same idempotency key with the first result', async () => {
    const first = await create('once', 'b', 'grpc-key-1');
    const again = await create('once', 'b', 'grpc-key-1');
    expect(again).toEqual(first);
  });

  it('fails with ABORTED on a stale version', async () => {
    const note = await create('v');
    await unary(client, 'UpdateNote', { id: note.id, title: 'v2', body: '', version: 1 });
    const stale = await unary(client, 'UpdateNote', { id: note.id, title: 'v3', body: '', version: 1 });
    expect(!stale.ok && stale.error.code).toBe(status.ABORTED);
    expect(!stale.ok && stale.error.metadata.get('x-error-code')).toEqual(['conflict']);
  });

  it.each([
    ['an empty title', 'CreateNote', { title: '' }, 'title'],
    ['a title too long', 'CreateNote', { title: 'x'.repeat(201) }, 'title'],
    ['an id that is not a UUID', 'GetNote', { id: "1' OR '1'='1" }, 'id'],
    ['a missing version', 'UpdateNote', { id: MISSING_ID, title: 't', body: '' }, 'version'],
    ['a negative limit', 'ListNotes', { limit: -1 }, 'limit'],
    ['a forged cursor', 'ListNotes', { cursor: 'bm90' }, 'cursor'],
  ] as const)('fails with INVALID_ARGUMENT on %s', async (_name, method, request, field) => {
    const outcome = await unary(client, method, request as never);
    expect(!outcome.ok && outcome.error.code).toBe(status.INVALID_ARGUMENT);
    expect(!outcome.ok && outcome.error.metadata.get('x-error-field')).toEqual([field]);
  });

  it.each([
    ['GetNote', { id: MISSING_ID }],
    ['UpdateNote', { id: MISSING_ID, title: 't', body: '', version: 1 }],
    ['DeleteNote', { id: MISSING_ID }],
  ] as const)('fails with NOT_FOUND on %s of an unknown id', async (method, request) => {
    const outcome = await unary(client, method, request as never);
    expect(!outcome.ok && outcome.error.code).toBe(status.NOT_FOUND);
  });

  it('fails with RESOURCE_EXHAUSTED on an oversized message', async () => {
    const outcome = await unary(client, 'CreateNote', { title: 't', body: 'x'.repeat(100 * 1024) });
    expect(!outcome.ok && outcome.error.code).toBe(status.RESOURCE_EXHAUSTED);
  });

  it('names the request in the trailer of an error, and not on a success nobody named', async () => {
    const failed = await unary(client, 'GetNote', { id: '00000000-0000-4000-8000-000000000000' });
    const [reqId] = !failed.ok ? failed.error.metadata.get('x-request-id') : [];
    expect(reqId).toMatch(/^[0-9a-f-]{36}$/);
    const succeeded = await unary(client, 'ListNotes', { limit: 1 });
    expect(succeeded.ok && succeeded.trailer.get('x-request-id')).toEqual([]);
  });

  it('returns the caller-chosen request id in the trailer', async () => {
    const metadata = new Metadata();
    metadata.set('x-request-id', 'grpc-trace-1');
    const outcome = await unary(client, 'ListNotes', { limit: 1 }, metadata);
    expect(outcome.ok && outcome.trailer.get('x-request-id')).toEqual(['grpc-trace-1']);
  });
});

describe('gRPC health and reflection', () => {
  it('reports SERVING for the server and the notes service', async () => {
    expect(await healthCheck(app.grpcTarget, '')).toBe('SERVING');
    expect(await healthCheck(app.grpcTarget, 'wheelhouse.notes.v1.NotesService')).toBe('SERVING');
  });

  it('lets a stock client discover the services by reflection', async () => {
    const services = await listServicesByReflection(app.grpcTarget);
    expect(services).toEqual(
      expect.arrayContaining(['wheelhouse.notes.v1.NotesService', 'grpc.health.v1.Health']),
    );
  });
});
