/**
 * A graceful stop of one bot instance (SIGTERM on every redeploy of the bot and on Fargate
 * maintenance, SIGINT at a terminal): take no new work at once, let the commands and deploys in
 * flight finish within the drain deadline, interrupt what is still running then (a deploy records
 * itself as `interrupted`, unmutes and unlocks), and release the rest. The caller exits afterwards.
 */

import type { BotLogger } from '../ops/logger';
import type { Drain } from './drain';

/** A running bot instance, as {@link shutdown} stops it. */
export interface StoppableBot {
  readonly drain: Drain;
  /** Stops taking new commands from Slack (Socket Mode: disconnects; HTTP: stops listening). */
  stopAccepting(): Promise<void>;
  /** Releases what is left (connections, the audit channel's buffer); work in flight is not waited for. */
  stop(): Promise<void>;
}

/** Options for {@link shutdown}. */
export interface ShutdownOptions {
  /** How long work in flight may run on before it is interrupted (`WHEELHOUSE_DRAIN_SECONDS`). */
  readonly drainMs: number;
  /**
   * After the deadline, how long interrupted work gets to record itself, unmute, unlock and post
   * to its thread. @default 8000 (the drain deadline plus this stays within the task's stop timeout)
   */
  readonly graceMs?: number;
  readonly logger: BotLogger;
}

/** How the stop went. */
export interface ShutdownResult {
  /** Commands and background work in flight when the stop began. */
  readonly inFlight: number;
  /** True when work was still running at the deadline (or at a second signal) and was interrupted. */
  readonly interrupted: boolean;
  /** True when interrupted work did not even end within the grace time (the exit cuts it off). */
  readonly abandoned: boolean;
  readonly durationMs: number;
}

const DEFAULT_GRACE_MS = 8_000;

/** Drains `bot` and stops it; never throws (a failed step is logged and the stop goes on). */
export async function shutdown(bot: StoppableBot, options: ShutdownOptions): Promise<ShutdownResult> {
  const { drain } = bot;
  const { logger } = options;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  drain.begin();
  const inFlight = drain.inFlight;
  if (inFlight > 0) {
    // Warn: a person at the shell sees it (its log shows warnings only), and it explains a slow stop.
    logger.warn(
      { inFlight, drainSeconds: options.drainMs / 1000 },
      'stopping: no new commands; waiting for the work in flight (a second signal interrupts it now)',
    );
  } else {
    logger.info({ inFlight }, 'stopping');
  }
  await bot.stopAccepting().catch((error: unknown) => {
    logger.warn({ err: error }, 'could not stop taking commands cleanly');
  });

  let interrupted = false;
  let abandoned = false;
  if (!(await drain.settled(options.drainMs - elapsed())) || drain.signal.aborted) {
    interrupted = true;
    logger.warn(
      {
        inFlight: drain.inFlight,
        afterMs: elapsed(),
        why: drain.signal.aborted ? 'second signal' : 'drain deadline',
      },
      'interrupting the work in flight',
    );
    drain.abort();
    abandoned = !(await drain.settled(options.graceMs ?? DEFAULT_GRACE_MS));
    if (abandoned) logger.error({ inFlight: drain.inFlight }, 'work still running after the interruption');
  }
  await bot.stop().catch((error: unknown) => {
    logger.warn({ err: error }, 'could not close cleanly');
  });
  const result: ShutdownResult = { inFlight, interrupted, abandoned, durationMs: elapsed() };
  logger.info(result, 'stopped');
  return result;
}
