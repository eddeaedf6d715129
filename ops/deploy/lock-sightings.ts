/**
 * What this process has seen of each deploy lock: the record version number (`rvn`) a lock item
 * carried, and when (on this process's monotonic clock) it was first seen with it. A contender may
 * take over a lock only once it has itself seen the same `rvn` for a whole lease: a holder that is
 * alive renews (a new `rvn`) well within a lease, so an unchanged one means the holder is gone,
 * whatever any machine's wall clock says (the approach of the AWS DynamoDB Lock Client,
 * https://aws.amazon.com/blogs/database/building-distributed-locks-with-the-dynamodb-lock-client/).
 *
 * In memory only, on purpose: a monotonic reading means nothing to another process, so a one-shot
 * caller (the command line) starts watching from zero each time; the long-lived bot remembers.
 */
export class LockSightings {
  private readonly seen = new Map<string, { readonly rvn: string; readonly firstSeenAt: number }>();

  /**
   * Notes that the lock in `table` carries `rvn` at monotonic time `at`; returns how long (ms) this
   * process has seen that same `rvn` (0 the first time, or when it changed since the last look).
   */
  observe(table: string, rvn: string, at: number): number {
    const before = this.seen.get(table);
    if (before && before.rvn === rvn) return Math.max(0, at - before.firstSeenAt);
    this.seen.set(table, { rvn, firstSeenAt: at });
    return 0;
  }

  /** Forgets the lock of `table` (taken or released by us: any later one is a new sighting). */
  forget(table: string): void {
    this.seen.delete(table);
  }
}

/** The sightings of this process, shared by every store it creates (the bot's commands each make one). */
export const processLockSightings = new LockSightings();
