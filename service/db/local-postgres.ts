import { execFile } from 'node:child_process';
import { chmod, chown, lstat, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Options of a {@link LocalPostgres} cluster. */
export interface LocalPostgresOptions {
  /** Folder of the cluster's data; created by {@link LocalPostgres.init}. */
  readonly dataDir: string;
  /** TCP port on 127.0.0.1. */
  readonly port: number;
  /** Superuser name. @default 'postgres' */
  readonly user?: string;
  /** Superuser password (scram-sha-256). @default 'postgres' */
  readonly password?: string;
  /** Extra server settings, passed as `-c name=value`. @default {} */
  readonly settings?: Readonly<Record<string, string>>;
  /** Folder of the PostgreSQL binaries (`initdb`, `pg_ctl`, `postgres`). @default {@link postgresBinDir}() */
  readonly binDir?: string;
  /**
   * As root, where the binaries are copied when the `postgres` user cannot reach {@link binDir} (a checkout
   * under `/root` or a 0700 `mktemp -d`): a root-owned folder that others may enter but not write.
   * @default {@link DEFAULT_BINARY_CACHE_DIR}
   */
  readonly binaryCacheDir?: string;
}

/** Where, as root, the binaries are copied when the `postgres` user cannot reach them in `node_modules`. */
export const DEFAULT_BINARY_CACHE_DIR = '/var/cache/wheelhouse';

/**
 * Where the binaries of the `embedded-postgres` package for this platform live.
 *
 * @param from resolve the package from this folder (a checkout) @default this module's own
 */
export function postgresBinDir(from?: string): string {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(platformPackage, from ? { paths: [from] } : undefined);
  } catch {
    throw new Error(
      `${platformPackage} is not installed: the embedded PostgreSQL is a development dependency ` +
        '(run `npm ci`, or set DATABASE_URL to use a real database)',
    );
  }
  return path.join(path.dirname(entry), '..', 'native', 'bin');
}

/**
 * A PostgreSQL cluster on this machine, run with the binaries that the `embedded-postgres` package ships.
 *
 * The package's own JavaScript API is not used: it is ESM-only (Jest on Node 20 cannot load it) and its
 * `start()` waits for a log line that a standby never prints. `pg_ctl` does the waiting here instead, for a
 * primary and for a standby alike. As root, the cluster runs as the `postgres` system user (created if
 * missing), because PostgreSQL refuses to run as root.
 */
export class LocalPostgres {
  /** Superuser name. */
  readonly user: string;
  /** Superuser password. */
  readonly password: string;
  /** TCP port on 127.0.0.1. */
  readonly port: number;
  /** Folder of the cluster's data. */
  readonly dataDir: string;
  private readonly settings: Readonly<Record<string, string>>;
  private readonly options: LocalPostgresOptions;
  private binaries: Promise<string> | undefined;

  /** Describes a cluster; nothing starts until {@link init} and {@link start}. */
  constructor(options: LocalPostgresOptions) {
    this.options = options;
    this.dataDir = path.resolve(options.dataDir);
    this.port = options.port;
    this.user = options.user ?? 'postgres';
    this.password = options.password ?? 'postgres';
    this.settings = options.settings ?? {};
  }

  /**
   * The folder of the binaries that the server runs from: {@link LocalPostgresOptions.binDir}, or as root,
   * when the `postgres` user cannot reach that, its copy in {@link LocalPostgresOptions.binaryCacheDir}.
   */
  binDir(): Promise<string> {
    this.binaries ??= (async () => {
      const binDir = path.resolve(this.options.binDir ?? postgresBinDir());
      const owner = await runAsOwner();
      if (!owner || (await canReach(owner, path.join(binDir, 'postgres')))) return binDir;
      return copyBinaries(binDir, this.options.binaryCacheDir ?? DEFAULT_BINARY_CACHE_DIR, owner);
    })();
    // A failed copy is retried by the next call rather than remembered.
    this.binaries.catch(() => {
      this.binaries = undefined;
    });
    return this.binaries;
  }

  /** A connection URL for `database` on this cluster, with credentials. */
  url(database = 'postgres'): string {
    return `postgres://${encodeURIComponent(this.user)}:${encodeURIComponent(this.password)}@127.0.0.1:${this.port}/${database}`;
  }

  /** Whether {@link init} has already made a cluster in the data folder. */
  async isInitialised(): Promise<boolean> {
    return readFile(path.join(this.dataDir, 'PG_VERSION'), 'utf8').then(
      () => true,
      () => false,
    );
  }

