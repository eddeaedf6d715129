import { execFile } from 'node:child_process';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { LocalPostgres, makeTraversable, removeDataDir } from '../../service/db/local-postgres';
import { type EmbeddedPostgres, freePort } from './embedded-postgres';

const run = promisify(execFile);

/** A streaming standby of an {@link EmbeddedPostgres}, made for failover tests. */
export interface PostgresStandby {
  /** The standby's cluster: read-only until {@link promote}. */
  readonly cluster: LocalPostgres;
  /** Connection URL of the same database on the standby. */
  readonly url: string;
  /** Makes the standby a primary (`pg_promote()`), and waits until it takes writes. */
  promote(): Promise<void>;
  /** Stops the standby and deletes its data. */
  stop(): Promise<void>;
}

/**
 * Starts a streaming standby of `primary`: a base backup taken with `pg_backup_start()`/`pg_backup_stop()`,
 * a physical replication slot so that no WAL it needs is recycled, and `standby.signal`.
 *
 * With `synchronous: true` the primary then waits for the standby to flush each commit, so, as on Aurora's
 * shared storage, no acknowledged write is lost when the standby is promoted.
 */
export async function startStandby(
  primary: EmbeddedPostgres,
  options: { synchronous?: boolean } = {},
): Promise<PostgresStandby> {
  const root = await mkdtemp(path.join(tmpdir(), 'wheelhouse-standby-'));
  await makeTraversable(root);
  const dataDir = path.join(root, 'data');
  const admin = new Client({ connectionString: primary.cluster.url() });
  await admin.connect();
  try {
    await admin.query("SELECT pg_create_physical_replication_slot('standby', true)");
    await admin.query("SELECT pg_backup_start('standby', true)");
    // `cp -a` keeps the postgres user's ownership of every file.
    await run('cp', ['-a', primary.cluster.dataDir, dataDir]);
    const { rows } = await admin.query<{ labelfile: string }>('SELECT labelfile FROM pg_backup_stop(false)');
    await writeFile(path.join(dataDir, 'backup_label'), rows[0]!.labelfile);
  } finally {
    await admin.end();
  }
  await rm(path.join(dataDir, 'postmaster.pid'), { force: true });
  await rm(path.join(dataDir, 'postmaster.opts'), { force: true });
  await writeFile(path.join(dataDir, 'standby.signal'), '');
  await appendFile(
    path.join(dataDir, 'postgresql.auto.conf'),
    `primary_conninfo = 'host=127.0.0.1 port=${primary.port} user=${primary.user} password=${primary.password} application_name=standby'\n` +
      "primary_slot_name = 'standby'\n",
  );
  await run('chown', ['-R', '--reference', primary.cluster.dataDir, dataDir]);

  const cluster = new LocalPostgres({
    dataDir,
    port: await freePort(),
    user: primary.user,
    password: primary.password,
    settings: { fsync: 'off' },
  });
  await cluster.start();
  if (options.synchronous) {
    const client = new Client({ connectionString: primary.cluster.url() });
    await client.connect();
    await client.query("ALTER SYSTEM SET synchronous_standby_names = 'standby'");
    await client.query('SELECT pg_reload_conf()');
    await client.end();
  }
  return {
    cluster,
    url: cluster.url(primary.database),
    async promote() {
      const client = new Client({ connectionString: cluster.url() });
      await client.connect();
      try {
        await client.query('SELECT pg_promote(true, 60)');
      } finally {
        await client.end();
      }
    },
    async stop() {
      if (await cluster.isRunning()) await cluster.stop('immediate');
      await removeDataDir(root);
    },
  };
}
