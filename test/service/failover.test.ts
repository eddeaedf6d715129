import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../support/embedded-postgres';
import { type PostgresStandby, startStandby } from '../support/postgres-standby';
import { TcpProxy } from '../support/tcp-proxy';
import { startTestService, type TestService } from './start-test-service';

// A primary and a synchronous streaming standby, behind two movable endpoints that stand for Aurora's
// writer and reader endpoints. The service is given endpoint URLs without credentials, and PGUSER/PGPASSWORD,
// as in the cloud.
let primary: EmbeddedPostgres;
let standby: PostgresStandby;
let writerEndpoint: TcpProxy;
let readerEndpoint: TcpProxy;
let app: TestService;

beforeAll(async () => {
  primary = await startEmbeddedPostgres();
  standby = await startStandby(primary, { synchronous: true });
  writerEndpoint = await TcpProxy.start(primary.port);
  readerEndpoint = await TcpProxy.start(standby.cluster.port);
  app = await startTestService({
    DATABASE_WRITER_URL: `postgres://127.0.0.1:${writerEndpoint.port}/${primary.database}`,
    DATABASE_READER_URL: `postgres://127.0.0.1:${readerEndpoint.port}/${primary.database}`,
    PGUSER: primary.user,
    PGPASSWORD: primary.password,
  });
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await writerEndpoint?.close();
  await readerEndpoint?.close();
  await standby?.stop();
  await primary?.stop();
});

async function post(title: string, key: string): Promise<{ status: number; id?: string }> {
  try {
    const response = await fetch(`${app.baseUrl}/v1/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ title }),
    });
    const json = (await response.json()) as { id?: string };
    return { status: response.status, id: json.id };
  } catch {
    return { status: 0 };
  }
}

describe('a writer endpoint that leads to a read-only node (SQLSTATE 25006)', () => {
  it('fails fast with 503 while it does, and writes again once the endpoint moves back', async () => {
    // GIVEN the writer endpoint moved to the standby, which is read-only
    writerEndpoint.moveTo(standby.cluster.port);

    // WHEN a write comes
    const started = Date.now();
    const refused = await post('refused', randomUUID());
    const elapsed = Date.now() - started;

    // THEN it is UNAVAILABLE within 1 s, and the next write after the endpoint moves back succeeds
    expect(refused.status).toBe(503);
    expect(elapsed).toBeLessThan(1000);
    writerEndpoint.moveTo(primary.port);
    expect((await post('accepted', randomUUID())).status).toBe(201);
  });
});

describe('an Aurora-style failover under a steady write load', () => {
  it('loses no acknowledged write, keeps reads flowing, and writes again within 1 s of the endpoint moving', async () => {
    // GIVEN writers that retry each write with its idempotency key until it is acknowledged, and a reader
    const acknowledged = new Map<string, string>();
    const readFailures: number[] = [];
    let moved = 0;
    let firstWriteAfterMove = 0;
    let writesAfterMove = 0;
    let running = true;
    const writer = async (worker: number) => {
      for (let n = 0; running; n++) {
        const key = `w${worker}-${n}`;
        for (let tries = 0; running && tries < 1000; tries++) {
          const result = await post(key, key);
          if (result.status === 201 && result.id) {
            acknowledged.set(key, result.id);
            if (moved && Date.now() >= moved) {
              firstWriteAfterMove ||= Date.now();
              writesAfterMove++;
            }
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
    };
    const reader = async () => {
      while (running) {
        const response = await fetch(`${app.baseUrl}/v1/notes?limit=5`).catch(() => undefined);
        if (response?.status !== 200) readFailures.push(response?.status ?? 0);
        await response?.arrayBuffer();
      }
    };
    const load = Promise.all([writer(1), writer(2), writer(3), writer(4), reader()]);
    while (acknowledged.size < 40) await new Promise((resolve) => setTimeout(resolve, 20));

    // WHEN the primary goes away, the standby is promoted and the writer endpoint moves to it
    await primary.cluster.stop('fast');
    await standby.promote();
    moved = Date.now();
    writerEndpoint.moveTo(standby.cluster.port);
    while (writesAfterMove < 40) await new Promise((resolve) => setTimeout(resolve, 20));
    running = false;
    await load;

    // THEN writes resumed within 1 s of the move, reads never failed, and every acknowledged write is there, once
    expect(firstWriteAfterMove - moved).toBeLessThan(1000);
    expect(readFailures).toEqual([]);
    const client = new Client({ connectionString: standby.url });
    await client.connect();
    const { rows } = await client.query<{ id: string; title: string }>('SELECT id, title FROM notes');
    await client.end();
    const stored = new Map(rows.map((row) => [row.title, row.id]));
    for (const [key, id] of acknowledged) expect(stored.get(key)).toBe(id);
    expect(rows.filter((row) => acknowledged.has(row.title)).length).toBe(acknowledged.size);
    expect(new Set(rows.map((row) => row.title)).size).toBe(rows.length);
  });
});
