import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Database } from '../db/database';
import { ErrorCode, ServiceError } from '../errors';
import type { NotesService } from '../notes/notes-service';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { Readiness } from '../readiness';
import { requestIdFrom } from '../request-id';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The API operation, named as on gRPC, for logs and metrics. */
    operation?: string;
  }
}

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
  // onResponse hook below writes itself, with the request id, the operation and the error code.
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

  app.addHook('onResponse', (request, reply, done) => {
    done();
    const operation = request.routeOptions.config.operation;
    if (operation === undefined) return;
    const status = reply.statusCode;
    const durationMs = reply.elapsedTime;
    const code =
      status < 400 ? 'ok' : ((reply.getHeader('x-error-code') as string | undefined) ?? 'internal');
    metrics.request({ protocol: 'http', method: operation, status: String(status), code, durationMs });
    logger.info(
      {
        reqId: request.id,
        protocol: 'http',
        method: operation,
        status,
        code,
        durationMs: Math.round(durationMs * 100) / 100,
      },
      'request',
    );
  });

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

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    if (readiness.isDraining) return reply.status(503).send({ status: 'draining' });
    if (!(await database.ping())) return reply.status(503).send({ status: 'database unreachable' });
    return { status: 'ready' };
  });

  app.post('/v1/notes', { config: { operation: 'CreateNote' } }, async (request, reply) => {
    const key = request.headers['idempotency-key'];
    const note = await notes.create({ ...jsonObject(request.body), idempotencyKey: key });
    return reply.status(201).header('location', `/v1/notes/${note.id}`).send(note);
  });

  app.get<{ Params: { id: string } }>(
    '/v1/notes/:id',
    { config: { operation: 'GetNote' } },
    async (request) => notes.get({ id: request.params.id }),
  );

  app.get('/v1/notes', { config: { operation: 'ListNotes' } }, async (request) => notes.list(request.query));

  app.put<{ Params: { id: string } }>(
    '/v1/notes/:id',
    { config: { operation: 'UpdateNote' } },
    async (request) => notes.update({ ...jsonObject(request.body), id: request.params.id }),
  );

  app.delete<{ Params: { id: string } }>(
    '/v1/notes/:id',
    { config: { operation: 'DeleteNote' } },
    async (request, reply) => {
      await notes.delete({ id: request.params.id });
      return reply.status(204).send();
    },
  );

  return app;
}
