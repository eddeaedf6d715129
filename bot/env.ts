/**
 * The bot's environment variables, read once at start-up into a typed object. Picks the mode:
 * Socket Mode (SLACK_APP_TOKEN + SLACK_BOT_TOKEN), HTTP (SLACK_SIGNING_SECRET + SLACK_BOT_TOKEN)
 * or, with no Slack variables at all, the local shell. Tokens are checked for shape here and
 * never appear in an error message.
 */
import { ASSUME_OPERATOR_ROLE_VARIABLE, type Config, DRAIN_SECONDS_VARIABLE } from '../config';
import { readAssumeOperatorRole } from '../ops/aws-clients';
import { StartupError } from './startup-error';

/** The person typing in the local shell. */
export interface ShellUser {
  readonly id: string;
  readonly name: string;
  /** Slack user group ids they count as a member of. */
  readonly groups: readonly string[];
  /** The channel the shell pretends to be in (bound channels pick the environment). */
  readonly channelId: string;
}

/** How the bot talks to people. */
export type BotMode =
  | { readonly kind: 'socket'; readonly botToken: string; readonly appToken: string }
  | {
      readonly kind: 'http';
      readonly botToken: string;
      readonly signingSecret: string;
      readonly port: number;
    }
  | { readonly kind: 'shell'; readonly user: ShellUser };

/** Everything the bot reads from its environment. */
export interface BotEnv {
  readonly mode: BotMode;
  /** `SLACK_API_URL`: another base URL for Slack's Web API. @default null (Slack's) */
  readonly slackApiUrl: string | null;
  /** `WHEELHOUSE_ASSUME_OPERATOR_ROLE`: act on each environment through its operator role. @default false */
  readonly assumeOperatorRole: boolean;
  /**
   * `WHEELHOUSE_DRAIN_SECONDS`: on SIGTERM, how long deploys and commands in flight may run on
   * before they are interrupted cleanly. The bot stack sets it 10 s under the task's stop timeout.
   * @default 110 (under Fargate's longest stop timeout, 120 s)
   */
  readonly drainSeconds: number;
}

/** The drain time when `WHEELHOUSE_DRAIN_SECONDS` is unset. */
export const DEFAULT_DRAIN_SECONDS = 110;

/** The environment variables, for documentation and messages. */
export const BOT_ENV_VARS = {
  botToken: 'SLACK_BOT_TOKEN',
  appToken: 'SLACK_APP_TOKEN',
  signingSecret: 'SLACK_SIGNING_SECRET',
  port: 'PORT',
  slackApiUrl: 'SLACK_API_URL',
  userId: 'WHEELHOUSE_USER_ID',
  userName: 'WHEELHOUSE_USER_NAME',
  userGroups: 'WHEELHOUSE_USER_GROUPS',
  channelId: 'WHEELHOUSE_CHANNEL_ID',
  assumeOperatorRole: ASSUME_OPERATOR_ROLE_VARIABLE,
  drainSeconds: DRAIN_SECONDS_VARIABLE,
} as const;

/** The user id the shell uses when WHEELHOUSE_USER_ID is unset and the configuration names no admin user. */
export const FALLBACK_SHELL_USER_ID = 'U0LOCALUSER';