  /** Creates the cluster (initdb) in an empty data folder. */
  async init(): Promise<void> {
    const owner = await runAsOwner();
    // As root, the server runs as `postgres`, which must be able to enter the folders above its data folder
    // (`mkdir -p` with mode 0700 would make `.data/` root's alone).
    if (owner) await makeTraversable(path.dirname(this.dataDir));
    await mkdir(this.dataDir, { recursive: true, mode: 0o700 });
    if (owner) {
      await chown(this.dataDir, owner.uid, owner.gid);
      // Said before initdb runs: its own message for this case is only "could not change directory".
      const blocked = await firstUnreachable(owner, this.dataDir);
      if (blocked) throw new Error(`initdb cannot run: ${blocked}`);
    }
    const passwordFile = path.join(tmpdir(), `wheelhouse-pg-${process.pid}-${Date.now()}`);
    await writeFile(passwordFile, `${this.password}\n`, { mode: 0o644 });
    try {
      await this.exec('initdb', [
        `--pgdata=${this.dataDir}`,
        `--username=${this.user}`,
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
        '--no-sync',
      ]);
    } finally {
      await rm(passwordFile, { force: true });
    }
  }

  /** Starts the server and waits until it accepts connections (read-only ones, for a standby). */
  async start(): Promise<void> {
    const options = [
      `-p ${this.port}`,
      "-c listen_addresses='127.0.0.1'",
      "-c unix_socket_directories=''",
      ...Object.entries(this.settings).map(([name, value]) => `-c ${name}='${value}'`),
    ].join(' ');
    await this.exec('pg_ctl', [
      'start',
      '-D',
      this.dataDir,
      '-w',
      '-t',
      '60',
      '-l',
      this.logFile(),
      '-o',
      options,
    ]);
  }

  /**
   * Stops the server.
   *
   * `fast` disconnects clients (they see SQLSTATE 57P01) and shuts down cleanly; `immediate` is a crash.
   */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.exec('pg_ctl', ['stop', '-D', this.dataDir, '-w', '-t', '60', '-m', mode]);
  }

  /** Whether the server is running. */
  async isRunning(): Promise<boolean> {
    return this.exec('pg_ctl', ['status', '-D', this.dataDir]).then(
      () => true,
      () => false,
    );
  }

  /** The server's log, for a failing test or start-up to show. */
  async log(): Promise<string> {
    return readFile(this.logFile(), 'utf8').catch(() => '');
  }

  private logFile(): string {
    return path.join(this.dataDir, 'server.log');
  }

  private async exec(binary: string, args: string[]): Promise<string> {
    const owner = await runAsOwner();
    const binDir = await this.binDir();
    try {
      const { stdout } = await run(path.join(binDir, binary), args, {
        ...(owner ?? {}),
        cwd: tmpdir(),
        env: { ...process.env, LC_ALL: 'C' },
      });
      return stdout;
    } catch (error) {
      throw new Error(
        `${binary} ${binary === 'initdb' ? '' : `${args[0]} `}failed: ${await this.explain(error, binDir, owner)}`,
      );
    }
  }

  /** What went wrong with a binary: what stops the `postgres` user, if anything, then what the binary said. */
  private async explain(
    error: unknown,
    binDir: string,
    owner: { uid: number; gid: number } | undefined,
  ): Promise<string> {
    const stderr = error instanceof Error && 'stderr' in error ? String(error.stderr).trim() : '';
    const said = stderr || (error instanceof Error ? error.message : String(error));
    const blocked = owner
      ? ((await firstUnreachable(owner, path.join(binDir, 'postgres'))) ??
        (await firstUnreachable(owner, this.dataDir)))
      : undefined;
    const log = /see the log|server\.log|could not start server/i.test(said)
      ? (await this.log()).trim().split('\n').slice(-5).join('\n')
      : '';
    return [blocked, said, log && `server log (last lines):\n${log}`].filter(Boolean).join('\n');
  }
}

/** Removes a data folder that the `postgres` user may own. */
export async function removeDataDir(dataDir: string): Promise<void> {
  await rm(dataDir, { recursive: true, force: true });
}

/** Makes a folder that the `postgres` system user can enter (for data folders below it). */
export async function makeTraversable(folder: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  await chmod(folder, 0o755);
}

/**
 * As root, why the `postgres` user could not use `folder` (created later where missing): the reason for the
 * deepest part of it that exists; undefined when it could, or when not root (the server runs as this user).
 */
