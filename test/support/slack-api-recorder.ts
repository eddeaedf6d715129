/**
 * A local stand-in for Slack's Web API and for `response_url`s: records every call, answers the
 * methods the bot uses with Slack-shaped bodies, and lets a test change any answer. Point the bot
 * at {@link SlackApiRecorder.apiUrl} (`SLACK_API_URL` / `clientOptions.slackApiUrl`).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One recorded Web API call. */
export interface RecordedApiCall {
  readonly method: string;
  /** Arguments, with JSON-valued form fields (blocks) parsed. */
  readonly args: Record<string, unknown>;
  /** The bearer token, so tests can check which one was used (never print it). */
  readonly token: string | null;
}

/** One recorded POST to a response_url. */
export interface RecordedResponse {
  readonly id: string;
  readonly body: Record<string, unknown>;
}

/** Answers one Web API method. */
export type ApiAnswer = (args: Record<string, unknown>) => Record<string, unknown>;

/** The recorder. */
export interface SlackApiRecorder {
  /** Base URL for the Web API client, ending with `/api/`. */
  readonly apiUrl: string;
  readonly calls: RecordedApiCall[];
  readonly responses: RecordedResponse[];
  /** A fresh response_url; what is posted to it is recorded under `id`. */
  responseUrl(id?: string): string;
  /** Replaces the answer of a method. */
  answer(method: string, answer: ApiAnswer): void;
  /** Sets who is in which user group, for `usergroups.users.list`. */
  setGroupMembers(groupId: string, users: readonly string[]): void;
  /** Calls of one method. */
  callsOf(method: string): RecordedApiCall[];
  /** Responses posted to one response_url id. */
  responsesTo(id: string): Record<string, unknown>[];
  /** Waits until `predicate` holds (polling), or fails after `timeoutMs`. */
  waitFor(predicate: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts a recorder on a free port of 127.0.0.1. */
export async function startSlackApiRecorder(): Promise<SlackApiRecorder> {
  const calls: RecordedApiCall[] = [];
  const responses: RecordedResponse[] = [];
  const groups = new Map<string, readonly string[]>();
  let ts = 1_700_000_000;
  let responseIds = 0;
  const answers = new Map<string, ApiAnswer>([
    ['auth.test', () => ({ ok: true, user_id: 'U0BOTUSER1', bot_id: 'B0BOT00001', team_id: 'T0TEST0001' })],
    ['chat.postMessage', (args) => ({ ok: true, channel: args.channel, ts: `${ts++}.000100` })],
    ['chat.update', (args) => ({ ok: true, channel: args.channel, ts: args.ts })],
    [
      'usergroups.users.list',
      (args) => {
        const members = groups.get(String(args.usergroup));
        return members ? { ok: true, users: members } : { ok: false, error: 'no_such_subteam' };
      },
    ],
  ]);

  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://localhost');
    res.setHeader('content-type', 'application/json');
    if (url.pathname.startsWith('/response/')) {
      const id = decodeURIComponent(url.pathname.slice('/response/'.length));
      responses.push({ id, body: JSON.parse(body || '{}') as Record<string, unknown> });
      res.end('{"ok":true}');
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      const method = url.pathname.slice('/api/'.length);
      const args = parseArgs(req.headers['content-type'] ?? '', body);
      const auth = req.headers.authorization;
      calls.push({ method, args, token: auth?.startsWith('Bearer ') ? auth.slice(7) : null });
      const answer = answers.get(method);
      res.end(JSON.stringify(answer ? answer(args) : { ok: false, error: 'unknown_method' }));
      return;
    }
    res.statusCode = 404;
    res.end('{"ok":false,"error":"not_found"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    apiUrl: `${base}/api/`,
    calls,
    responses,
    responseUrl(id) {
      return `${base}/response/${encodeURIComponent(id ?? `r${++responseIds}`)}`;
    },
    answer(method, answer) {
      answers.set(method, answer);
    },
    setGroupMembers(groupId, users) {
      groups.set(groupId, users);
    },
    callsOf(method) {
      return calls.filter((c) => c.method === method);
    },
    responsesTo(id) {
      return responses.filter((r) => r.id === id).map((r) => r.body);
    },
    async waitFor(predicate, timeoutMs = 5000, what = 'condition') {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseArgs(contentType: string, body: string): Record<string, unknown> {
  if (contentType.includes('application/json')) return JSON.parse(body || '{}') as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    args[key] = /^[[{]/.test(value) ? safeJson(value) : value;
  }
  return args;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
