/**
 * The metric names the service sends. Datadog monitors and dashboards (monitors/) query them, so
 * they are a stable contract; this file imports nothing, so that the bot's image can carry it alone.
 */
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
