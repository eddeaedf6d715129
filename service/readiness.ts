/**
 * Whether the service should get new work: false once draining has begun. Both protocols' health endpoints
 * read it, so they flip together.
 */
export class Readiness {
  private draining = false;
  private readonly listeners: Array<() => void> = [];

  /** Whether SIGTERM (or a test) has started the drain. */
  get isDraining(): boolean {
    return this.draining;
  }

  /** Starts the drain: health checks answer not ready from now on. */
  startDraining(): void {
    if (this.draining) return;
    this.draining = true;
    for (const listener of this.listeners) listener();
  }

  /** Calls `listener` when the drain starts. */
  onDraining(listener: () => void): void {
    this.listeners.push(listener);
  }
}
