import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Pool, type PoolClient, type PoolConfig } from 'pg';
import type { DatabaseOptions } from '../config';
import type { Logger } from '../observability/logger';
import { METRIC_NAMES, type Metrics } from '../observability/metrics';
import { ConnectionFailure, classifyQueryError } from './connection-failure';

/** Which endpoint a pool serves. */
export type EndpointRole = 'writer' | 'reader';

/**
 * A `pg.Pool` for one database endpoint that can be thrown away and made anew.
 *
 * After a failover the endpoint's name leads to a different node, but pooled connections still lead to the
 * old one. {@link reset} replaces the pool, so every later connection resolves the endpoint's name again
 * (Node does not cache DNS), and ends the old pool once its borrowed connections are returned.
 */
export class EndpointPool {
  private pool: Pool;
  private readonly config: PoolConfig;

  /** Makes the first pool; connections open lazily. */
  constructor(
    readonly role: EndpointRole,
    url: string,
    options: DatabaseOptions,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {
    this.config = poolConfig(url, options);
    this.pool = this.createPool();
  }

  /**
   * Runs `work` on a pooled connection.
   *
   * @throws ConnectionFailure when no connection could be had or the connection failed under the work
   *   (the pool is reset first when the node is gone or read-only); other errors pass through unchanged
   */
  withClient<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const pool = this.pool;
    // pg-pool's callback form: its promise form would add a promise and a turn of the microtask queue to
    // every call, for nothing.
    return new Promise<T>((resolve, reject) => {
      pool.connect((connectError: Error | undefined, client: PoolClient | undefined) => {
        if (connectError || !client) {
          reject(new ConnectionFailure('not-sent', connectError));
          return;
        }
        let pending: Promise<T>;
        try {
          pending = work(client);
        } catch (error) {
          pending = Promise.reject(error);
        }
        pending.then(
          (result) => {
            client.release();
            resolve(result);
          },
          (error: unknown) => reject(this.failed(pool, client, error)),
        );
      });
    });
  }

  /**
   * Gives `client` back after `error` and says what the caller should see: the error itself, or a
   * {@link ConnectionFailure} once the connection (and the pool, when its node is gone or read-only) is dropped.
   */
  private failed(pool: Pool, client: PoolClient, error: unknown): unknown {
    const kind = classifyQueryError(error);
    if (kind === undefined) {
      client.release();
      return error;
    }
    // Destroy this connection, and all its siblings: they lead to the same node.
    client.release(error instanceof Error ? error : true);
    this.reset(pool, kind);
    return new ConnectionFailure(kind, error);
  }

  /** Replaces the pool if `failed` is still the current one (many callers may see the same failover). */
  reset(failed: Pool, reason: string): void {
    if (failed !== this.pool) return;
    this.pool = this.createPool();
    this.metrics.increment(METRIC_NAMES.poolReset, { pool: this.role, reason });
    this.logger.warn(
      { pool: this.role, reason },
      'database: dropping pooled connections to resolve the endpoint again',
    );
    failed
      .end()
      .catch((error: unknown) =>
        this.logger.debug({ err: error, pool: this.role }, 'database: old pool end'),
      );
  }

  /** Open, idle and waiting counts of the current pool. */
  stats(): { total: number; idle: number; waiting: number } {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  /** Closes every connection; waits for borrowed ones to come back. */
  async end(): Promise<void> {
    await this.pool.end();
  }

  private createPool(): Pool {
    const pool = new Pool(this.config);
    // pg-pool removes its own listener while a client is borrowed; a connection that dies between two
    // statements would otherwise be an unhandled 'error' event. The next statement fails and is classified.
    // Added once per connection rather than on every borrow.
    pool.on('connect', (client) => {
      client.on('error', (error) =>
        this.logger.debug({ err: error, pool: this.role }, 'database: connection failed'),
      );
    });
    // An idle connection that dies (node restarted, failover) must not crash the process; pg drops it.
    pool.on('error', (error) => {
      this.logger.warn({ err: error, pool: this.role }, 'database: idle connection failed');
      const kind = classifyQueryError(error);
      if (kind !== undefined) this.reset(pool, kind);
    });
    return pool;
  }
}

/**
 * Turns an endpoint URL into pool settings.
 *
 * The URL is split here rather than passed as `connectionString`, because node-postgres lets a URL without
 * credentials blank out explicit ones; credentials in the URL win, then `PGUSER`/`PGPASSWORD`.
 */
export function poolConfig(url: string, options: DatabaseOptions): PoolConfig {
  const parsed = new URL(url);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    host,
    port: parsed.port === '' ? 5432 : Number(parsed.port),
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || 'postgres',
    user: parsed.username ? decodeURIComponent(parsed.username) : options.user,
    password: parsed.password ? decodeURIComponent(parsed.password) : options.password,
    ssl: sslOptions(options),
    max: options.poolMax,
    connectionTimeoutMillis: options.connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    statement_timeout: options.statementTimeoutMs,
    // A statement on a node that vanished without closing the socket must not hang the caller.
    query_timeout: options.statementTimeoutMs + 1000,
    keepAlive: true,
    application_name: 'wheelhouse',
  };
}

function sslOptions(options: DatabaseOptions): false | ConnectionOptions {
  switch (options.ssl) {
    case 'off':
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-full':
      return {
        rejectUnauthorized: true,
        ...(options.sslCaFile ? { ca: readFileSync(options.sslCaFile, 'utf8') } : {}),
      };
  }
}
