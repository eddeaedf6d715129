/**
 * The work in flight in one bot instance, for a graceful stop: commands being answered and work that
 * outlives its reply (a deploy, a rollback, a scale watch). Once the instance drains, new commands are
 * refused with a "restarting" reply, and work in flight runs on until it ends or until
 * {@link Drain.signal} aborts it at the drain deadline (`shutdown.ts` drives this).
 */
import { setMaxListeners } from 'node:events';

/** Work in flight, and whether the instance is stopping. */
export interface Drain {
  /** True once the instance began to stop: new commands get the "restarting" reply. */
  readonly draining: boolean;
  /** Aborted at the drain deadline (or on a second signal): long work stops now and records how far it got. */
  readonly signal: AbortSignal;
  /** How many tracked promises have not settled yet. */
  readonly inFlight: number;
  /** Counts `work` as in flight until it settles; returns it unchanged. */
  track<T>(work: Promise<T>): Promise<T>;
  /** Starts draining; `onDrain` listeners run once. */
  begin(): void;
  /** Calls `listener` when draining begins (at once when it has). */
  onDrain(listener: () => void): void;
  /** Resolves true once nothing is in flight, or false when `ms` pass first (its timer is cleared either way). */
  settled(ms: number): Promise<boolean>;
  /** Aborts {@link signal}: the drain deadline passed. */
  abort(): void;
}

/** A drain with nothing in flight. */
export function createDrain(): Drain {
  const controller = new AbortController();
  // Every deploy and watch in flight listens while it waits: many at once are normal, not a leak.
  setMaxListeners(0, controller.signal);
  const inFlight = new Set<Promise<unknown>>();
  const waiters = new Set<() => void>();
  const listeners: (() => void)[] = [];
  let draining = false;

  const forget = (work: Promise<unknown>): void => {
    inFlight.delete(work);
    if (inFlight.size > 0) return;
    for (const wake of [...waiters]) wake();
  };

  return {
    get draining() {
      return draining;
    },
    signal: controller.signal,
    get inFlight() {
      return inFlight.size;
    },
    track(work) {
      inFlight.add(work);
      // Both branches: a failure of the work is its owner's to handle, not an unhandled rejection here.
      work.then(
        () => forget(work),
        () => forget(work),
      );
      return work;
    },
    begin() {
      if (draining) return;
      draining = true;
      for (const listener of listeners.splice(0)) listener();
    },
    onDrain(listener) {
      if (draining) listener();
      else listeners.push(listener);
    },
    settled(ms) {
      if (inFlight.size === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const finish = (drained: boolean) => {
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(drained);
        };
        const wake = () => finish(true);
        const timer = setTimeout(() => finish(false), Math.max(0, ms));
        waiters.add(wake);
      });
    },
    abort() {
      controller.abort(new Error('the bot instance is stopping'));
    },
  };
}
