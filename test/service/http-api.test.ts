import { createSocket, type Socket } from 'node:dgram';
import { Client } from 'pg';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../support/embedded-postgres';
import { startTestService, type TestService } from './start-test-service';

let pg: EmbeddedPostgres;
let app: TestService;
let statsd: Socket;
const packets: string[] = [];

beforeAll(async () => {
  pg = await startEmbeddedPostgres();
  statsd = createSocket('udp4');
  statsd.on('message', (message) => packets.push(...message.toString().split('\n')));
  await new Promise<void>((resolve) => statsd.bind(0, '127.0.0.1', resolve));
  app = await startTestService({
    DATABASE_URL: pg.url,
    DD_AGENT_HOST: '127.0.0.1',
    DD_DOGSTATSD_PORT: String(statsd.address().port),
    DD_ENV: 'test',
  });
}, 60_000);

afterAll(async () => {
  await app?.stop();
  statsd?.close();
  await pg?.stop();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${app.baseUrl}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined };
}

async function create(title: string, body = 'body') {
  const response = await call('POST', '/v1/notes', { title, body });
  expect(response.status).toBe(201);
  return response.json as { id: string; version: number; title: string; body: string };
}

describe('HTTP /v1/notes', () => {
  it('creates, reads, updates and deletes a note', async () => {
    // GIVEN a new note
    const created = await call('POST', '/v1/notes', { title: 'first', body: 'hello' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ title: 'first', body: 'hello', version: 1 });
    expect(created.headers.get('location')).toBe(`/v1/notes/${created.json.id}`);

    // WHEN it is read, updated with the version read, and deleted
    const read = await call('GET', `/v1/notes/${created.json.id}`);
    const updated = await call('PUT', `/v1/notes/${created.json.id}`, {
      title: 'second',
      body: 'bye',
      version: 1,
    });
    const deleted = await call('DELETE', `/v1/notes/${created.json.id}`);
    const after = await call('GET', `/v1/notes/${created.json.id}`);

    // THEN each step answers as documented
    expect(read.json).toEqual(created.json);
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({ id: created.json.id, title: 'second', body: 'bye', version: 2 });
    expect(deleted.status).toBe(204);
    expect(after.status).toBe(404);
    expect(after.json.error.code).toBe('not_found');
  });

  it('pages through notes newest first with a cursor', async () => {
    // GIVEN five notes
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await create(`page ${i}`)).id);

    // WHEN listed two at a time until no cursor is left
    const seen: string[] = [];
    let cursor = '';
    let pages = 0;
    do {
      const page = await call('GET', `/v1/notes?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.json.notes.map((note: { id: string }) => note.id));
      cursor = page.json.nextCursor;
      pages++;
    } while (cursor && pages < 100);

    // THEN every note comes once, the newest first
    const mine = seen.filter((id) => ids.includes(id));
    expect(mine).toEqual([...ids].reverse());
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('stores SQL metacharacters literally', async () => {
    // GIVEN a title and body full of SQL
    const title = "Robert'); DROP TABLE notes;--";
    const body = `' OR 1=1; -- \\ " $1 %_ \u0000`.replace('\u0000', '');

    // WHEN created and read back
    const note = await create(title, body);
    const read = await call('GET', `/v1/notes/${note.id}`);

    // THEN it comes back unchanged, and the table is still there
    expect(read.json).toMatchObject({ title, body });
    expect((await call('GET', '/v1/notes?limit=1')).status).toBe(200);
  });

  it('answers a retried create with the same Idempotency-Key with the first result, and makes no duplicate', async () => {
    // GIVEN the same create sent five times at once, then once more, with one key
    const send = () =>
      call('POST', '/v1/notes', { title: 'once', body: 'only' }, { 'Idempotency-Key': 'key-1' });
    const results = await Promise.all([send(), send(), send(), send(), send()]);
    const again = await send();

    // THEN all answers are the same note, stored once
    for (const result of [...results, again]) {
      expect(result.status).toBe(201);
      expect(result.json).toEqual(results[0]!.json);
    }
    const client = new Client({ connectionString: pg.url });
    await client.connect();
    const count = await client.query("SELECT count(*)::int AS n FROM notes WHERE title = 'once'");
    await client.end();
    expect(count.rows[0].n).toBe(1);
  });

  it('fails when an Idempotency-Key is reused for a different request', async () => {
    await call('POST', '/v1/notes', { title: 'a' }, { 'Idempotency-Key': 'key-2' });
    const reused = await call('POST', '/v1/notes', { title: 'b' }, { 'Idempotency-Key': 'key-2' });
    expect(reused.status).toBe(409);
    expect(reused.json.error.code).toBe('conflict');
  });

  it('fails with 409 on a stale version', async () => {
    // GIVEN a note updated once (now at version 2)
    const note = await create('versioned');
    await call('PUT', `/v1/notes/${note.id}`, { title: 'v2', body: '', version: 1 });

    // WHEN updated again with the version first read
    const stale = await call('PUT', `/v1/notes/${note.id}`, { title: 'v3', body: '', version: 1 });

    // THEN it is a conflict naming the current version
    expect(stale.status).toBe(409);
    expect(stale.json.error).toMatchObject({ code: 'conflict', field: 'version' });
    expect(stale.json.error.message).toContain('version 2');
  });

  it.each([
    ['malformed JSON', 'POST', '/v1/notes', '{"title":', undefined],
    ['a JSON array', 'POST', '/v1/notes', '[1,2]', undefined],
    ['a title of the wrong type', 'POST', '/v1/notes', { title: 42 }, 'title'],
    ['a missing title', 'POST', '/v1/notes', { body: 'x' }, 'title'],
    ['a blank title', 'POST', '/v1/notes', { title: '   ' }, 'title'],
    ['a body of the wrong type', 'POST', '/v1/notes', { title: 't', body: ['x'] }, 'body'],
    ['a title too long', 'POST', '/v1/notes', { title: 'x'.repeat(201) }, 'title'],
    ['an id that is not a UUID', 'GET', '/v1/notes/not-a-uuid', undefined, 'id'],
    [
      'a version of the wrong type',
      'PUT',
      '/v1/notes/00000000-0000-4000-8000-000000000000',
      { title: 't', body: '', version: '1' },
      'version',
    ],
    ['a limit out of range', 'GET', '/v1/notes?limit=1000', undefined, 'limit'],
    ['a forged cursor', 'GET', '/v1/notes?cursor=bm90LWEtbnVtYmVy', undefined, 'cursor'],
  ])('fails with 400 on %s', async (_name, method, path, body, field) => {
    const response = await call(method, path, body);
    expect(response.status).toBe(400);
    expect(response.json.error.code).toBe('invalid_argument');
    expect(response.json.error.field).toBe(field);
    expect(response.json.error.requestId).toBe(response.headers.get('x-request-id'));
  });

  it.each([
    ['GET', '/v1/notes/00000000-0000-4000-8000-000000000000'],
    ['PUT', '/v1/notes/00000000-0000-4000-8000-000000000000'],
    ['DELETE', '/v1/notes/00000000-0000-4000-8000-000000000000'],
    ['GET', '/v1/nothing-here'],
  ])('fails with 404 on %s %s of nothing', async (method, path) => {
    const response = await call(
      method,
      path,
      method === 'PUT' ? { title: 't', body: '', version: 1 } : undefined,
    );
    expect(response.status).toBe(404);
    expect(response.json.error.code).toBe('not_found');
  });

  it('fails with 413 on an oversized body', async () => {
    const response = await call('POST', '/v1/notes', { title: 't', body: 'x'.repeat(100 * 1024) });
    expect(response.status).toBe(413);
    expect(response.json.error.code).toBe('payload_too_large');
  });

  it('echoes a caller-chosen X-Request-Id', async () => {
    const response = await call('GET', '/v1/notes?limit=1', undefined, { 'X-Request-Id': 'trace-abc-123' });
    expect(response.headers.get('x-request-id')).toBe('trace-abc-123');
  });
});

