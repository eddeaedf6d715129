import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Server as GrpcServer, ServerCredentials } from '@grpc/grpc-js';
import type { ServiceOptions } from './config';
import { Database } from './db/database';
import { createGrpcServer } from './grpc/server';
import { createHttpServer, type HttpServer } from './http/server';
import { NotesService } from './notes/notes-service';
import type { Logger } from './observability/logger';
import type { Metrics } from './observability/metrics';
import { Readiness } from './readiness';

/** A started service. */
export interface RunningService {
  /** The bound HTTP port (useful with `PORT=0`). */
  readonly httpPort: number;
  /** The bound gRPC port (useful with `GRPC_PORT=0`). */
  readonly grpcPort: number;
  /** Shared readiness; draining flips both protocols' health. */
  readonly readiness: Readiness;
  /**
   * Drains and stops: not ready at once, keeps serving for `shutdownDelayMs` so the load balancer stops
   * sending, stops accepting, finishes in-flight calls, then closes the pools. Within `shutdownTimeoutMs`.
   *
   * @returns whether everything in flight finished before the deadline
   */
  shutdown(): Promise<boolean>;
}

/** Everything {@link startService} needs besides the options. */
export interface ServiceDependencies {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** Starts the HTTP and gRPC servers on one data layer. Migrations are the caller's business. */
export async function startService(
  options: ServiceOptions,
  deps: ServiceDependencies,
): Promise<RunningService> {
  const { logger, metrics } = deps;
  const database = new Database(options.database, logger, metrics);
  database.reportPoolStats();
  const notes = new NotesService(database);
  const readiness = new Readiness();
  const http = createHttpServer({
    notes,
    database,
    readiness,
    logger,
    metrics,
    maxBodyBytes: options.maxBodyBytes,
  });
  const grpc = createGrpcServer({ notes, readiness, logger, metrics, maxMessageBytes: options.maxBodyBytes });

  const grpcPort = await new Promise<number>((resolve, reject) =>
    grpc.bindAsync(
      `${options.host}:${options.grpcPort}`,
      ServerCredentials.createInsecure(),
      (error, port) => (error ? reject(error) : resolve(port)),
    ),
  );
  // HTTP last: once /healthz answers, gRPC is bound too.
  await http.listen({ host: options.host, port: options.httpPort });
  const httpPort = (http.server.address() as AddressInfo).port;
  logger.info({ httpPort, grpcPort, metrics: metrics.enabled }, 'service: listening');
  logger.flush();

  let stopping: Promise<boolean> | undefined;
  return {
    httpPort,
    grpcPort,
    readiness,
    shutdown() {
      stopping ??= drain(options, { http, grpc, database, readiness, logger, metrics });
      return stopping;
    },
  };
}

async function drain(
  options: ServiceOptions,
  parts: {
    http: HttpServer;
    grpc: GrpcServer;
    database: Database;
    readiness: Readiness;
    logger: Logger;
    metrics: Metrics;
  },
): Promise<boolean> {
  const { http, grpc, database, readiness, logger, metrics } = parts;
  const deadline = Date.now() + options.shutdownTimeoutMs;
  logger.info(
    { delayMs: options.shutdownDelayMs, timeoutMs: options.shutdownTimeoutMs },
    'service: draining',
  );
  readiness.startDraining();
  logger.flush();
  await sleep(Math.min(options.shutdownDelayMs, options.shutdownTimeoutMs / 2));

  const closed = Promise.all([
    http.close(),
    new Promise<void>((resolve) => grpc.tryShutdown(() => resolve())),
  ]).then(() => true);
  const timer = sleep(Math.max(0, deadline - Date.now()), false, { ref: false });
  const clean = await Promise.race([closed, timer]);
  if (!clean) {
    logger.warn('service: drain deadline passed; closing the remaining connections');
    grpc.forceShutdown();
    http.server.closeAllConnections();
  }
  await database
    .end()
    .catch((error: unknown) => logger.warn({ err: error }, 'service: closing the pools failed'));
  await metrics.close();
  logger.info({ clean }, 'service: stopped');
  await new Promise<void>((resolve) => logger.flush(() => resolve()));
  return clean;
}
