import { StatsD } from 'hot-shots';
import type { MetricsOptions } from '../config';
import type { Logger } from './logger';

/** The metric names the service sends; Datadog monitors depend on them, so they are a stable contract. */
export const METRIC_NAMES = {
  /** Counter: one per request. Tags: protocol, method, status, code. */
  requestCount: 'wheelhouse.request.count',
  /** Distribution (ms): request latency. Tags: protocol, method, status, code. */
  requestDuration: 'wheelhouse.request.duration',
  /** Counter: one per failed request (code other than ok). Tags: protocol, method, status, code. */
  requestErrors: 'wheelhouse.request.errors',
  /** Gauge: connections open in a pool. Tag: pool (writer|reader). */
  poolTotal: 'wheelhouse.db.pool.total',
  /** Gauge: idle connections in a pool. Tag: pool. */
  poolIdle: 'wheelhouse.db.pool.idle',
  /** Gauge: callers waiting for a connection. Tag: pool. */
  poolWaiting: 'wheelhouse.db.pool.waiting',
  /** Counter: a pool dropped its connections to resolve its endpoint again (failover). Tags: pool, reason. */
  poolReset: 'wheelhouse.db.pool.reset',
  /** Counter: a database call was retried. Tags: pool, reason. */
  dbRetry: 'wheelhouse.db.retry',
} as const;

/** What one request did, for {@link Metrics.request}. */
export interface RequestOutcome {
  /** `http` or `grpc`. */
  readonly protocol: 'http' | 'grpc';
  /** The API operation, the same on both protocols: `CreateNote`, `GetNote`, ... */
  readonly method: string;
  /** HTTP status (`200`) or gRPC status name (`OK`, `UNAVAILABLE`). */
  readonly status: string;
  /** `ok` or the {@link ErrorCode} value. */
  readonly code: string;
  /** Latency in milliseconds. */
  readonly durationMs: number;
}

/** How often request counters aggregated in the process are sent. */
const COUNTER_FLUSH_MS = 1000;

/**
 * DogStatsD metrics (hot-shots), or nothing at all when no agent is configured.
 *
 * Request counters are summed in the process and sent once a second (the agent sums them the same way), so
 * that a request costs one metric call, its latency, rather than three.
 */
export class Metrics {
  private readonly client: StatsD | undefined;
  private readonly counts = new Map<string, { tags: string[]; requests: number; errors: number }>();
  private readonly flushTimer: NodeJS.Timeout | undefined;

  /** Connects to the agent at `options.agentHost`, if any; send errors are logged, never thrown. */
  constructor(options: MetricsOptions, logger: Logger) {
    this.client =
      options.agentHost === undefined
        ? undefined
        : new StatsD({
            host: options.agentHost,
            port: options.port,
            globalTags: { ...options.tags },
            // One UDP packet per ~1.4 kB of metrics (or per second) instead of one per metric.
            maxBufferSize: 1432,
            bufferFlushInterval: 1000,
            errorHandler: (error) => logger.warn({ err: error }, 'metrics: send failed'),
          });
    if (this.client) {
      this.flushTimer = setInterval(() => this.flushCounts(), COUNTER_FLUSH_MS);
      this.flushTimer.unref();
    }
  }

  /** Whether metrics are sent anywhere. */
  get enabled(): boolean {
    return this.client !== undefined;
  }

  /** Records one finished request. */
  request(outcome: RequestOutcome): void {
    if (!this.client) return;
    const key = `${outcome.protocol}|${outcome.method}|${outcome.status}|${outcome.code}`;
    let entry = this.counts.get(key);
    if (!entry) {
      entry = {
        tags: [
          `protocol:${outcome.protocol}`,
          `method:${outcome.method}`,
          `status:${outcome.status}`,
          `code:${outcome.code}`,
        ],
        requests: 0,
        errors: 0,
      };
      this.counts.set(key, entry);
    }
    entry.requests++;
    if (outcome.code !== 'ok') entry.errors++;
    this.client.distribution(METRIC_NAMES.requestDuration, outcome.durationMs, entry.tags);
  }

  private flushCounts(): void {
    for (const entry of this.counts.values()) {
      if (entry.requests > 0) this.client?.increment(METRIC_NAMES.requestCount, entry.requests, entry.tags);
      if (entry.errors > 0) this.client?.increment(METRIC_NAMES.requestErrors, entry.errors, entry.tags);
      entry.requests = 0;
      entry.errors = 0;
    }
  }

  /** Adds one to a counter. */
  increment(name: string, tags: Readonly<Record<string, string>>): void {
    this.client?.increment(name, 1, { ...tags });
  }

  /** Sets a gauge. */
  gauge(name: string, value: number, tags: Readonly<Record<string, string>>): void {
    this.client?.gauge(name, value, { ...tags });
  }

  /** Flushes and closes the socket. */
  async close(): Promise<void> {
    const client = this.client;
    if (!client) return;
    clearInterval(this.flushTimer);
    this.flushCounts();
    await new Promise<void>((resolve) => client.close(() => resolve()));
  }
}