export async function whyPostgresCannotReach(folder: string): Promise<string | undefined> {
  const owner = await runAsOwner();
  if (!owner) return undefined;
  let existing = path.resolve(folder);
  while (
    !(await stat(existing).then(
      (s) => s.isDirectory(),
      () => false,
    ))
  ) {
    const parent = path.dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  return firstUnreachable(owner, existing);
}

/** Whether `owner` may reach `target` (execute a file, enter a folder): access(2) as that user, via test(1). */
async function canReach(owner: { uid: number; gid: number }, target: string): Promise<boolean> {
  return run('test', ['-x', target], { ...owner, cwd: '/' }).then(
    () => true,
    () => false,
  );
}

/**
 * As root, why the `postgres` user cannot reach `target`: the first folder on its path that it may not enter,
 * with its mode and owner, and what to do; undefined when nothing stops it.
 */
export async function firstUnreachable(
  owner: { uid: number; gid: number },
  target: string,
): Promise<string | undefined> {
  const absolute = path.resolve(target);
  const parts = absolute.split(path.sep).filter(Boolean);
  for (let i = 0; i < parts.length; i++) {
    const folder = path.sep + parts.slice(0, i).join(path.sep);
    if (await canReach(owner, folder)) continue;
    const info = await stat(folder).catch(() => undefined);
    const mode = info ? (info.mode & 0o7777).toString(8).padStart(4, '0') : '?';
    return (
      `the postgres user (uid ${owner.uid}) cannot enter ${folder} (mode ${mode}, owner uid ${info?.uid ?? '?'}), ` +
      `so it cannot reach ${absolute}. As root, PostgreSQL runs as that user, which must be able to enter every ` +
      `folder above its binaries and its data. Run \`chmod o+x ${folder}\`, or keep the data elsewhere ` +
      '(LOCAL_DATABASE_DIR) and the checkout where others may enter.'
    );
  }
  return undefined;
}

/**
 * Copies the package's `native/` folder (bin, lib, share: the binaries find the others relative to
 * themselves) below `cacheRoot`, once per package version, and returns the copy's `bin/`.
 */
async function copyBinaries(
  binDir: string,
  cacheRoot: string,
  owner: { uid: number; gid: number },
): Promise<string> {
  const nativeDir = path.dirname(binDir);
  const packageJson = path.join(nativeDir, '..', 'package.json');
  const version = await readFile(packageJson, 'utf8').then(
    (text) => String((JSON.parse(text) as { version?: unknown }).version ?? 'unknown'),
    () => 'unknown',
  );
  const root = path.resolve(cacheRoot);
  await mkdir(root, { recursive: true, mode: 0o755 });
  await chmod(root, 0o755);
  await checkRootOwned(root);
  const target = path.join(root, `embedded-postgres-${version}-${process.platform}-${process.arch}`);
  const done = path.join(target, '.complete');
  if (
    !(await readFile(done, 'utf8').then(
      () => true,
      () => false,
    ))
  ) {
    // Copied beside, then renamed: parallel processes (Jest workers) never see half a copy.
    const staging = await mkdtemp(`${target}.partial-`);
    try {
      await run('cp', ['-a', '--', `${nativeDir}/.`, staging]);
      await chmod(staging, 0o755);
      await writeFile(path.join(staging, '.complete'), `${nativeDir}\n`, { mode: 0o644 });
      await rename(staging, target).catch(async (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
      });
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
  await checkRootOwned(target);
  const copied = path.join(target, 'bin');
  const blocked = await firstUnreachable(owner, path.join(copied, 'postgres'));
  if (blocked)
    throw new Error(`cannot run the embedded PostgreSQL's binaries copied to ${copied}: ${blocked}`);
  return copied;
}

/** Refuses a cache folder that someone other than root could change (its binaries run as root's `postgres`). */
async function checkRootOwned(folder: string): Promise<void> {
  const info = await lstat(folder);
  if (!info.isDirectory() || info.uid !== 0 || (info.mode & 0o022) !== 0) {
    throw new Error(
      `${folder} must be a folder owned by root that only root may write (it is ${info.isDirectory() ? `mode ${(info.mode & 0o7777).toString(8)}, owner uid ${info.uid}` : 'not a folder'}): ` +
        'the embedded PostgreSQL binaries are copied there. Remove it, or choose another folder.',
    );
  }
}

let owner: Promise<{ uid: number; gid: number } | undefined> | undefined;

/** As root, the uid/gid of the `postgres` system user (created once if missing); otherwise none. */
function runAsOwner(): Promise<{ uid: number; gid: number } | undefined> {
  owner ??= (async () => {
    if (process.getuid?.() !== 0) return undefined;
    const lookup = async () => {
      const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
      const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
      return { uid, gid };
    };
    try {
      return await lookup();
    } catch {
      await run('groupadd', ['-f', '--system', 'postgres']);
      await run('useradd', [
        '--system',
        '-g',
        'postgres',
        '--no-create-home',
        '-s',
        '/usr/sbin/nologin',
        'postgres',
      ]);
      return lookup();
    }
  })();
  return owner;
}