/** Reads and checks the bot's environment; throws {@link StartupError} naming the variable and the fix. */
export function readBotEnv(env: NodeJS.ProcessEnv, config: Config): BotEnv {
  const value = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const botToken = value(BOT_ENV_VARS.botToken);
  const appToken = value(BOT_ENV_VARS.appToken);
  const signingSecret = value(BOT_ENV_VARS.signingSecret);
  const slackApiUrl = value(BOT_ENV_VARS.slackApiUrl) ?? null;
  if (slackApiUrl !== null && !/^https?:\/\/[^\s]+$/.test(slackApiUrl)) {
    throw new StartupError(BOT_ENV_VARS.slackApiUrl, 'must be an http(s) URL such as https://slack.com/api/');
  }
  let assumeOperatorRole: boolean;
  try {
    assumeOperatorRole = readAssumeOperatorRole(env);
  } catch {
    const got = (env[BOT_ENV_VARS.assumeOperatorRole] ?? '').trim().slice(0, 20);
    throw new StartupError(
      BOT_ENV_VARS.assumeOperatorRole,
      `must be true or false, got "${got}": true where the bot runs on AWS (the bot stack sets it), unset locally`,
    );
  }
  const drainText = value(BOT_ENV_VARS.drainSeconds) ?? String(DEFAULT_DRAIN_SECONDS);
  const drainSeconds = Number(drainText);
  if (!/^\d+(\.\d+)?$/.test(drainText) || drainSeconds > 3600) {
    throw new StartupError(
      BOT_ENV_VARS.drainSeconds,
      `must be a number of seconds from 0 to 3600, got "${drainText.slice(0, 20)}": keep it under the task's stop timeout (the bot stack sets it)`,
    );
  }
  const common = { slackApiUrl, assumeOperatorRole, drainSeconds };

  if (!botToken && !appToken && !signingSecret) {
    return { mode: { kind: 'shell', user: shellUser(env, config) }, ...common };
  }
  if (!botToken) {
    throw new StartupError(
      BOT_ENV_VARS.botToken,
      "is missing: copy the Bot User OAuth Token (xoxb-…) from your Slack app's OAuth & Permissions page (install the app from manifest.yml first).",
    );
  }
  checkToken(
    BOT_ENV_VARS.botToken,
    botToken,
    'xoxb-',
    "the Bot User OAuth Token from the app's OAuth & Permissions page",
  );
  if (appToken) {
    checkToken(
      BOT_ENV_VARS.appToken,
      appToken,
      'xapp-',
      "an app-level token with the connections:write scope, from the app's Basic Information → App-Level Tokens",
    );
    return { mode: { kind: 'socket', botToken, appToken }, ...common };
  }
  if (!signingSecret) {
    throw new StartupError(
      `${BOT_ENV_VARS.appToken} or ${BOT_ENV_VARS.signingSecret}`,
      'one is needed with SLACK_BOT_TOKEN: SLACK_APP_TOKEN (xapp-…) for Socket Mode, or SLACK_SIGNING_SECRET for HTTP mode (Basic Information → App Credentials).',
    );
  }
  if (!/^[0-9a-f]{32}$/i.test(signingSecret)) {
    throw new StartupError(
      BOT_ENV_VARS.signingSecret,
      `is malformed (expected 32 hexadecimal characters, got ${signingSecret.length} characters): copy the Signing Secret from Basic Information → App Credentials.`,
    );
  }
  const portText = value(BOT_ENV_VARS.port) ?? '3000';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    throw new StartupError(
      BOT_ENV_VARS.port,
      `must be a TCP port number (0-65535), got "${portText.slice(0, 20)}"`,
    );
  }
  return { mode: { kind: 'http', botToken, signingSecret, port }, ...common };
}

function checkToken(name: string, token: string, prefix: string, where: string): void {
  if (!token.startsWith(prefix) || !/^[A-Za-z0-9-]+$/.test(token) || token.length < prefix.length + 10) {
    // Name the token kind that was given (xoxp-, xapp-…), never the token itself.
    const kind = /^(x[a-z]{2,3}-)/.exec(token)?.[1];
    const got = kind ? `a ${kind}… token` : 'something that is not a Slack token';
    throw new StartupError(name, `must start with ${prefix} (got ${got}): use ${where}.`);
  }
}

function shellUser(env: NodeJS.ProcessEnv, config: Config): ShellUser {
  // The first admin of the configuration can run every command: the quick start works as is.
  const firstAdmin = config.environments.flatMap((e) => e.permissions.admins.users)[0];
  const id = env[BOT_ENV_VARS.userId]?.trim() || firstAdmin || FALLBACK_SHELL_USER_ID;
  if (!/^[UW][A-Z0-9]{2,}$/.test(id)) {
    throw new StartupError(
      BOT_ENV_VARS.userId,
      `must be a Slack user id (U… or W…), got "${id.slice(0, 30)}"`,
    );
  }
  const groups = (env[BOT_ENV_VARS.userGroups] ?? '')
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean);
  const badGroup = groups.find((g) => !/^S[A-Z0-9]{2,}$/.test(g));
  if (badGroup) {
    throw new StartupError(
      BOT_ENV_VARS.userGroups,
      `must be comma-separated Slack user group ids (S…), got "${badGroup.slice(0, 30)}"`,
    );
  }
  return {
    id,
    name: env[BOT_ENV_VARS.userName]?.trim() || env.USER || 'you',
    groups,
    channelId: env[BOT_ENV_VARS.channelId]?.trim() || 'shell',
  };
}
