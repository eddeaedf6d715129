import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Database } from '../db/database';
import { ErrorCode, ServiceError } from '../errors';
import type { NotesService } from '../notes/notes-service';
import { type Logger, requestLogger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { Readiness } from '../readiness';
import { requestIdFrom } from '../request-id';

/** A note as the API returns it: declared so that Fastify serializes it with a compiled serializer. */
const NOTE_SCHEMA = {
  type: 'object',
  required: ['id', 'title', 'body', 'version', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'string' },
    title: { type: 'string' },
    body: { type: 'string' },
    version: { type: 'integer' },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
  },
} as const;

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

/** The Fastify instance of {@link createHttpServer}. */
export type HttpServer = FastifyInstance<Server, IncomingMessage, ServerResponse>;

function jsonObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ServiceError(ErrorCode.InvalidArgument, 'the request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

/**
 * The HTTP JSON API under `/v1/notes`, and `/healthz` and `/readyz` (Fastify).
 *
 * Every error, the framework's own included (malformed JSON, body too large, unknown route), goes through
 * {@link ServiceError.from} and the one error table.
 */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { notes, database, readiness, metrics, logger } = options;
  // Fastify gets no logger: a child logger per request costs more than the one line per request that the
  // onResponse hook of each API route (see `operation` below) writes itself, with the request id, the
  // operation and the error code.
  const app = Fastify({
    bodyLimit: options.maxBodyBytes,
    genReqId: (request: IncomingMessage) => requestIdFrom(request.headers['x-request-id']),
    // Longer than the load balancer's idle timeout (60 s), so the balancer, not us, closes idle connections.
    keepAliveTimeout: 65_000,
    // While draining, requests that still arrive on open connections are served (with Connection: close).
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // Bodies are plain JSON.parse'd: zod then keeps only the known fields, so a `__proto__` key goes nowhere.
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
  });

  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });

  /**
   * The route options of one API operation: its onResponse hook writes the request's metric and log line.
   * A hook per route knows its operation without asking Fastify (`request.routeOptions` is built anew on
   * every access), and logs through a child logger whose protocol and method are serialized once.
   */
  function operation(method: string) {
    const log = requestLogger(logger, { protocol: 'http', method });
    const onResponse = (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      done();
      const status = reply.statusCode;
      const durationMs = reply.elapsedTime;
      const code =
        status < 400 ? 'ok' : ((reply.getHeader('x-error-code') as string | undefined) ?? 'internal');
      metrics.request({ protocol: 'http', method, status: String(status), code, durationMs });
      log(request.id, status, code, durationMs);
    };
    return { onResponse };
  }

  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const serviceError = ServiceError.from(error);
    if (serviceError.code === ErrorCode.Internal || serviceError.code === ErrorCode.Unavailable) {
      logger.error({ reqId: request.id, err: serviceError.cause ?? serviceError }, serviceError.message);
    }
    return reply
      .status(serviceError.mapping.http)
      .header('x-error-code', serviceError.code)
      .send(serviceError.toBody(request.id));
  });

  app.setNotFoundHandler((request, reply) => {
    const error = new ServiceError(
      ErrorCode.NotFound,
      `no route for ${request.method} ${request.url.split('?')[0]}`,
    );
    return reply.status(error.mapping.http).header('x-error-code', error.code).send(error.toBody(request.id));
  });

  // Liveness, what the load balancers check: never the database, so that an outage of it does not make
  // ECS replace every task (readiness for traffic is `/readyz`, and each request answers 503 fast).
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    if (readiness.isDraining) return reply.status(503).send({ status: 'draining' });
    if (!(await database.ping())) return reply.status(503).send({ status: 'database unreachable' });
    return { status: 'ready' };
  });

  app.post(
    '/v1/notes',
    { ...operation('CreateNote'), schema: { response: { 201: NOTE_SCHEMA } } },
    async (request, reply) => {
      const key = request.headers['idempotency-key'];
      const note = await notes.create({ ...jsonObject(request.body), idempotencyKey: key });
      return reply.status(201).header('location', `/v1/notes/${note.id}`).send(note);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/notes/:id',
    { ...operation('GetNote'), schema: { response: { 200: NOTE_SCHEMA } } },
    async (request) => notes.get({ id: request.params.id }),
  );

  app.get('/v1/notes', operation('ListNotes'), async (request) => notes.list(request.query));

  app.put<{ Params: { id: string } }>(
    '/v1/notes/:id',
    { ...operation('UpdateNote'), schema: { response: { 200: NOTE_SCHEMA } } },
    async (request) => notes.update({ ...jsonObject(request.body), id: request.params.id }),
  );

  app.delete<{ Params: { id: string } }>('/v1/notes/:id', operation('DeleteNote'), async (request, reply) => {
    await notes.delete({ id: request.params.id });
    return reply.status(204).send();
  });

  return app;
}
