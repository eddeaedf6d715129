/**
 * The PagerDuty client: the one place it is created, with its base URLs, token and timeout read
 * from the environment once ({@link readPagerDutySettings}) and passed in.
 *
 * REST calls go through `@pagerduty/pdjs`, which resolves 4xx/5xx instead of throwing and whose
 * timeout never aborts the request: every call here checks the status and enforces its own
 * deadline with an AbortSignal. Events API v2 calls are one POST with `fetch`: pdjs's `event()`
 * builds `https://<host>/v2/enqueue` itself, so it cannot honour PAGERDUTY_EVENTS_URL (a proxy, a
 * local test server on http).
 */
import { api } from '@pagerduty/pdjs';
import type { z } from 'zod';
import { errorForStatus, MonitoringError, toMonitoringError } from './monitoring-error';

/** Where and how to reach PagerDuty. */
export interface PagerDutySettings {
  /** `PAGERDUTY_TOKEN`: a REST API key (read-only is enough for on-call and route checks); null when not set. */
  readonly token: string | null;
  /** `PAGERDUTY_API_URL`. @default 'https://api.pagerduty.com' */
  readonly apiUrl: string;
  /** `PAGERDUTY_EVENTS_URL`. @default 'https://events.pagerduty.com' */
  readonly eventsUrl: string;
  /** `PAGERDUTY_TIMEOUT_MS`: the deadline of each call. @default 10000 */
  readonly timeoutMs: number;
  /** First delay before retrying an event PagerDuty answered 429/5xx (doubles each time). @default 500 */
  readonly retryDelayMs: number;
}

/** Retries of an Events API call answered 429 or 5xx: safe, since the deduplication key makes it idempotent. */
export const EVENT_RETRIES = 2;

/** Default deadline of one PagerDuty call. */
export const DEFAULT_PAGERDUTY_TIMEOUT_MS = 10_000;

/** Reads the PagerDuty settings from environment variables. */
export function readPagerDutySettings(env: NodeJS.ProcessEnv = process.env): PagerDutySettings {
  const timeout = env.PAGERDUTY_TIMEOUT_MS;
  const timeoutMs = timeout ? Number(timeout) : DEFAULT_PAGERDUTY_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    throw new Error(`PAGERDUTY_TIMEOUT_MS must be a positive number of milliseconds, got ${timeout}`);
  }
  return {
    token: env.PAGERDUTY_TOKEN?.trim() || null,
    apiUrl: (env.PAGERDUTY_API_URL?.trim() || 'https://api.pagerduty.com').replace(/\/+$/, ''),
    eventsUrl: (env.PAGERDUTY_EVENTS_URL?.trim() || 'https://events.pagerduty.com').replace(/\/+$/, ''),
    timeoutMs,
    retryDelayMs: 500,
  };
}

/** Query parameters of a REST call; arrays become `key[]=a&key[]=b` when the key ends in `[]`. */
export type QueryParameters = Readonly<Record<string, string | readonly string[]>>;

/** A REST GET and an Events API v2 POST, with deadlines, status checks and typed errors. */
export interface PagerDutyClient {
  readonly settings: PagerDutySettings;
  /** GETs a REST path and validates the body with `schema`; `operation` names it in errors. */
  get<T>(path: string, query: QueryParameters, schema: z.ZodType<T>, operation: string): Promise<T>;
  /** POSTs an event to Events API v2 (`/v2/enqueue`) and returns the body. */
  enqueue(event: Readonly<Record<string, unknown>>, operation: string): Promise<unknown>;
}

/** Creates the client. REST calls throw a `missing-credentials` error when there is no token; events need none. */
export function createPagerDutyClient(settings: PagerDutySettings): PagerDutyClient {
  return {
    settings,
    async get(path, query, schema, operation) {
      if (!settings.token) {
        throw new MonitoringError(
          'pagerduty',
          'missing-credentials',
          'PAGERDUTY_TOKEN is not set: create a REST API key in PagerDuty (Integrations → API Access Keys) and export it',
        );
      }
      const signal = AbortSignal.timeout(settings.timeoutMs);
      try {
        const response = await withDeadline(
          api({
            url: `${settings.apiUrl}/${path.replace(/^\/+/, '')}`,
            token: settings.token,
            method: 'GET',
            queryParameters: { ...query } as Record<string, string | string[]>,
            signal,
            // pdjs's own timer only keeps the process alive: the deadline is the signal's.
            requestTimeout: 0,
            retryTimeout: 1000,
          }),
          signal,
        );
        if (!response.ok)
          throw errorForStatus('pagerduty', operation, response.status, pagerDutyDetail(response.data));
        const parsed = schema.safeParse(response.data);
        if (!parsed.success) {
          throw new MonitoringError(
            'pagerduty',
            'unavailable',
            `PagerDuty answered ${operation} with an unexpected body: ${parsed.error.issues[0]?.message}`,
          );
        }
        return parsed.data;
      } catch (error) {
        throw toMonitoringError('pagerduty', operation, unwrapPdjsRejection(error, operation));
      }
    },
    async enqueue(event, operation) {
      for (let attempt = 0; ; attempt++) {
        try {
          const response = await fetch(`${settings.eventsUrl}/v2/enqueue`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(event),
            signal: AbortSignal.timeout(settings.timeoutMs),
          });
          const body: unknown = await response.json().catch(() => null);
          if (!response.ok)
            throw errorForStatus('pagerduty', operation, response.status, pagerDutyDetail(body));
          return body;
        } catch (error) {
          const e = toMonitoringError('pagerduty', operation, error);
          if (e.code !== 'unavailable' || attempt >= EVENT_RETRIES) throw e;
          await new Promise((resolve) => setTimeout(resolve, settings.retryDelayMs * 2 ** attempt));
        }
      }
    },
  };
}

/** Rejects with the signal's reason when it aborts first, whatever the promise does. */
function withDeadline<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** pdjs rejects with the Response itself when a body is not JSON; turn that into a status error. */
function unwrapPdjsRejection(error: unknown, operation: string): unknown {
  if (typeof error === 'object' && error !== null && 'status' in error && 'ok' in error) {
    const status = (error as { status: number }).status;
    return errorForStatus('pagerduty', operation, status);
  }
  return error;
}

function pagerDutyDetail(body: unknown): string {
  if (typeof body !== 'object' || body === null) return '';
  const b = body as { error?: { message?: unknown; errors?: unknown }; message?: unknown; errors?: unknown };
  const message = b.error?.message ?? b.message;
  const errors = b.error?.errors ?? b.errors;
  return [
    typeof message === 'string' ? message : '',
    Array.isArray(errors) ? errors.map(String).join('; ') : '',
  ]
    .filter(Boolean)
    .join(': ');
}
