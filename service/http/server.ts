import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { Database } from '../db/database';
import { ErrorCode, ServiceError } from '../errors';
import type { NotesService } from '../notes/notes-service';
import { type Logger, type RequestLog, requestLogger } from '../observability/logger';
import type { Metrics, RequestRecorder } from '../observability/metrics';
import type { Readiness } from '../readiness';
import { requestIdFrom } from '../request-id';
import { readJsonBody } from './json-body';

/** What the HTTP server needs. */
export interface HttpServerOptions {
  readonly notes: NotesService;
  readonly database: Database;
  readonly readiness: Readiness;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Largest body accepted; larger ones are PAYLOAD_TOO_LARGE (413). */
  readonly maxBodyBytes: number;
}

/** The HTTP server of {@link createHttpServer}. */
export interface HttpServer {
  /** The node:http server (its address once listening; `closeAllConnections` past the drain deadline). */
  readonly server: Server;
  /** Starts listening. */
  listen(options: { readonly host: string; readonly port: number }): Promise<void>;
  /**
   * Stops accepting connections and closes the idle ones; requests in flight, and any that still arrive on
   * open connections, are served with `Connection: close`. Resolves once every connection has closed.
   */
  close(): Promise<void>;
}

/** What an operation answers: a status and, but for 204, a JSON body. */
interface Outcome {
  readonly status: number;
  readonly json?: string;
  /** The `Location` header, for a 201. */
  readonly location?: string;
}

