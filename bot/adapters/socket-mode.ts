/** Socket Mode: Bolt connects out to Slack over a WebSocket (no public endpoint needed). */
// Bolt's App module rather than its index (which also loads Express): faster start-up.
import App from '@slack/bolt/dist/App';
import SocketModeReceiver from '@slack/bolt/dist/receivers/SocketModeReceiver';
import type { Auditor } from '../../slack/audit';
import type { Dispatcher } from '../dispatcher';
import type { Drain } from '../drain';
import { boltLogger, type SlackBotOptions, wireBolt } from './bolt-app';
import { type SlackIdentity, slackIdentity } from './slack-identity';

/** Options for {@link startSocketModeBot}. */
export interface SocketModeBotOptions extends SlackBotOptions {
  readonly botToken: string;
  readonly appToken: string;
  /** Base URL of Slack's Web API (also where `apps.connections.open` is called). @default Slack's */
  readonly slackApiUrl?: string;
  /** The bot's ids; when absent, `auth.test` is called once at start. */
  readonly identity?: SlackIdentity;
}

/** A running Socket Mode bot. */
export interface RunningSocketModeBot {
  readonly dispatcher: Dispatcher;
  readonly auditor: Auditor;
  /** Commands and background work in flight. */
  readonly drain: Drain;
  /**
   * Disconnects from Slack, which then sends every event to the other instances' connections.
   * Commands already received get their ack first (within the ack budget) over this connection.
   */
  stopAccepting(): Promise<void>;
  /** Disconnects (if not done) and flushes the audit channel; work in flight is not waited for. */
  stop(): Promise<void>;
}

/** Longest wait for the acks of commands already received before disconnecting (Slack's limit is 3 s). */
const ACK_WAIT_MS = 3_000;

/** Connects to Slack in Socket Mode; resolves once connected. */
export async function startSocketModeBot(options: SocketModeBotOptions): Promise<RunningSocketModeBot> {
  const logger = boltLogger(options.logger);
  const slackApiUrl = options.slackApiUrl ? options.slackApiUrl.replace(/\/?$/, '/') : undefined;
  const clientOptions = slackApiUrl ? { slackApiUrl } : {};
  const identity = options.identity ?? (await slackIdentity(options.botToken, clientOptions));
  // The receiver is built here rather than by the App, so that stopping can wait for the disconnect.
  const receiver = new SocketModeReceiver({
    appToken: options.appToken,
    logger,
    installerOptions: slackApiUrl ? { clientOptions: { slackApiUrl } } : {},
  });
  const app = new App({
    token: options.botToken,
    receiver,
    botId: identity.botId,
    botUserId: identity.botUserId,
    tokenVerificationEnabled: false,
    // The bot keeps no conversation state in Bolt; the store would cost every request a lookup.
    convoStore: false,
    logger,
    clientOptions,
  });
  const wired = wireBolt(app, options);
  await app.start();
  let disconnected: Promise<void> | null = null;
  const stopAccepting = (): Promise<void> => {
    disconnected ??= (async () => {
      await wired.acksSent(ACK_WAIT_MS);
      await receiver.client.disconnect();
    })();
    return disconnected;
  };
  let stopped: Promise<void> | null = null;
  return {
    ...wired,
    stopAccepting,
    stop() {
      stopped ??= (async () => {
        await stopAccepting();
        await wired.auditor.flush();
      })();
      return stopped;
    },
  };
}
