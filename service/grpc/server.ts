import path from 'node:path';
import {
  status as GrpcStatus,
  type handleUnaryCall,
  loadPackageDefinition,
  Metadata,
  Server,
  type ServerUnaryCall,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { loadSync, type Options, type PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import { ErrorCode, ServiceError } from '../errors';
import type { ProtoGrpcType } from '../gen/notes';
import type { NotesServiceHandlers } from '../gen/wheelhouse/notes/v1/NotesService';
import type { NotesService } from '../notes/notes-service';
import { type Logger, requestLogger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { Readiness } from '../readiness';
import { requestIdFrom } from '../request-id';

/** Fully qualified name of the notes service, as health checks and reflection know it. */
export const NOTES_SERVICE_NAME = 'wheelhouse.notes.v1.NotesService';

/** The folder of the `.proto` files. */
export const PROTO_DIR = path.join(__dirname, '..', 'proto');

/** proto-loader options; `npm run service:proto` generates `service/gen/` with the same ones. */
export const PROTO_LOADER_OPTIONS: Options = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_DIR],
};

/** Loads the notes API and the health API, for serving, reflection and test clients. */
export function loadProtos(): { packageDefinition: PackageDefinition; proto: ProtoGrpcType } {
  const packageDefinition = loadSync(
    [path.join(PROTO_DIR, 'wheelhouse/notes/v1/notes.proto'), healthProtoPath],
    PROTO_LOADER_OPTIONS,
  );
  return { packageDefinition, proto: loadPackageDefinition(packageDefinition) as unknown as ProtoGrpcType };
}

/** Trailing metadata with the request id, which errors always carry. */
function requestIdTrailer(reqId: string): Metadata {
  const trailer = new Metadata();
  trailer.set('x-request-id', reqId);
  return trailer;
}

/** What the gRPC server needs. */
export interface GrpcServerOptions {
  readonly notes: NotesService;
  readonly readiness: Readiness;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Largest message accepted; larger ones are RESOURCE_EXHAUSTED (PAYLOAD_TOO_LARGE). */
  readonly maxMessageBytes: number;
}

/**
 * The gRPC server: `wheelhouse.notes.v1.NotesService`, `grpc.health.v1.Health` (NOT_SERVING while
 * draining) and server reflection. Not yet bound to a port.
 */
export function createGrpcServer(options: GrpcServerOptions): Server {
  const { notes, readiness, logger, metrics } = options;
  const { packageDefinition, proto } = loadProtos();
  const server = new Server({
    'grpc.max_receive_message_length': options.maxMessageBytes,
    'grpc.max_send_message_length': options.maxMessageBytes * 2,
    // Channelz (per-call counters and timestamps for the channelz service) is not served, so not kept.
    'grpc.enable_channelz': 0,
  });

  const health = new HealthImplementation({ '': 'SERVING', [NOTES_SERVICE_NAME]: 'SERVING' });
  readiness.onDraining(() => {
    health.setStatus('', 'NOT_SERVING');
    health.setStatus(NOTES_SERVICE_NAME, 'NOT_SERVING');
  });
  health.addToServer(server);
  new ReflectionService(packageDefinition).addToServer(server);

  /** Wraps one call: request id, the error table, the log line and the metrics. */
  function unary<Req, Res>(
    method: string,
    handle: (request: Req) => Promise<Res>,
  ): handleUnaryCall<Req, Res> {
    // Protocol and method are serialized once, not on every line.
    const log = requestLogger(logger, { protocol: 'grpc', method });
    const record = metrics.recorder('grpc', method);
    // Made once per method rather than as a closure per call.
    const finish = (started: number, reqId: string, status: string, code: string): void => {
      const durationMs = performance.now() - started;
      record(status, code, durationMs);
      log(reqId, status, code, durationMs);
    };
    return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
      const started = performance.now();
      const callerId = call.metadata.get('x-request-id')[0];
      const reqId = requestIdFrom(callerId);
      handle(call.request).then(
        (response) => {
          // A success carries the request id only when the caller chose one: trailing metadata on every
          // response costs about a fifth of a small call's server CPU (grpc-js and HTTP/2 framing; measured
          // with `npm run bench:service`), and the id of a call nobody named is in our log line anyway.
          if (callerId === reqId) callback(null, response, requestIdTrailer(reqId));
          else callback(null, response);
          finish(started, reqId, 'OK', 'ok');
        },
        (error: unknown) => {
          const serviceError = ServiceError.from(error);
          const trailer = requestIdTrailer(reqId);
          trailer.set('x-error-code', serviceError.code);
          if (serviceError.field !== undefined) trailer.set('x-error-field', serviceError.field);
          callback({ code: serviceError.mapping.grpc, details: serviceError.message, metadata: trailer });
          if (serviceError.code === ErrorCode.Internal || serviceError.code === ErrorCode.Unavailable) {
            logger.error({ reqId, err: serviceError.cause ?? serviceError }, serviceError.message);
          }
          finish(started, reqId, GrpcStatus[serviceError.mapping.grpc], serviceError.code);
        },
      );
    };
  }

  const handlers: NotesServiceHandlers = {
    CreateNote: unary('CreateNote', (request) => notes.create(request)),
    GetNote: unary('GetNote', (request) => notes.get(request)),
    ListNotes: unary('ListNotes', async (request) => {
      const page = await notes.list(request);
      return { notes: [...page.notes], nextCursor: page.nextCursor };
    }),
    UpdateNote: unary('UpdateNote', (request) => notes.update(request)),
    DeleteNote: unary('DeleteNote', async (request) => {
      await notes.delete(request);
      return {};
    }),
  };
  server.addService(proto.wheelhouse.notes.v1.NotesService.service, handlers);
  return server;
}