/** One API operation: its log line writer and metrics recorder (named as the gRPC method), its handler. */
interface Operation {
  readonly log: RequestLog;
  readonly record: RequestRecorder;
  /** `param` is the decoded `{id}` of the path, `query` the raw query string (without `?`). */
  readonly handle: (request: IncomingMessage, param: string, query: string) => Promise<Outcome>;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const NOTES_PATH = '/v1/notes';
const NOTE_PATH_PREFIX = '/v1/notes/';
const HEALTHY = JSON.stringify({ status: 'ok' });
const READY = JSON.stringify({ status: 'ready' });
const DRAINING = JSON.stringify({ status: 'draining' });
const DATABASE_UNREACHABLE = JSON.stringify({ status: 'database unreachable' });

function jsonObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ServiceError(ErrorCode.InvalidArgument, 'the request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

/** The `{id}` segment of a path, percent-decoded; as it came if it does not decode (validation says why). */
function pathParam(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The HTTP JSON API under `/v1/notes`, and `/healthz` and `/readyz`, on plain node:http.
 *
 * Seven routes need no framework: Fastify's generic request path (hooks, routing, body parsing, reply)
 * cost about 28 µs of CPU per write, most of the gap to the plain server of bench/service-baseline.ts
 * (CPU profiles of `npm run bench:service`, README "Benchmarks"). What it did for us is done here, once:
 * the request id (a caller's own `X-Request-Id` kept, else a new one, echoed on every response), the
 * body limit and JSON parsing ({@link readJsonBody}), HEAD on every GET route, the one log line and the
 * metrics of each API request, and every error (not found, bad body, too large, anything thrown) through
 * {@link ServiceError.from} and the one error table.
 *
 * A known path with a method it has no route for is a 404, not a 405, as it was with Fastify: the error
 * table has no code for it. A body in another content type than JSON is a 400 (Fastify's 415 went through
 * the same table to a 400). node:http's `requestTimeout` applies (a whole request within 300 s), which
 * Fastify had turned off; `headersTimeout` (60 s) as before.
 */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { notes, database, readiness, metrics, logger, maxBodyBytes } = options;
  let closing = false;

  /** An API operation; its log writer and metrics recorder are made once, for its method. */
  function operation(method: string, handle: Operation['handle']): Operation {
    return {
      log: requestLogger(logger, { protocol: 'http', method }),
      record: metrics.recorder('http', method),
      handle,
    };
  }

  const createNote = operation('CreateNote', async (request) => {
    // The parsed body is this request's own: the header's key is set on it rather than on a copy.
    const input = jsonObject(await readJsonBody(request, maxBodyBytes));
    input.idempotencyKey = request.headers['idempotency-key'];
    const note = await notes.create(input);
    return { status: 201, json: JSON.stringify(note), location: `${NOTE_PATH_PREFIX}${note.id}` };
  });
  const listNotes = operation('ListNotes', async (_request, _param, query) => ({
    status: 200,
    json: JSON.stringify(await notes.list(parseQuery(query))),
  }));
  const getNote = operation('GetNote', async (_request, id) => ({
    status: 200,
    json: JSON.stringify(await notes.get({ id })),
  }));
  const updateNote = operation('UpdateNote', async (request, id) => {
    const input = jsonObject(await readJsonBody(request, maxBodyBytes));
    input.id = id;
    return { status: 200, json: JSON.stringify(await notes.update(input)) };
  });
  const deleteNote = operation('DeleteNote', async (_request, id) => {
    await notes.delete({ id });
    return { status: 204 };
  });

  /** The operations of `/v1/notes` and of `/v1/notes/{id}`, by HTTP method. */
  const collectionRoutes = new Map([
    ['POST', createNote],
    ['GET', listNotes],
  ]);
  const noteRoutes = new Map([
    ['GET', getNote],
    ['PUT', updateNote],
    ['DELETE', deleteNote],
  ]);

  /** Writes a response; from the drain on, with `Connection: close`, so that open connections close too. */
  function send(
    response: ServerResponse,
    reqId: string,
    status: number,
    json: string | undefined,
    location?: string,
    errorCode?: ErrorCode,
  ): void {
    const headers: Record<string, string | number> =
      json === undefined
        ? { 'x-request-id': reqId }
        : { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(json), 'x-request-id': reqId };
    if (location !== undefined) headers.location = location;
    if (errorCode !== undefined) headers['x-error-code'] = errorCode;
    if (closing) headers.connection = 'close';
    response.writeHead(status, headers);
    response.end(json);
  }

  /** Answers with the error table's status and body; internal and unavailable errors are logged too. */
  function sendError(response: ServerResponse, reqId: string, error: unknown): ServiceError {
    const serviceError = ServiceError.from(error);
    if (serviceError.code === ErrorCode.Internal || serviceError.code === ErrorCode.Unavailable) {
      logger.error({ reqId, err: serviceError.cause ?? serviceError }, serviceError.message);
    }
    const body = JSON.stringify(serviceError.toBody(reqId));
    send(response, reqId, serviceError.mapping.http, body, undefined, serviceError.code);
    return serviceError;
  }

  /**
   * What failed while answering (nothing should: the values written are all checked before), logged rather
   * than left as an unhandled rejection, which would end the process and every request in it.
   */
  function answerFailed(error: unknown): void {
    logger.error({ err: error }, 'http: writing an answer failed');
  }

  /** Runs an API operation: its answer or its error, then its metric and its one log line. */
  function serve(
    op: Operation,
    request: IncomingMessage,
    response: ServerResponse,
    reqId: string,
    started: number,
    param: string,
    query: string,
  ): void {
    op.handle(request, param, query)
      .then(
        (outcome) => {
          send(response, reqId, outcome.status, outcome.json, outcome.location);
          const durationMs = performance.now() - started;
          op.record(outcome.status, 'ok', durationMs);
          op.log(reqId, outcome.status, 'ok', durationMs);
        },
        (error: unknown) => {
          const serviceError = sendError(response, reqId, error);
          const status = serviceError.mapping.http;
          const durationMs = performance.now() - started;
          op.record(status, serviceError.code, durationMs);
          op.log(reqId, status, serviceError.code, durationMs);
        },
      )
      .catch(answerFailed);
  }

  // Liveness, what the load balancers check: never the database, so that an outage of it does not make
  // ECS replace every task (readiness for traffic is `/readyz`, and each request answers 503 fast).
  function readyz(response: ServerResponse, reqId: string): void {
    if (readiness.isDraining) {
      send(response, reqId, 503, DRAINING);
      return;
    }
    database
      .ping()
      .then(
        (reachable) => send(response, reqId, reachable ? 200 : 503, reachable ? READY : DATABASE_UNREACHABLE),
        (error: unknown) => sendError(response, reqId, error),
      )
      .catch(answerFailed);
  }

  /** The operation or endpoint of a request, by path and method. */
  function route(request: IncomingMessage, response: ServerResponse): void {
    const started = performance.now();
    const reqId = requestIdFrom(request.headers['x-request-id']);
    const url = request.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    // node:http drops the body in answer to HEAD (while `rejectNonStandardBodyWrites` is off, its default) and
    // sends the headers a GET would have, Content-Length included.
    const method = request.method === 'HEAD' ? 'GET' : (request.method ?? '');
    let op: Operation | undefined;
    let param = '';
    if (path === NOTES_PATH) {
      op = collectionRoutes.get(method);
    } else if (path.startsWith(NOTE_PATH_PREFIX) && !path.includes('/', NOTE_PATH_PREFIX.length)) {
      param = pathParam(path.slice(NOTE_PATH_PREFIX.length));
      op = noteRoutes.get(method);
    } else if (method === 'GET' && path === '/healthz') {
      send(response, reqId, 200, HEALTHY);
      return;
    } else if (method === 'GET' && path === '/readyz') {
      readyz(response, reqId);
      return;
    }
    if (op === undefined) {
      sendError(
        response,
        reqId,
        new ServiceError(ErrorCode.NotFound, `no route for ${request.method} ${path}`),
      );
      return;
    }
    serve(op, request, response, reqId, started, param, q === -1 ? '' : url.slice(q + 1));
  }

  const server = createServer((request, response) => {
    try {
      route(request, response);
    } catch (error) {
      // Nothing above throws by design; should it, the caller still gets the error table's 500.
      if (!response.headersSent) sendError(response, requestIdFrom(undefined), error);
    }
  });
  // Longer than the load balancer's idle timeout (60 s), so the balancer, not us, closes idle connections.
  server.keepAliveTimeout = 65_000;

  return {
    server,
    listen: ({ host, port }) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.removeListener('error', reject);
          resolve();
        });
      }),
    close: () => {
      closing = true;
      // Since Node 19, close() also closes the connections that are idle (no request in flight).
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
