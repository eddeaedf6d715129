/**
 * The command line's audit trail, through the bot's own auditor (`slack/audit.ts`): the same JSON log
 * line (here on stderr, where a CI log keeps it) and, when `SLACK_BOT_TOKEN` is set and the
 * configuration names `slack.auditChannel`, the same line in that channel as the bot's commands.
 * At an interactive terminal the JSON line is left out (`quiet`): a person reads the outcome above
 * it, and the deploy history keeps who deployed what.
 */

import type { Config } from '../config';
import { createLogger } from '../ops/logger';
import { type Auditor, createAuditor } from '../slack/audit';
import type { MessageSurface } from '../slack/progress-thread';
import { slackSurface } from '../slack/slack-surface';
import type { TerminalOutput } from './terminal-progress';

/**
 * The `name` of the command line's log lines (the bot's are `wheelhouse-bot`), so that a log search
 * or an audit reader tells a CLI or CI run from the bot; who ran it is the entry's `userId`.
 */
export const CLI_LOG_NAME = 'wheelhouse-cli';

/** The auditor, and what keeps it from the audit channel. */
export interface CliAudit {
  readonly auditor: Auditor;
  /** Why the audit channel is not posted to, when a token was given but cannot be used; else null. */
  readonly warning: string | null;
}

/** Creates the auditor: log-only, or with the Slack audit channel when a bot token is at hand. */
export async function createCliAudit(
  config: Config | null,
  env: NodeJS.ProcessEnv,
  stderr: TerminalOutput,
  quiet: boolean,
): Promise<CliAudit> {
  const logger = createLogger({
    name: CLI_LOG_NAME,
    // Quiet keeps the warnings (an audit post that failed) and drops the info-level audit line.
    level: quiet ? 'warn' : (env.LOG_LEVEL ?? 'info'),
    // Synchronous writes to our stderr: the process ends right after the last line.
    destination: { write: (line: string) => void stderr.write(line) },
  });
  const token = env.SLACK_BOT_TOKEN?.trim();
  const channelId = config?.slack.auditChannel ?? null;
  let surface: MessageSurface | null = null;
  let warning: string | null = null;
  if (token && channelId) {
    if (token.startsWith('xoxb-')) {
      surface = await slackAuditSurface(token, env.SLACK_API_URL?.trim() || null);
    } else {
      // The token itself is never printed, only what is wrong with it.
      warning =
        'SLACK_BOT_TOKEN must start with xoxb- (the Bot User OAuth Token): not posting to the audit channel.';
    }
  }
  return {
    auditor: createAuditor({ logger, channelId, surface, batchMs: 0 }),
    warning,
  };
}

async function slackAuditSurface(token: string, apiUrl: string | null): Promise<MessageSurface> {
  // Loaded only when there is a token: the Web API client is not needed otherwise.
  const { WebClient } = await import('@slack/web-api');
  const client = new WebClient(token, {
    ...(apiUrl ? { slackApiUrl: apiUrl.replace(/\/?$/, '/') } : {}),
    retryConfig: { retries: 1 },
    timeout: 10_000,
  });
  return slackSurface(client);
}
