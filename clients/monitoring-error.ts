/**
 * The one error type of the monitoring code: which service failed, a fixed code, and a message a
 * person can act on. Errors from the Datadog client and PagerDuty are converted in one place
 * ({@link toMonitoringError}); keys and tokens never appear in a message.
 */

/** What went wrong, whatever the service. */
export type MonitoringErrorCode =
  /** A key or token is not set. */
  | 'missing-credentials'
  /** The environment's configuration lacks what the operation needs (an escalation policy, a service). */
  | 'not-configured'
  /** The service refused the credentials (401/403). */
  | 'unauthorized'
  /** The object does not exist (404). */
  | 'not-found'
  /** The service rejected the request (other 4xx). */
  | 'rejected'
  /** The service failed (5xx, 429 after retries, network error). */
  | 'unavailable'
  /** No answer within the timeout. */
  | 'timeout';

/** The external service an error came from. */
export type MonitoringService = 'datadog' | 'pagerduty';

/** An error talking to Datadog or PagerDuty. */
export class MonitoringError extends Error {
  override readonly name = 'MonitoringError';

  constructor(
    readonly service: MonitoringService,
    readonly code: MonitoringErrorCode,
    message: string,
    /** The HTTP status, when there was a response. */
    readonly status: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const NAMES: Readonly<Record<MonitoringService, string>> = { datadog: 'Datadog', pagerduty: 'PagerDuty' };

const AUTH_HINT: Readonly<Record<MonitoringService, string>> = {
  datadog: 'check DD_API_KEY and DD_APP_KEY, DD_SITE, and the application key’s scopes',
  pagerduty: 'check PAGERDUTY_TOKEN (a REST API key) or the routing key',
};

/** The error for an HTTP status other than 2xx. */
export function errorForStatus(
  service: MonitoringService,
  operation: string,
  status: number,
  detail = '',
): MonitoringError {
  const name = NAMES[service];
  const suffix = detail ? `: ${detail}` : '';
  if (status === 401 || status === 403) {
    return new MonitoringError(
      service,
      'unauthorized',
      `${name} refused the credentials (${status}) while trying to ${operation}; ${AUTH_HINT[service]}`,
      status,
    );
  }
  if (status === 404)
    return new MonitoringError(
      service,
      'not-found',
      `${name}: ${operation}: not found (404)${suffix}`,
      status,
    );
  if (status >= 500 || status === 429) {
    return new MonitoringError(
      service,
      'unavailable',
      `${name} failed to ${operation} (${status})${suffix}`,
      status,
    );
  }
  return new MonitoringError(
    service,
    'rejected',
    `${name} rejected ${operation} (${status})${suffix}`,
    status,
  );
}

/** Converts anything a client threw into a {@link MonitoringError}; the one place errors are translated. */
export function toMonitoringError(
  service: MonitoringService,
  operation: string,
  error: unknown,
): MonitoringError {
  if (error instanceof MonitoringError) return error;
  const name = NAMES[service];
  if (isTimeout(error)) {
    return new MonitoringError(
      service,
      'timeout',
      `${name} did not answer in time while trying to ${operation}`,
      null,
      {
        cause: error,
      },
    );
  }
  const status = statusOf(error);
  if (status !== null) {
    const converted = errorForStatus(service, operation, status, detailOf(error));
    return new MonitoringError(service, converted.code, converted.message, status, { cause: error });
  }
  const reason =
    typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error);
  return new MonitoringError(
    service,
    'unavailable',
    `${name} could not be reached to ${operation}: ${reason}`,
    null,
    {
      cause: error,
    },
  );
}

/** Duck-typed: fetch rejects with a DOMException, which is not always an `Error` of this realm. */
function isTimeout(error: unknown): boolean {
  const name = (value: unknown) =>
    typeof value === 'object' && value !== null && 'name' in value ? (value as { name: unknown }).name : null;
  if (name(error) === 'TimeoutError') return true;
  return name(error) === 'AbortError' && name((error as { cause?: unknown }).cause) === 'TimeoutError';
}

/** The status of the Datadog client's `ApiException` (it has `code` and `body`). */
function statusOf(error: unknown): number | null {
  if (typeof error === 'object' && error !== null && 'code' in error && 'body' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'number') return code;
  }
  return null;
}

function detailOf(error: unknown): string {
  const body = (error as { body?: unknown }).body;
  if (typeof body === 'object' && body !== null && 'errors' in body && Array.isArray(body.errors)) {
    return body.errors.map(String).join('; ');
  }
  return '';
}
