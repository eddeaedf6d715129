/**
 * Progress of long work: one parent message in the channel and one reply in its thread, edited as
 * the work moves instead of flooding the channel. Edits are coalesced to respect Slack's rate limits.
 */
import { redactDeep } from '../ops/redact';
import { inChannel, type Reply } from './reply';

/** Posts and edits messages (Slack's chat.postMessage / chat.update, or the shell's terminal). */
export interface MessageSurface {
  /** Posts a message; returns its timestamp id. */
  post(channelId: string, reply: Reply, threadTs?: string): Promise<string>;
  /** Replaces the content of a posted message. */
  update(channelId: string, ts: string, reply: Reply): Promise<void>;
}

/** A running progress report. */
export interface ProgressThread {
  /** The parent message's ts: the thread id. */
  readonly threadTs: string;
  /** Shows a new state in the progress message (coalesced: the latest wins). */
  update(text: string): void;
  /** Shows the final state in the progress message and the outcome on the parent. */
  finish(outcome: Reply, summary: string): Promise<void>;
}

/** Options for {@link startProgressThread}. */
export interface ProgressThreadOptions {
  /** Minimum time between two edits of the progress message. @default 1000 */
  readonly minEditIntervalMs?: number;
}

/** Posts the parent and the first progress reply, and returns the handle that edits them. */
export async function startProgressThread(
  surface: MessageSurface,
  channelId: string,
  title: string,
  options: ProgressThreadOptions = {},
): Promise<ProgressThread> {
  const interval = options.minEditIntervalMs ?? 1000;
  const parentTs = await surface.post(channelId, redactDeep(inChannel(`${title} :hourglass_flowing_sand:`)));
  const progressTs = await surface.post(channelId, redactDeep(inChannel('Starting…')), parentTs);
  let pending: string | null = null;
  let lastEdit = 0;
  let timer: NodeJS.Timeout | null = null;
  let chain: Promise<void> = Promise.resolve();

  const flush = (): void => {
    timer = null;
    if (pending === null) return;
    const text = pending;
    pending = null;
    lastEdit = Date.now();
    chain = chain
      .then(() => surface.update(channelId, progressTs, redactDeep(inChannel(text))))
      .catch(() => {});
  };

  return {
    threadTs: parentTs,
    update(text) {
      pending = text;
      if (timer) return;
      const wait = Math.max(0, lastEdit + interval - Date.now());
      timer = setTimeout(flush, wait);
    },
    async finish(outcome, summary) {
      if (timer) clearTimeout(timer);
      timer = null;
      pending = null;
      await chain;
      await surface.update(channelId, progressTs, redactDeep({ ...outcome, visibility: 'in_channel' }));
      await surface.update(channelId, parentTs, redactDeep(inChannel(`${title}: ${summary}`)));
    },
  };
}
