/** Socket Mode: Bolt connects out to Slack over a WebSocket (no public endpoint needed). */
// Bolt's App module rather than its index (which also loads Express): faster start-up.
import App from '@slack/bolt/dist/App';
import type { Auditor } from '../audit';
import type { Dispatcher } from '../dispatcher';
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
  stop(): Promise<void>;
}

/** Connects to Slack in Socket Mode; resolves once connected. */
export async function startSocketModeBot(options: SocketModeBotOptions): Promise<RunningSocketModeBot> {
  const logger = boltLogger(options.logger);
  const slackApiUrl = options.slackApiUrl ? options.slackApiUrl.replace(/\/?$/, '/') : undefined;
  const clientOptions = slackApiUrl ? { slackApiUrl } : {};
  const identity = options.identity ?? (await slackIdentity(options.botToken, clientOptions));
  const app = new App({
    token: options.botToken,
    appToken: options.appToken,
    socketMode: true,
    botId: identity.botId,
    botUserId: identity.botUserId,
    tokenVerificationEnabled: false,
    // The bot keeps no conversation state in Bolt; the store would cost every request a lookup.
    convoStore: false,
    logger,
    clientOptions,
    installerOptions: slackApiUrl ? { clientOptions: { slackApiUrl } } : undefined,
  });
  const wired = wireBolt(app, options);
  await app.start();
  return {
    ...wired,
    async stop() {
      await wired.auditor.flush();
      await app.stop();
    },
  };
}
