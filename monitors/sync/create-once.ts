/**
 * Creates that are idempotent on our managed id: a create answered 5xx (or not answered) may have
 * landed in Datadog, and creating again would leave two monitors that page twice for one problem.
 * So a failed create is never retried blindly: first look for the object by its `monitor-id` tag,
 * and retry only when it is not there.
 */
import { toMonitoringError } from '../../clients/monitoring-error';

/** How {@link createOnce} creates and looks. */
export interface CreateOnceOptions<T> {
  /** What is created, for errors: `create monitor alb-5xx-rate`. */
  readonly operation: string;
  /** One create attempt, without the client's own retries. */
  create(): Promise<T>;
  /** The object carrying our managed id, if Datadog has it (a read: safe to retry). */
  findExisting(): Promise<T | null>;
  /** Creates tried at most. @default 4 */
  readonly attempts?: number;
  /** First delay between attempts, doubled each time. @default 2000 */
  readonly delayMs?: number;
}

/** Creates the object once, whatever failed on the way; throws a MonitoringError. */
export async function createOnce<T>(options: CreateOnceOptions<T>): Promise<T> {
  const attempts = options.attempts ?? 4;
  const delayMs = options.delayMs ?? 2000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await options.create();
    } catch (error) {
      const e = toMonitoringError('datadog', options.operation, error);
      // A 4xx means nothing was created: retrying or looking would not help.
      if (e.code !== 'unavailable' && e.code !== 'timeout') throw e;
      const existing = await options.findExisting().catch((lookup: unknown) => {
        throw toMonitoringError('datadog', `${options.operation}: look for it after a failed create`, lookup);
      });
      if (existing !== null) return existing;
      if (attempt >= attempts) throw e;
      await new Promise((resolve) => setTimeout(resolve, delayMs * 2 ** (attempt - 1)));
    }
  }
}
