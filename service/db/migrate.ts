import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Client, type ClientBase } from 'pg';
import type { DatabaseOptions } from '../config';
import { poolConfig } from './endpoint-pool';

/** Folder of the versioned migrations: `NNNN_name.sql`, applied in name order, each once. */
export const MIGRATIONS_DIR = path.join(__dirname, 'migrations');

/** Key of the advisory lock that serialises migrations across replicas (any fixed bigint). */
const MIGRATION_LOCK_KEY = 7_263_115_001;

/**
 * Applies the migrations that `schema_migrations` does not list yet, each in its own transaction.
 *
 * A session-level advisory lock is held throughout, so two replicas starting together take turns: the second
 * waits, then finds nothing left to do.
 *
 * @returns the versions applied now (empty when up to date)
 */
export async function migrate(client: ClientBase, dir: string = MIGRATIONS_DIR): Promise<string[]> {
  const files = (await readdir(dir)).filter((name) => name.endsWith('.sql')).sort();
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
  try {
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set(
      (await client.query<{ version: string }>('SELECT version FROM schema_migrations')).rows.map(
        (row) => row.version,
      ),
    );
    const applied: string[] = [];
    for (const file of files) {
      const version = file.replace(/\.sql$/, '');
      if (done.has(version)) continue;
      const sql = await readFile(path.join(dir, file), 'utf8');
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(
          `migration ${file} failed: ${error instanceof Error ? error.message : String(error)}`,
          {
            cause: error,
          },
        );
      }
      applied.push(version);
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
  }
}

/** Connects once to the writer and applies the migrations; for start-up and `npm run service:migrate`. */
export async function migrateDatabase(options: DatabaseOptions): Promise<string[]> {
  const client = new Client({
    ...poolConfig(options.writerUrl, options),
    statement_timeout: 0,
    query_timeout: 0,
  });
  // A connection error after connect surfaces in the next query; this keeps it from crashing the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await migrate(client);
  } finally {
    await client.end();
  }
}
