/**
 * A tiny local HTTP server for protocol fakes: JSON in, JSON out, a request log, and injected
 * failures, on a free port of 127.0.0.1. The Datadog and PagerDuty fakes are built on it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the fake saw it. */
export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly body: unknown;
}

/** What a route handler returns: a status, a JSON body (or none) and extra headers. */
export interface FakeResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A route: method, a path pattern with `:param` segments, and its handler. */
export interface FakeRoute {
  readonly method: string;
  readonly pattern: string;
  handle(request: RecordedRequest, params: Readonly<Record<string, string>>): FakeResponse;
}

/** An injected failure: answer the next `count` requests with `status` (or hang for `delayMs`). */
interface Fault {
  count: number;
  readonly status: number;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
  readonly delayMs: number;
}

/** A running fake server. */
export class HttpFake {
  /** Every request received, in order. */
  readonly requests: RecordedRequest[] = [];
  private readonly faults: Fault[] = [];

  private constructor(
    private readonly server: Server,
    /** Base URL, e.g. `http://127.0.0.1:41234`. */
    readonly url: string,
  ) {}

  /** Starts a server for `routes`; `guard` runs first (auth) and may answer instead of the route. */
  static async start(
    routes: readonly FakeRoute[],
    guard: (request: RecordedRequest) => FakeResponse | null = () => null,
  ): Promise<HttpFake> {
    let fake: HttpFake | undefined;
    const server = createServer((req, res) => {
      void fake!.serve(req, res, routes, guard);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    fake = new HttpFake(server, `http://127.0.0.1:${port}`);
    return fake;
  }

  /** Answers the next `count` requests with `status` instead of handling them. */
  failNext(
    count: number,
    status: number,
    body: unknown = { errors: ['Internal Server Error'] },
    headers = {},
  ): void {
    this.faults.push({ count, status, body, headers, delayMs: 0 });
  }

  /** Delays the next `count` requests by `delayMs` before handling them (to test timeouts). */
  delayNext(count: number, delayMs: number): void {
    this.faults.push({ count, status: 0, body: null, headers: {}, delayMs });
  }

  /** The requests that changed something (not GET). */
  writes(): readonly RecordedRequest[] {
    return this.requests.filter((r) => r.method !== 'GET');
  }

  /** Stops the server and drops open connections. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(
    req: IncomingMessage,
    res: ServerResponse,
    routes: readonly FakeRoute[],
    guard: (request: RecordedRequest) => FakeResponse | null,
  ): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: text ? safeJson(text) : null,
    };
    this.requests.push(request);
    const fault = this.faults[0];
    if (fault) {
      fault.count -= 1;
      if (fault.count <= 0) this.faults.shift();
      if (fault.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      else return send(res, { status: fault.status, body: fault.body, headers: fault.headers });
    }
    const denied = guard(request);
    if (denied) return send(res, denied);
    for (const route of routes) {
      if (route.method !== request.method) continue;
      const params = match(route.pattern, request.path);
      if (params) return send(res, route.handle(request, params));
    }
    send(res, { status: 404, body: { errors: [`no route for ${request.method} ${request.path}`] } });
  }
}

function send(res: ServerResponse, response: FakeResponse): void {
  if (res.destroyed) return;
  const body = response.body === undefined ? '' : JSON.stringify(response.body);
  res.writeHead(response.status, {
    ...(body ? { 'content-type': 'application/json' } : {}),
    ...response.headers,
  });
  res.end(body);
}

function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(':')) params[w.slice(1)] = decodeURIComponent(g);
    else if (w !== g) return null;
  }
  return params;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
