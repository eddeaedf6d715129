/**
 * An HTTP proxy on a free port of 127.0.0.1 that forwards every request to one target (moto_server) and
 * keeps each request and answer as they went over the wire: what the SDK sent, not what it was asked to
 * send. For what a fake does not echo back (moto ignores AssumeRole's SourceIdentity and Tags).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One exchange, as it crossed the proxy. */
export interface ProxiedExchange {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The request body, as text. */
  readonly body: string;
  readonly status: number;
  /** The answer's body, as text. */
  readonly answer: string;
}

// Hop-by-hop headers, and the ones fetch sets itself from what it sends.
const NOT_FORWARDED = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);
// fetch decodes the answer: its encoding and length no longer describe what is passed on.
const NOT_RETURNED = new Set(['content-encoding', 'content-length', 'transfer-encoding', 'connection']);

/** A running proxy. */
export class RecordingProxy {
  /** Every exchange, in the order the answers came back. */
  readonly exchanges: ProxiedExchange[] = [];

  private constructor(
    private readonly server: Server,
    /** `http://127.0.0.1:<port>`: the endpoint clients use. */
    readonly url: string,
  ) {}

  /** Starts a proxy to `target` (`http://host:port`). */
  static async start(target: string): Promise<RecordingProxy> {
    let proxy: RecordingProxy | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const headers = new Headers();
        for (const [name, value] of Object.entries(req.headers)) {
          if (value === undefined || NOT_FORWARDED.has(name)) continue;
          headers.set(name, Array.isArray(value) ? value.join(', ') : value);
        }
        const method = req.method ?? 'GET';
        fetch(`${target}${req.url ?? '/'}`, {
          method,
          headers,
          body: method === 'GET' || method === 'HEAD' ? undefined : body,
        })
          .then(async (response) => {
            const answer = Buffer.from(await response.arrayBuffer());
            proxy!.exchanges.push({
              method,
              path: req.url ?? '/',
              headers: req.headers,
              body: body.toString('utf8'),
              status: response.status,
              answer: answer.toString('utf8'),
            });
            const returned: Record<string, string> = {};
            response.headers.forEach((value, name) => {
              if (!NOT_RETURNED.has(name)) returned[name] = value;
            });
            res.writeHead(response.status, returned);
            res.end(answer);
          })
          .catch((error: unknown) => {
            res.writeHead(502, { 'content-type': 'text/plain' });
            res.end(`recording proxy: ${error instanceof Error ? error.message : String(error)}`);
          });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    proxy = new RecordingProxy(server, `http://127.0.0.1:${port}`);
    return proxy;
  }

  /** Stops listening and closes open connections. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
