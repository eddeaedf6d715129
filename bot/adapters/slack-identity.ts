/** The bot's own ids from `auth.test`, called once at start: it also proves the token works. */
import { WebClient, type WebClientOptions } from '@slack/web-api';
import { z } from 'zod';
import { StartupError } from '../startup-error';

/** The bot user and bot ids. */
export interface SlackIdentity {
  readonly botId: string;
  readonly botUserId: string;
}

const authTest = z.object({ ok: z.literal(true), user_id: z.string(), bot_id: z.string().optional() });

/** Calls `auth.test` with the bot token; a rejected token stops start-up naming SLACK_BOT_TOKEN. */
export async function slackIdentity(
  botToken: string,
  clientOptions: WebClientOptions,
): Promise<SlackIdentity> {
  const client = new WebClient(botToken, { ...clientOptions, retryConfig: { retries: 1 } });
  try {
    const result = authTest.parse(await client.auth.test());
    return { botId: result.bot_id ?? 'B_UNKNOWN', botUserId: result.user_id };
  } catch (error) {
    const code = (error as { data?: { error?: string } }).data?.error ?? (error as Error).message;
    throw new StartupError(
      'SLACK_BOT_TOKEN',
      `Slack rejected the bot token (${code}). Copy the Bot User OAuth Token (xoxb-…) from your app's OAuth & Permissions page, and reinstall the app if it was revoked.`,
    );
  }
}
