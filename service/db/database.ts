import { setTimeout as sleep } from 'node:timers/promises';
import type { PoolClient } from 'pg';
import type { DatabaseOptions } from '../config';
import { ErrorCode, ServiceError } from '../errors';
import type { Logger } from '../observability/logger';
import { METRIC_NAMES, type Metrics } from '../observability/metrics';
import { ConnectionFailure } from './connection-failure';
import { EndpointPool } from './endpoint-pool';

/** What a retried call knows about its earlier attempts. */
export interface Attempt {
  /** 1 for the first try. */
  readonly number: number;
  /** Whether an earlier attempt lost its connection mid-statement, so it may have been applied. */
  readonly mayHaveApplied: boolean;
}

/** Work to run on one connection; may run more than once when retried. */
export type DatabaseWork<T> = (client: PoolClient, attempt: Attempt) => Promise<T>;

/** Options of {@link Database.write}. */
export interface WriteOptions {
  /**
   * Whether running the work twice is harmless (an idempotent call, or a create with an idempotency key), so
   * that it may be retried when a connection died mid-statement. Calls that were surely not applied (no
   * connection, or a read-only node) are retried either way.
   */
  readonly idempotent: boolean;
}

/** The first attempt of every call: nothing has been tried before it. */
const FIRST_ATTEMPT: Attempt = Object.freeze({ number: 1, mayHaveApplied: false });

const FIRST_BACKOFF_MS = 25;
const MAX_BACKOFF_MS = 200;

/**
 * The data layer: a writer pool and a reader pool, and the failover rules.
 *
 * Writes go to the writer endpoint. Reads go to the reader endpoint, and to the writer when the reader cannot
 * be reached. A call that fails because of the connection is retried within `retryDeadlineMs` if it is safe;
 * otherwise, or after the deadline, it fails fast with {@link ErrorCode.Unavailable}.
 */
export class Database {
  private readonly writer: EndpointPool;
  private readonly reader: EndpointPool;
  /** Where writes go, and where reads go in the order they are tried. */
  private readonly writePools: EndpointPool[];
  private readonly readPools: EndpointPool[];
  private statsTimer: NodeJS.Timeout | undefined;

  /** Creates the pools (connections open lazily). `DATABASE_URL` alone makes one pool serve both roles. */
  constructor(
    private readonly options: DatabaseOptions,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {
    this.writer = new EndpointPool('writer', options.writerUrl, options, logger, metrics);
    this.reader =
      options.readerUrl === options.writerUrl
        ? this.writer
        : new EndpointPool('reader', options.readerUrl, options, logger, metrics);
    this.writePools = [this.writer];
    this.readPools = this.reader === this.writer ? [this.writer] : [this.reader, this.writer];
  }

  /** Runs `work` on the writer, retrying across a failover as far as {@link WriteOptions} allows. */
  write<T>(work: DatabaseWork<T>, options: WriteOptions): Promise<T> {
    return this.run(this.writePools, work, options.idempotent);
  }

  /** Runs read-only `work` on the reader (the writer when the reader is down), retrying within the deadline. */
  read<T>(work: DatabaseWork<T>): Promise<T> {
    return this.run(this.readPools, work, true);
  }

  /** Whether some endpoint answers a trivial query now; for `/readyz`. */
  async ping(): Promise<boolean> {
    for (const pool of this.reader === this.writer ? [this.writer] : [this.writer, this.reader]) {
      try {
        await pool.withClient((client) => client.query('SELECT 1'));
        return true;
      } catch {
        // try the next endpoint
      }
    }
    return false;
  }

  /** Sends pool gauges every `intervalMs` while metrics are on. */
  reportPoolStats(intervalMs = 10_000): void {
    if (!this.metrics.enabled) return;
    this.statsTimer = setInterval(() => {
      for (const pool of new Set([this.writer, this.reader])) {
        const stats = pool.stats();
        const tags = { pool: pool.role };
        this.metrics.gauge(METRIC_NAMES.poolTotal, stats.total, tags);
        this.metrics.gauge(METRIC_NAMES.poolIdle, stats.idle, tags);
        this.metrics.gauge(METRIC_NAMES.poolWaiting, stats.waiting, tags);
      }
    }, intervalMs);
    this.statsTimer.unref();
  }

  /** Closes both pools after borrowed connections come back. */
  async end(): Promise<void> {
    clearInterval(this.statsTimer);
    await Promise.all([...new Set([this.writer, this.reader])].map((pool) => pool.end()));
  }

  /**
   * Runs `work` on the first of `pools`, and on a connection failure hands over to {@link retry}. The first
   * attempt is the one nearly every call ends with, so it is kept to one pooled call and one `catch`.
   */
  private run<T>(pools: EndpointPool[], work: DatabaseWork<T>, idempotent: boolean): Promise<T> {
    const deadline = Date.now() + this.options.retryDeadlineMs;
    return pools[0]!
      .withClient((client) => work(client, FIRST_ATTEMPT))
      .catch((error: unknown) => this.retry(pools, work, idempotent, deadline, error));
  }

  /** Decides on attempt 1's `failure` and retries while it is safe and `deadline` allows. */
  private async retry<T>(
    pools: EndpointPool[],
    work: DatabaseWork<T>,
    idempotent: boolean,
    deadline: number,
    failure: unknown,
  ): Promise<T> {
    let backoff = FIRST_BACKOFF_MS;
    let mayHaveApplied = false;
    let error = failure;
    for (let number = 1; ; number++) {
      const pool = pools[(number - 1) % pools.length]!;
      if (!(error instanceof ConnectionFailure)) throw error;
      if (error.kind === 'connection-lost') {
        if (!idempotent) {
          throw new ServiceError(
            ErrorCode.Unavailable,
            'the database connection was lost; the request may or may not have been applied ' +
              '(send an idempotency key to make retries safe)',
            { cause: error },
          );
        }
        mayHaveApplied = true;
      }
      // The next endpoint (a reader falls back to the writer) is tried at once; the same one after a pause.
      const pause = number % pools.length === 0 ? backoff : 0;
      if (Date.now() + pause > deadline) {
        throw new ServiceError(ErrorCode.Unavailable, 'the database is unavailable; retry later', {
          cause: error,
        });
      }
      this.metrics.increment(METRIC_NAMES.dbRetry, { pool: pool.role, reason: error.kind });
      this.logger.debug({ pool: pool.role, reason: error.kind, attempt: number }, 'database: retrying');
      if (pause > 0) {
        await sleep(pause);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
      const attempt: Attempt = { number: number + 1, mayHaveApplied };
      try {
        return await pools[number % pools.length]!.withClient((client) => work(client, attempt));
      } catch (next) {
        error = next;
      }
    }
  }
}