describe('HTTP health', () => {
  it('reports alive and ready', async () => {
    expect(await call('GET', '/healthz')).toMatchObject({ status: 200, json: { status: 'ok' } });
    expect(await call('GET', '/readyz')).toMatchObject({ status: 200, json: { status: 'ready' } });
  });
});

describe('metrics', () => {
  it('sends request count, duration and errors with protocol, method, status and code tags', async () => {
    // GIVEN one failed call
    packets.length = 0;
    await call('GET', '/v1/notes/00000000-0000-4000-8000-000000000000');

    // WHEN the UDP packets arrive (counters are summed and sent every second, then buffered up to a second)
    for (let i = 0; i < 500 && !packets.some((p) => p.startsWith('wheelhouse.request.errors')); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    // THEN the documented names and tags are there
    const tags = '#env:test,service:wheelhouse,protocol:http,method:GetNote,status:404,code:not_found';
    const counted = (name: string) =>
      packets.some((p) => new RegExp(`^${name}:\\d+\\|c\\|`).test(p) && p.endsWith(tags));
    expect(counted('wheelhouse.request.count')).toBe(true);
    expect(counted('wheelhouse.request.errors')).toBe(true);
    expect(packets.some((p) => p.startsWith('wheelhouse.request.duration:') && p.includes('|d|'))).toBe(true);
  });
});

describe('a body with __proto__', () => {
  it('stores only the known fields and pollutes nothing', async () => {
    const response = await call('POST', '/v1/notes', '{"title":"p","__proto__":{"polluted":true},"extra":1}');
    expect(response.status).toBe(201);
    expect(response.json).not.toHaveProperty('extra');
    expect((await call('GET', '/v1/notes?limit=1')).json).not.toHaveProperty('polluted');
  });
});
