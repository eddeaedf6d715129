/**
 * Sends requests to a Slack app the way Slack does: form-encoded slash commands and interaction
 * payloads, signed with the v0 HMAC-SHA256 scheme (`v0:<timestamp>:<body>`).
 */
import { createHmac } from 'node:crypto';

/** How to sign a request; `omit` sends no signature headers, `bad` a wrong signature. */
export interface SigningOptions {
  /** Unix seconds. @default now */
  readonly timestamp?: number;
  /** @default 'valid' */
  readonly signature?: 'valid' | 'bad' | 'omit';
}

/** The `X-Slack-Signature` and `X-Slack-Request-Timestamp` headers for `body`. */
export function slackSignatureHeaders(
  secret: string,
  body: string,
  timestamp = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'x-slack-signature': signature, 'x-slack-request-timestamp': String(timestamp) };
}

/** The fields of a slash command request. */
export interface SlashCommandFields {
  readonly command: string;
  readonly text: string;
  readonly user_id: string;
  readonly channel_id: string;
  readonly response_url: string;
  readonly user_name?: string;
  readonly team_id?: string;
  readonly trigger_id?: string;
}

/** The HTTP answer: status and body (JSON-parsed when it is JSON). */
export interface SlackAppResponse {
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
}

/** The form body of a slash command, as Slack sends it. */
export function slashCommandBody(fields: SlashCommandFields): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: fields.team_id ?? 'T0TEST0001',
    team_domain: 'wheelhouse-test',
    channel_id: fields.channel_id,
    channel_name: 'ops',
    user_id: fields.user_id,
    user_name: fields.user_name ?? fields.user_id.toLowerCase(),
    command: fields.command,
    text: fields.text,
    api_app_id: 'A0TEST0001',
    is_enterprise_install: 'false',
    response_url: fields.response_url,
    trigger_id: fields.trigger_id ?? '1.2.3',
  }).toString();
}

/** POSTs a signed slash command to `url`. */
export async function postSlashCommand(
  url: string,
  secret: string,
  fields: SlashCommandFields,
  options: SigningOptions = {},
): Promise<SlackAppResponse> {
  return postSigned(url, secret, slashCommandBody(fields), options);
}

/** POSTs a signed interaction (`payload=<json>`) to `url`. */
export async function postInteraction(
  url: string,
  secret: string,
  payload: Record<string, unknown>,
  options: SigningOptions = {},
): Promise<SlackAppResponse> {
  return postSigned(
    url,
    secret,
    new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
    options,
  );
}

/** A `block_actions` payload for a button click. */
export function buttonClickPayload(input: {
  readonly actionId: string;
  readonly value: string;
  readonly userId: string;
  readonly channelId: string;
  readonly responseUrl: string;
  /** The message the button is on (Slack sends it back with the click). @default none */
  readonly message?: { readonly text: string; readonly blocks: readonly unknown[] };
}): Record<string, unknown> {
  return {
    type: 'block_actions',
    team: { id: 'T0TEST0001', domain: 'wheelhouse-test' },
    user: {
      id: input.userId,
      username: input.userId.toLowerCase(),
      name: input.userId.toLowerCase(),
      team_id: 'T0TEST0001',
    },
    api_app_id: 'A0TEST0001',
    token: 'deprecated-verification-token',
    container: {
      type: 'message',
      message_ts: '1700000000.000100',
      channel_id: input.channelId,
      is_ephemeral: true,
    },
    trigger_id: '1.2.3',
    channel: { id: input.channelId, name: 'ops' },
    response_url: input.responseUrl,
    ...(input.message ? { message: { type: 'message', ts: '1700000000.000100', ...input.message } } : {}),
    actions: [
      {
        type: 'button',
        action_id: input.actionId,
        block_id: 'b1',
        text: { type: 'plain_text', text: 'Button' },
        value: input.value,
        action_ts: '1700000001.000200',
      },
    ],
  };
}

async function postSigned(
  url: string,
  secret: string,
  body: string,
  options: SigningOptions,
): Promise<SlackAppResponse> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const mode = options.signature ?? 'valid';
  if (mode !== 'omit') {
    Object.assign(
      headers,
      slackSignatureHeaders(mode === 'bad' ? `${secret}-wrong` : secret, body, options.timestamp),
    );
  }
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed, text };
}
