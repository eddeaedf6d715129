/**
 * Keeps a running deploy's lock: renews it on a heartbeat and tells the deploy, through an
 * AbortSignal, once it is lost. Lost means one of two things. A renewal refused by DynamoDB (its
 * condition on the token failed): the lock was released (an admin's `/unlock --force`) or is someone
 * else's. Or no renewal got through for a whole lease on this process's own monotonic clock (the
 * network, DynamoDB): by then a contender may have seen the lock unchanged for a lease and taken it
 * over, so the deploy must act as if it had. A renewal that merely errors is retried at the next beat.
 */
import type { DeployLock, DeployStateStore, LockLoss } from './deploy-state';

/** Options of a {@link LockKeeper}. */
export interface LockKeeperOptions {
  /** Time between two renewals (a third of the lease leaves two more tries before it passes). */
  readonly heartbeatMs: number;
  /** How long the lock lasts without a renewal. */
  readonly leaseMs: number;
  /** This process's monotonic clock, in ms. */
  monotonicNow(): number;
  /** The wall clock, for the lock's new `expiresAt` (display and TTL only). */
  now(): Date;
  /** Told of a renewal that failed and will be retried (not a loss yet). */
  onRenewalError?(error: unknown): void;
}

/** Renews one held lock until stopped, and notices when it is lost. */
export class LockKeeper {
  private readonly lost = new AbortController();
  private current: DeployLock;
  private lastRenewedAt: number;
  private lossFound: LockLoss | null = null;
  private inFlight: Promise<LockLoss | null> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: DeployStateStore,
    lock: DeployLock,
    private readonly environmentName: string,
    private readonly options: LockKeeperOptions,
  ) {
    this.current = lock;
    this.lastRenewedAt = options.monotonicNow();
  }

  /** Aborted once the lock is lost (its reason is the {@link LockLoss}). */
  get signal(): AbortSignal {
    return this.lost.signal;
  }

  /** Why the lock was lost, or null while it is held. */
  get loss(): LockLoss | null {
    return this.lossFound;
  }

  /** Starts the heartbeat (it does not keep the process alive). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.beat(), this.options.heartbeatMs);
    this.timer.unref();
  }

  /** Stops the heartbeat. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * Renews once now (a beat already under way is joined, not doubled); returns the loss, or null
   * while the lock is held. Never throws: an error is a retry, until the lease has passed.
   */
  beat(): Promise<LockLoss | null> {
    if (this.lossFound) return Promise.resolve(this.lossFound);
    this.inFlight ??= this.renew().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async renew(): Promise<LockLoss | null> {
    try {
      const result = await this.store.renewLock(this.current, this.options.now());
      if (result.renewed) {
        this.current = result.lock;
        this.lastRenewedAt = this.options.monotonicNow();
        return null;
      }
      return this.lose(result.loss);
    } catch (error) {
      const since = this.options.monotonicNow() - this.lastRenewedAt;
      if (since < this.options.leaseMs) {
        this.options.onRenewalError?.(error);
        return null;
      }
      const minutes = Math.round(since / 60_000);
      return this.lose({
        why: 'lease-passed',
        by: null,
        message: `the lock on ${this.environmentName} could not be renewed for ${minutes} min, a whole lease (${error instanceof Error ? error.message : String(error)}), so another deploy may have taken it over`,
      });
    }
  }

  private lose(loss: LockLoss): LockLoss {
    this.lossFound ??= loss;
    this.stop();
    this.lost.abort(this.lossFound);
    return this.lossFound;
  }
}
