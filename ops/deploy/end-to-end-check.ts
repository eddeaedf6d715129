/**
 * A request end to end to the endpoint clients use, with TLS hostname verification on (Node's
 * default: the certificate must name the host connected to, RFC 6125 as `tls.checkServerIdentity`
 * does). HTTP: `GET /healthz` must answer 200. gRPC: the standard health check
 * (`grpc.health.v1.Health/Check`, https://github.com/grpc/grpc/blob/master/doc/health-checking.md)
 * over HTTP/2, TLS when the endpoint has a domain (ALB gRPC listener), cleartext (h2c) through the
 * NLB otherwise; its length-prefixed protobuf is small enough to write here, which lets the check
 * pin name resolution (tests) the same way for both protocols.
 *
 * A place that cannot reach the endpoint (no route, a security group dropping the packets: the
 * TCP connection never opens) reports `not-checked`, not a failure; anything after the connection
 * opened (TLS verification, a refused connection, a bad status) is a failure.
 */
import type { LookupFunction } from 'node:net';
import * as net from 'node:net';
import * as tls from 'node:tls';

/** Deadline of each request. */
const TIMEOUT_MS = 5_000;

/** Errors that mean the TCP connection could not be opened from here at all. */
const UNREACHABLE = new Set(['ETIMEDOUT', 'ENETUNREACH', 'EHOSTUNREACH', 'EACCES', 'EPERM']);

/** How an end-to-end request reaches the endpoint. */
export interface EndToEndOptions {
  /**
   * TCP ports this place may connect out on, or null for any. A port outside the list is not
   * tried: `not-checked` (the bot's tasks: BOT_EGRESS_PORTS, their security group's egress rules).
   */
  readonly egressPorts: readonly number[] | null;
  /** Resolves host names (tests pin names to 127.0.0.1). @default the system's resolver */
  readonly lookup?: LookupFunction;
  /** Trusted CAs (tests: a local CA). @default Node's bundled CAs */
  readonly ca?: string | Buffer;
}

/** An end-to-end result. */
export interface EndToEndResult {
  readonly status: 'ok' | 'failed' | 'not-checked';
  readonly detail: string;
}

/** `GET <endpoint>/healthz` (`http://` or `https://`) must answer 200. */
export async function checkHttpEndToEnd(endpoint: string, options: EndToEndOptions): Promise<EndToEndResult> {
  const url = new URL(`${endpoint.replace(/\/+$/, '')}/healthz`);
  const secure = url.protocol === 'https:';
  const port = Number(url.port || (secure ? 443 : 80));
  const what = `GET ${url.href}`;
  const blocked = notReachable(port, options);
  if (blocked) return { status: 'not-checked', detail: `${what}: ${blocked}` };
  const { request } = secure ? await import('node:https') : await import('node:http');
  return new Promise<EndToEndResult>((resolve) => {
    let connected = false;
    const req = request(
      url,
      {
        method: 'GET',
        agent: false,
        lookup: options.lookup,
        ca: options.ca,
        timeout: TIMEOUT_MS,
      },
      (res) => {
        res.resume();
        resolve({ status: res.statusCode === 200 ? 'ok' : 'failed', detail: `${what}: ${res.statusCode}` });
      },
    );
    req.on('socket', (socket) => socket.once('connect', () => (connected = true)));
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', (error) => resolve(classify(what, error, connected)));
    req.end();
  });
}

/** `grpc.health.v1.Health/Check` of the whole server (`host:port`) must answer SERVING. */
export async function checkGrpcEndToEnd(
  endpoint: string,
  secure: boolean,
  options: EndToEndOptions,
): Promise<EndToEndResult> {
  const { host, port } = splitHostPort(endpoint);
  const what = `grpc.health.v1.Health/Check ${endpoint}${secure ? ' (TLS)' : ''}`;
  const blocked = notReachable(port, options);
  if (blocked) return { status: 'not-checked', detail: `${what}: ${blocked}` };
  const http2 = await import('node:http2');
  return new Promise<EndToEndResult>((resolve) => {
    let connected = false;
    let settled = false;
    const done = (result: EndToEndResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.destroy();
      resolve(result);
    };
    const session = http2.connect(`${secure ? 'https' : 'http'}://${host}:${port}`, {
      createConnection: () => {
        const socket = secure
          ? tls.connect({
              host,
              port,
              servername: host,
              ca: options.ca,
              lookup: options.lookup,
              ALPNProtocols: ['h2'],
            })
          : net.connect({ host, port, lookup: options.lookup });
        socket.once('connect', () => (connected = true));
        return socket;
      },
    });
    const timer = setTimeout(
      () => done(classify(what, Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }), connected)),
      TIMEOUT_MS,
    );
    session.on('error', (error) => done(classify(what, error, connected)));
    const stream = session.request({
      ':method': 'POST',
      ':path': '/grpc.health.v1.Health/Check',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    const chunks: Buffer[] = [];
    let headers: Record<string, unknown> = {};
    stream.on('response', (h) => (headers = h));
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('trailers', (trailers) => (headers = { ...headers, ...trailers }));
    stream.on('error', (error) => done(classify(what, error, connected)));
    stream.on('end', () => {
      const grpcStatus = String(headers['grpc-status'] ?? '');
      if (grpcStatus !== '0') {
        const message = headers['grpc-message']
          ? ` ${decodeURIComponent(String(headers['grpc-message']))}`
          : '';
        done({
          status: 'failed',
          detail: `${what}: HTTP ${headers[':status'] ?? '?'}, grpc-status ${grpcStatus || 'missing'}${message}`,
        });
        return;
      }
      const status = servingStatus(Buffer.concat(chunks));
      done({ status: status === 'SERVING' ? 'ok' : 'failed', detail: `${what}: ${status}` });
    });
    // An empty HealthCheckRequest (service ""): one uncompressed message of length 0.
    stream.end(Buffer.from([0, 0, 0, 0, 0]));
  });
}

/** HealthCheckResponse.ServingStatus names (field 1, an enum; absent means 0, UNKNOWN). */
const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

/** Reads the status of one length-prefixed HealthCheckResponse. */
function servingStatus(frame: Buffer): string {
  if (frame.length < 5 || frame[0] !== 0) return 'MALFORMED';
  const message = frame.subarray(5, 5 + frame.readUInt32BE(1));
  // Field 1, wire type 0 (varint): tag byte 0x08; the enum's values fit one byte.
  const index = message.indexOf(0x08);
  const value = index >= 0 && index + 1 < message.length ? message[index + 1]! : 0;
  return SERVING_STATUS[value] ?? `status ${value}`;
}

function notReachable(port: number, options: EndToEndOptions): string | null {
  if (options.egressPorts === null || options.egressPorts.includes(port)) return null;
  return `not checked from here: egress is allowed on ${options.egressPorts.join(', ')} only`;
}

function classify(what: string, error: unknown, connected: boolean): EndToEndResult {
  const code = (error as { code?: string }).code ?? '';
  const message = error instanceof Error ? error.message.slice(0, 200) : String(error);
  if (!connected && UNREACHABLE.has(code)) {
    return { status: 'not-checked', detail: `${what}: not checked from here: cannot connect (${message})` };
  }
  return { status: 'failed', detail: `${what}: ${message}` };
}

function splitHostPort(endpoint: string): { host: string; port: number } {
  const match = /^(.+):(\d+)$/.exec(endpoint);
  if (!match) throw new Error(`gRPC endpoint "${endpoint}" is not host:port`);
  return { host: match[1]!, port: Number(match[2]) };
}
