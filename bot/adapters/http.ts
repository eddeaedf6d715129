/** HTTP mode: Bolt's HTTPReceiver on `PORT` at `/slack/events`, requests verified with the signing secret. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
// Bolt's own modules rather than its index, which also loads Express and the Lambda receiver: this
// saves about a third of the bot's start-up.
import App from '@slack/bolt/dist/App';
import HTTPReceiver from '@slack/bolt/dist/receivers/HTTPReceiver';
import type { Auditor } from '../../slack/audit';
import type { Dispatcher } from '../dispatcher';
import type { Drain } from '../drain';
import { boltLogger, type SlackBotOptions, wireBolt } from './bolt-app';
import { type SlackIdentity, slackIdentity } from './slack-identity';

/** Options for {@link startHttpBot}. */
export interface HttpBotOptions extends SlackBotOptions {
  readonly signingSecret: string;
  readonly botToken: string;
  /** 0 picks a free port. @default 3000 */
  readonly port?: number;
  /** @default '0.0.0.0' */
  readonly host?: string;
  /** Base URL of Slack's Web API. @default Slack's */
  readonly slackApiUrl?: string;
  /** The bot's ids; when absent, `auth.test` is called once at start (which also checks the token). */
  readonly identity?: SlackIdentity;
}

/** A running HTTP bot. */
export interface RunningHttpBot {
  readonly port: number;
  readonly url: string;
  readonly dispatcher: Dispatcher;
  readonly auditor: Auditor;
  /** Commands and background work in flight. */
  readonly drain: Drain;
  /**
   * Stops listening: no new connection is accepted (a load balancer sends the next request to
   * another instance); requests on connections already open are still answered.
   */
  stopAccepting(): Promise<void>;
  /** Stops listening (if not done), closes every connection and flushes the audit channel. */
  stop(): Promise<void>;
}

/** The path Slack posts commands, interactions and events to. */
export const SLACK_EVENTS_PATH = '/slack/events';

/** Starts the bot in HTTP mode; resolves once it listens. */
export async function startHttpBot(options: HttpBotOptions): Promise<RunningHttpBot> {
  const logger = boltLogger(options.logger);
  const clientOptions = options.slackApiUrl ? { slackApiUrl: ensureSlash(options.slackApiUrl) } : {};
  const identity = options.identity ?? (await slackIdentity(options.botToken, clientOptions));
  const receiver = new HTTPReceiver({
    signingSecret: options.signingSecret,
    endpoints: SLACK_EVENTS_PATH,
    logger,
    customRoutes: [
      {
        path: '/healthz',
        method: 'GET',
        handler: (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('ok');
        },
      },
    ],
  });
  const app = new App({
    token: options.botToken,
    botId: identity.botId,
    botUserId: identity.botUserId,
    tokenVerificationEnabled: false,
    // The bot keeps no conversation state in Bolt; the store would cost every request a lookup.
    convoStore: false,
    receiver,
    logger,
    clientOptions,
  });
  const wired = wireBolt(app, options);
  const server = (await app.start({ port: options.port ?? 3000, host: options.host ?? '0.0.0.0' })) as Server;
  const { port } = server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  // Bolt's stop closes the server: it stops listening at once, and settles when the last connection ends.
  let closed: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closed ??= app.stop().then(() => {});
    return closed;
  };
  let stopped: Promise<void> | null = null;
  return {
    port,
    url: `http://${host}:${port}${SLACK_EVENTS_PATH}`,
    ...wired,
    async stopAccepting() {
      void close().catch(() => {});
    },
    stop() {
      stopped ??= (async () => {
        const closing = close();
        // Keep-alive connections that went idle after the listener closed would hold the close for
        // their timeout; one still busy gets a moment to finish its response.
        server.closeIdleConnections();
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([closing, new Promise((resolve) => (timer = setTimeout(resolve, 1000)))]);
        clearTimeout(timer);
        server.closeAllConnections();
        await closing;
        await wired.auditor.flush();
      })();
      return stopped;
    },
  };
}

function ensureSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
