import { Agent, request as httpRequest } from 'node:http';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../support/embedded-postgres';
import { startTestService, type TestService } from './start-test-service';

// The HTTP behaviours of service/http/server.ts that the API tests (http-api.test.ts) do not pin: what the
// server does with HEAD, other content types, empty and chunked bodies, unknown methods, odd request ids, and
// a request in flight when it closes.

let pg: EmbeddedPostgres;
let app: TestService;
const lines: string[] = [];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

beforeAll(async () => {
  pg = await startEmbeddedPostgres();
  app = await startTestService({ DATABASE_URL: pg.url }, lines);
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await pg?.stop();
});

/** One request through node:http, so that framing (chunked bodies, Connection) is ours to choose. */
function raw(
  baseUrl: string,
  options: {
    method: string;
    path: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    agent?: Agent;
  },
  beforeEnd?: (write: (chunk: string | Buffer) => void) => Promise<void>,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      `${baseUrl}${options.path}`,
      { method: options.method, headers: options.headers, agent: options.agent },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text }),
        );
      },
    );
    request.on('error', reject);
    const finish = () => request.end(options.body);
    if (beforeEnd) beforeEnd((chunk) => request.write(chunk)).then(finish, reject);
    else finish();
  });
}

async function createNote(title: string): Promise<{ id: string }> {
  const response = await fetch(`${app.baseUrl}/v1/notes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string };
}

describe('HEAD', () => {
  // RFC 9110 section 9.3.2 (HEAD): the same header fields as a GET, and no content. Node.js docs, http,
  // "response.write(chunk)": the body is omitted in answer to HEAD (an error only with the server option
  // rejectNonStandardBodyWrites, which the service leaves off), so the GET route's answer serves as it is.
  it.each([
    ['/healthz', () => Promise.resolve('/healthz')],
    ['a note', async () => `/v1/notes/${(await createNote('head')).id}`],
  ])('answers HEAD of %s as its GET, without the body', async (_name, path) => {
    // GIVEN a resource that GET answers
    const target = await path();
    const get = await fetch(`${app.baseUrl}${target}`);
    const getBody = await get.text();

    // WHEN asked with HEAD
    const head = await fetch(`${app.baseUrl}${target}`, { method: 'HEAD' });

    // THEN the same status and content headers, and no body
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'));
    expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(getBody)));
    expect(head.headers.get('x-request-id')).toMatch(UUID);
  });
});

describe('request bodies', () => {
  it.each([
    ['text/plain', '{"title":"t"}', 'Content-Type: application/json'],
    ['application/x-www-form-urlencoded', 'title=t', 'Content-Type: application/json'],
    ['application/json', '', 'empty'],
  ])('fails with 400 on a body sent as %s %p', async (contentType, body, message) => {
    const response = await fetch(`${app.baseUrl}/v1/notes`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });
    const json = (await response.json()) as { error: { code: string; message: string; field?: string } };
    expect(response.status).toBe(400);
    expect(json.error.code).toBe('invalid_argument');
    expect(json.error.field).toBeUndefined();
    expect(json.error.message).toContain(message);
  });

  it('fails with 400 on a POST with no body at all', async () => {
    const response = await raw(app.baseUrl, { method: 'POST', path: '/v1/notes' });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text).error).toMatchObject({
      code: 'invalid_argument',
      message: 'the request body must be a JSON object',
    });
  });

  it('takes JSON whatever the case of its media type and with parameters', async () => {
    const response = await fetch(`${app.baseUrl}/v1/notes`, {
      method: 'POST',
      headers: { 'content-type': 'Application/JSON; charset=utf-8' },
      body: JSON.stringify({ title: 'cased', body: 'é, split or not' }),
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ title: 'cased', body: 'é, split or not' });
  });

  it('takes a chunked body, and decodes a character split across two chunks', async () => {
    // GIVEN a body whose "é" (two bytes in UTF-8) is split between two chunks (no Content-Length: chunked)
    const bytes = Buffer.from('{"title":"chunk é"}', 'utf8');
    const split = bytes.indexOf(0xc3) + 1;
    const response = await raw(
      app.baseUrl,
      {
        method: 'POST',
        path: '/v1/notes',
        headers: { 'content-type': 'application/json' },
        body: bytes.subarray(split),
      },
      async (write) => {
        write(bytes.subarray(0, split));
        await new Promise((resolve) => setTimeout(resolve, 20));
      },
    );

    // THEN the note has the character whole
    expect(response.status).toBe(201);
    expect(JSON.parse(response.text)).toMatchObject({ title: 'chunk é' });
  });

  it('fails with 413 on a chunked body over the limit, logs it as a CreateNote, and keeps serving', async () => {
    // GIVEN a keep-alive connection and a body over MAX_BODY_BYTES (64 kB) with no Content-Length
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const body = JSON.stringify({ title: 't', body: 'x'.repeat(70 * 1024) });

    // WHEN it is sent in chunks, and then another request
    const tooLarge = await raw(
      app.baseUrl,
      {
        method: 'POST',
        path: '/v1/notes',
        headers: { 'content-type': 'application/json', 'x-request-id': 'chunked-413' },
        agent,
      },
      async (write) => {
        for (let i = 0; i < body.length; i += 16 * 1024) write(body.slice(i, i + 16 * 1024));
      },
    );
    const next = await raw(app.baseUrl, { method: 'GET', path: '/healthz', agent });
    agent.destroy();

    // THEN a 413 from the error table, its log line, and the next request served
    expect(tooLarge.status).toBe(413);
    expect(JSON.parse(tooLarge.text).error).toMatchObject({
      code: 'payload_too_large',
      requestId: 'chunked-413',
    });
    expect(tooLarge.headers['x-error-code']).toBe('payload_too_large');
    expect(lines.map((line) => JSON.parse(line))).toContainEqual(
      expect.objectContaining({
        reqId: 'chunked-413',
        method: 'CreateNote',
        status: 413,
        code: 'payload_too_large',
      }),
    );
    expect(next.status).toBe(200);
  });
});

describe('routing', () => {
  it.each([
    ['PATCH', '/v1/notes/00000000-0000-4000-8000-000000000000'],
    ['OPTIONS', '/v1/notes'],
    ['POST', '/healthz'],
    ['GET', '/v1/notes/00000000-0000-4000-8000-000000000000/more'],
  ])('answers %s %s, which has no route, with 404 from the error table', async (method, path) => {
    const response = await raw(app.baseUrl, { method, path });
    const json = JSON.parse(response.text) as { error: { code: string; message: string; requestId: string } };
    expect(response.status).toBe(404);
    expect(json.error.code).toBe('not_found');
    expect(json.error.message).toBe(`no route for ${method} ${path}`);
    expect(json.error.requestId).toBe(response.headers['x-request-id']);
  });

  it('decodes a percent-encoded id', async () => {
    const { id } = await createNote('encoded');
    const encoded = `%${id.charCodeAt(0).toString(16)}${id.slice(1)}`;
    const response = await fetch(`${app.baseUrl}/v1/notes/${encoded}`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { id: string }).id).toBe(id);
  });

  it('answers an id that does not decode with 400 naming the id', async () => {
    const response = await fetch(`${app.baseUrl}/v1/notes/%E0%A4%A`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { field: string } }).error.field).toBe('id');
  });
});

describe('request ids', () => {
  it('replaces a request id that is not sane with a new one', async () => {
    const response = await fetch(`${app.baseUrl}/healthz`, {
      headers: { 'x-request-id': 'has spaces; and more' },
    });
    expect(response.headers.get('x-request-id')).toMatch(UUID);
  });
});

describe('closing', () => {
  // Node.js docs, http, "server.closeIdleConnections()": since 19.0.0 server.close() closes the idle
  // keep-alive connections itself; one with a request in flight stays open until its answer, which then says
  // `Connection: close` (RFC 9112 section 9.6, "Tear-down").
  it('serves a request in flight when the server closes, with Connection: close, then stops', async () => {
    // GIVEN a service of its own, and a create whose body is half sent
    const own = await startTestService({ DATABASE_URL: pg.url });
    let stopped: Promise<void> | undefined;
    const inFlight = raw(
      own.baseUrl,
      {
        method: 'POST',
        path: '/v1/notes',
        headers: { 'content-type': 'application/json' },
        body: ',"body":"b"}',
      },
      async (write) => {
        write('{"title":"in flight"');
        await new Promise((resolve) => setTimeout(resolve, 100));
        // WHEN the service shuts down meanwhile (SHUTDOWN_DELAY_MS=0: it closes the HTTP server at once)
        stopped = own.stop();
        await new Promise((resolve) => setTimeout(resolve, 100));
      },
    );

    // THEN the request is served, told that the connection closes, and the shutdown completes
    const response = await inFlight;
    expect(response.status).toBe(201);
    expect(response.headers.connection).toBe('close');
    expect(JSON.parse(response.text)).toMatchObject({ title: 'in flight', body: 'b' });
    await stopped;
    await expect(fetch(`${own.baseUrl}/healthz`)).rejects.toThrow();
  });
});
