/**
 * How a database call failed, for deciding whether to retry it.
 *
 * - `not-sent`: no connection was had, so nothing reached the server; any call may be retried.
 * - `read-only`: the endpoint now leads to a read-only node (SQLSTATE 25006, a writer that was demoted in a
 *   failover); the statement was rejected, so any call may be retried once the endpoint moves.
 * - `connection-lost`: the connection died with the statement in flight (57P01, resets, ...); it may or may
 *   not have been applied, so only idempotent calls may be retried.
 */
export type FailureKind = 'not-sent' | 'read-only' | 'connection-lost';

/** A database call that failed because of the connection or the node, not because of the SQL. */
export class ConnectionFailure extends Error {
  /** Wraps `cause` with its {@link FailureKind}. */
  constructor(
    readonly kind: FailureKind,
    cause: unknown,
  ) {
    super(`database ${kind}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'ConnectionFailure';
  }
}

/** SQLSTATEs that mean the node is going away or the connection is gone. */
const CONNECTION_SQLSTATES = new Set([
  '57P01', // admin_shutdown: the server is stopping (a failover restarts the old writer)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or in recovery
  '08000', // connection_exception
  '08003', // connection_does_not_exist
  '08006', // connection_failure
  '08001', // sqlclient_unable_to_establish_sqlconnection
  '08004', // sqlserver_rejected_establishment_of_sqlconnection
]);

/** Socket errors that mean the connection is gone. */
const SOCKET_ERRORS = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** Messages that node-postgres gives errors without a code when the connection ends under it. */
const CONNECTION_MESSAGES = /Connection terminated|connection error|Query read timeout|not queryable/i;

/**
 * Classifies an error thrown by a query on an established connection.
 *
 * @returns the kind of connection failure, or `undefined` for an ordinary SQL error
 */
export function classifyQueryError(error: unknown): FailureKind | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  if (code === '25006') return 'read-only';
  if (code !== undefined && (CONNECTION_SQLSTATES.has(code) || SOCKET_ERRORS.has(code)))
    return 'connection-lost';
  if (error instanceof Error && CONNECTION_MESSAGES.test(error.message)) return 'connection-lost';
  return undefined;
}
