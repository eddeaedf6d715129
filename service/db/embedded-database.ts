import { Client } from 'pg';
import { EMBEDDED_DATABASE_PASSWORD, EMBEDDED_DATABASE_USER } from '../config';
import type { Logger } from '../observability/logger';
import { LocalPostgres } from './local-postgres';

/**
 * Starts the development database: a PostgreSQL from the `embedded-postgres` package, its data kept in
 * `dataDir` (`.data/postgres`, ignored by git) between runs, with a `wheelhouse` database.
 *
 * @returns a stop function; it leaves alone a server that was already running (another process's)
 */
export async function startEmbeddedDatabase(
  options: { readonly dataDir: string; readonly port: number },
  logger: Logger,
): Promise<{ stop(): Promise<void> }> {
  const cluster = new LocalPostgres({
    dataDir: options.dataDir,
    port: options.port,
    user: EMBEDDED_DATABASE_USER,
    password: EMBEDDED_DATABASE_PASSWORD,
  });
  if (!(await cluster.isInitialised())) {
    logger.info({ dataDir: cluster.dataDir }, 'embedded PostgreSQL: creating a new cluster');
    await cluster.init();
  }
  const startedHere = !(await cluster.isRunning());
  if (startedHere) await cluster.start();
  const admin = new Client({ connectionString: cluster.url() });
  admin.on('error', () => undefined);
  await admin.connect();
  try {
    const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = 'wheelhouse'");
    if (exists.rowCount === 0) await admin.query('CREATE DATABASE wheelhouse');
  } finally {
    await admin.end();
  }
  logger.warn(
    { dataDir: cluster.dataDir, port: cluster.port },
    'no DATABASE_URL or DATABASE_WRITER_URL set: started an embedded PostgreSQL for local use (data in %s)',
    cluster.dataDir,
  );
  return { stop: async () => (startedHere ? cluster.stop() : undefined) };
}
