/**
 * The audit trail: one structured log line per command (who, what, environment, outcome, duration)
 * and, when `slack.auditChannel` is configured, a post in that channel. Posts are batched (one
 * message per second at most) so that a burst of commands neither hits Slack's per-channel rate
 * limit nor costs a request per command.
 */

import type { BotLogger } from '../ops/logger';
import { redact } from '../ops/redact';
import { mention } from './blocks';
import type { MessageSurface } from './progress-thread';
import { inChannel } from './reply';

/** The `channelId` of entries from the command line (`wheelhouse <command>`), which has no channel. */
export const COMMAND_LINE_CHANNEL = 'cli';

/** How a command ended. */
export type AuditOutcome = 'ok' | 'usage' | 'refused' | 'rejected' | 'error';

/** One audited command or button click. */
export interface AuditEntry {
  readonly userId: string;
  readonly userName: string;
  /** Where: a Slack channel id, `shell` (the local shell) or {@link COMMAND_LINE_CHANNEL}. */
  readonly channelId: string;
  /** `/status`, `action:<action_id>` for a button, or `wheelhouse deploy` from the command line. */
  readonly command: string;
  /** Arguments, free of secrets. */
  readonly args: string;
  readonly environment: string | null;
  readonly outcome: AuditOutcome;
  readonly durationMs: number;
  readonly correlationId: string;
}

/** Records audit entries. */
export interface Auditor {
  record(entry: AuditEntry): void;
  /** Posts what is buffered now (shutdown, tests). */
  flush(): Promise<void>;
}

/** Options for {@link createAuditor}. */
export interface AuditorOptions {
  readonly logger: BotLogger;
  /** The audit channel id, or null for log-only. */
  readonly channelId: string | null;
  /** Where to post; null for log-only (the local shell). */
  readonly surface: MessageSurface | null;
  /** Longest wait before buffered entries are posted. @default 1000 */
  readonly batchMs?: number;
  /** Most entries in one post; the rest are counted ("and 12 more"), the log has them all. @default 20 */
  readonly maxLinesPerPost?: number;
}

const OUTCOME_EMOJI: Readonly<Record<AuditOutcome, string>> = {
  ok: ':white_check_mark:',
  usage: ':grey_question:',
  refused: ':no_entry:',
  rejected: ':warning:',
  error: ':boom:',
};

/** The audit channel's line for one entry: the bot's commands and the command line's deploys alike. */
export function formatAuditLine(entry: AuditEntry): string {
  const args = redact(entry.args);
  const where = entry.environment ? ` in ${entry.environment}` : '';
  const from =
    entry.channelId === COMMAND_LINE_CHANNEL
      ? ' from the command line'
      : /^[CGD][A-Z0-9]+$/.test(entry.channelId)
        ? ` in <#${entry.channelId}>`
        : ` from ${entry.channelId}`;
  return `${OUTCOME_EMOJI[entry.outcome]} ${mention(entry.userId)} ran \`${entry.command}${args ? ` ${args}` : ''}\`${where}${from}: ${entry.outcome} (${entry.durationMs} ms, ${entry.correlationId})`;
}

/** Creates the auditor. */
export function createAuditor(options: AuditorOptions): Auditor {
  const { logger, channelId, surface } = options;
  const batchMs = options.batchMs ?? 1000;
  const maxLines = options.maxLinesPerPost ?? 20;
  let buffer: string[] = [];
  let dropped = 0;
  let timer: NodeJS.Timeout | null = null;
  let posting: Promise<void> = Promise.resolve();

  const post = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!surface || !channelId || buffer.length === 0) return posting;
    const lines =
      dropped > 0 ? [...buffer, `…and ${dropped} more commands (the bot's log has every one).`] : buffer;
    buffer = [];
    dropped = 0;
    posting = posting
      .then(() => surface.post(channelId, inChannel(redact(lines.join('\n')))))
      .then(
        () => undefined,
        (error: unknown) => logger.error({ err: error, channelId }, 'cannot post to the audit channel'),
      );
    return posting;
  };

  return {
    record(entry) {
      const args = redact(entry.args);
      logger.info({ audit: { ...entry, args } }, 'audit');
      if (!surface || !channelId) return;
      if (buffer.length >= maxLines) {
        dropped++;
        return;
      }
      buffer.push(formatAuditLine(entry));
      if (!timer) {
        timer = setTimeout(() => void post(), batchMs);
        timer.unref();
      }
    },
    flush: post,
  };
}
