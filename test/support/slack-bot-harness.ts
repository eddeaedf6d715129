/**
 * Starts the bot in HTTP mode in-process on a free port, with its Web API pointed at a local
 * recorder, and sends it signed slash commands and button clicks as Slack would.
 */
import { Writable } from 'node:stream';
import { type RunningHttpBot, startHttpBot } from '../../bot/adapters/http';
import type { CommandModule } from '../../bot/commands/command';
import { COMMANDS } from '../../bot/commands/registry';
import type { Config } from '../../config';
import { AwsClients } from '../../ops/aws-clients';
import { createLogger } from '../../ops/logger';
import { PagerDutyConnection } from '../../ops/pagerduty-connection';
import { TEST_CREDENTIALS, UNREACHABLE_AWS_ENDPOINT } from './aws-fakes';
import { type SlackApiRecorder, startSlackApiRecorder } from './slack-api-recorder';
import {
  buttonClickPayload,
  postInteraction,
  postSlashCommand,
  type SigningOptions,
  type SlackAppResponse,
} from './slack-request';

/** The signing secret the test bot verifies with. */
export const TEST_SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
/** The bot token the test bot uses (recorded by the Web API recorder). */
export const TEST_BOT_TOKEN = 'xoxb-1111-2222-testtokenvalue';

/** Options for {@link startTestBot}. */
export interface TestBotOptions {
  readonly config: Config;
  /** @default the registry */
  readonly commands?: readonly CommandModule[];
  /** @default clients with static test credentials and an unreachable endpoint */
  readonly aws?: AwsClients;
  /** @default none configured (no PAGERDUTY_* variables) */
  readonly pagerDuty?: PagerDutyConnection;
  readonly now?: () => Date;
  readonly ackBudgetMs?: number;
  /** @default 50 */
  readonly auditBatchMs?: number;
  /** @default 20 */
  readonly progressEditIntervalMs?: number;
}

/** What a test gets back from one command. */
export interface CommandExchange {
  /** The HTTP answer to the signed POST (the ack). */
  readonly ack: SlackAppResponse;
  /** The id of this command's response_url in the recorder. */
  readonly responseUrlId: string;
}

/** A running test bot. */
export interface TestBot {
  readonly bot: RunningHttpBot;
  readonly recorder: SlackApiRecorder;
  /** Every log line, parsed. */
  readonly logs: Record<string, unknown>[];
  /** Sends `/<command> <text>` as `userId` in `channelId`. */
  command(
    userId: string,
    channelId: string,
    command: string,
    text: string,
    signing?: SigningOptions,
  ): Promise<CommandExchange>;
  /** Clicks a button as `userId`, on `message` when given (Slack sends the message back with the click). */
  click(
    userId: string,
    channelId: string,
    actionId: string,
    value: string,
    message?: { readonly text: string; readonly blocks: readonly unknown[] },
  ): Promise<CommandExchange>;
  stop(): Promise<void>;
}

/** Starts a bot and its recorder. */
export async function startTestBot(options: TestBotOptions): Promise<TestBot> {
  const recorder = await startSlackApiRecorder();
  const logs: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line));
      callback();
    },
  });
  const aws =
    options.aws ??
    new AwsClients({ credentials: TEST_CREDENTIALS, maxAttempts: 1, endpoint: UNREACHABLE_AWS_ENDPOINT });
  const bot = await startHttpBot({
    config: options.config,
    commands: options.commands ?? COMMANDS,
    aws,
    pagerDuty: options.pagerDuty ?? new PagerDutyConnection({}),
    logger: createLogger({ destination, level: 'debug' }),
    signingSecret: TEST_SIGNING_SECRET,
    botToken: TEST_BOT_TOKEN,
    port: 0,
    host: '127.0.0.1',
    slackApiUrl: recorder.apiUrl,
    identity: { botId: 'B0BOT00001', botUserId: 'U0BOTUSER1' },
    now: options.now,
    ackBudgetMs: options.ackBudgetMs,
    auditBatchMs: options.auditBatchMs ?? 50,
    progressEditIntervalMs: options.progressEditIntervalMs ?? 20,
  });
  let ids = 0;
  return {
    bot,
    recorder,
    logs,
    async command(userId, channelId, command, text, signing) {
      const responseUrlId = `cmd-${++ids}`;
      const ack = await postSlashCommand(
        bot.url,
        TEST_SIGNING_SECRET,
        {
          command: `/${command}`,
          text,
          user_id: userId,
          channel_id: channelId,
          response_url: recorder.responseUrl(responseUrlId),
        },
        signing,
      );
      return { ack, responseUrlId };
    },
    async click(userId, channelId, actionId, value, message) {
      const responseUrlId = `click-${++ids}`;
      const ack = await postInteraction(
        bot.url,
        TEST_SIGNING_SECRET,
        buttonClickPayload({
          actionId,
          value,
          userId,
          channelId,
          responseUrl: recorder.responseUrl(responseUrlId),
          message,
        }),
      );
      return { ack, responseUrlId };
    },
    async stop() {
      await bot.stop();
      await aws.destroy();
      await recorder.close();
    },
  };
}

/** All text of a Slack message body (text, blocks' texts and fields, button values), for assertions. */
export function messageText(body: unknown): string {
  const out: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') out.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  if (body && typeof body === 'object') {
    const { blocks } = body as { blocks?: unknown };
    walk(blocks);
    if (!blocks) walk((body as { text?: unknown }).text);
  }
  return out.join('\n');
}
