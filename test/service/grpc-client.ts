import path from 'node:path';
import { credentials, loadPackageDefinition, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { CreateNoteRequest } from '../../service/gen/wheelhouse/notes/v1/CreateNoteRequest';
import type { DeleteNoteRequest } from '../../service/gen/wheelhouse/notes/v1/DeleteNoteRequest';
import type { DeleteNoteResponse__Output } from '../../service/gen/wheelhouse/notes/v1/DeleteNoteResponse';
import type { GetNoteRequest } from '../../service/gen/wheelhouse/notes/v1/GetNoteRequest';
import type { ListNotesRequest } from '../../service/gen/wheelhouse/notes/v1/ListNotesRequest';
import type { ListNotesResponse__Output } from '../../service/gen/wheelhouse/notes/v1/ListNotesResponse';
import type { Note__Output } from '../../service/gen/wheelhouse/notes/v1/Note';
import type { NotesServiceClient } from '../../service/gen/wheelhouse/notes/v1/NotesService';
import type { UpdateNoteRequest } from '../../service/gen/wheelhouse/notes/v1/UpdateNoteRequest';
import { loadProtos } from '../../service/grpc/server';

/** A notes client on its own channel, from the same .proto the server loads. */
export function notesClient(target: string): NotesServiceClient {
  const { proto } = loadProtos();
  return new proto.wheelhouse.notes.v1.NotesService(target, credentials.createInsecure());
}

/** The outcome of one unary call: a response, or the gRPC error. */
export type Outcome<T> = { ok: true; value: T; trailer: Metadata } | { ok: false; error: ServiceError };

/** Request and response types of each NotesService method, from the generated code. */
export interface NotesMethods {
  CreateNote: [CreateNoteRequest, Note__Output];
  GetNote: [GetNoteRequest, Note__Output];
  ListNotes: [ListNotesRequest, ListNotesResponse__Output];
  UpdateNote: [UpdateNoteRequest, Note__Output];
  DeleteNote: [DeleteNoteRequest, DeleteNoteResponse__Output];
}

type GenericUnary = (
  request: unknown,
  metadata: Metadata,
  options: { deadline: Date },
  callback: (error: ServiceError | null, response?: unknown) => void,
) => { on(event: 'status', listener: (s: { metadata: Metadata }) => void): unknown };

/** Calls a unary method and never throws; the trailer comes with a success. */
export function unary<M extends keyof NotesMethods>(
  client: NotesServiceClient,
  method: M,
  request: NotesMethods[M][0],
  metadata: Metadata = new Metadata(),
  deadlineMs = 10_000,
): Promise<Outcome<NotesMethods[M][1]>> {
  return new Promise((resolve) => {
    let result: { error: ServiceError | null; response?: unknown } | undefined;
    let trailer: Metadata | undefined;
    const settle = () => {
      if (!result) return;
      if (result.error) resolve({ ok: false, error: result.error });
      else if (trailer) resolve({ ok: true, value: result.response as NotesMethods[M][1], trailer });
    };
    const call = (client[method] as unknown as GenericUnary).call(
      client,
      request,
      metadata,
      { deadline: new Date(Date.now() + deadlineMs) },
      (error, response) => {
        result = { error, response };
        settle();
      },
    );
    call.on('status', (s) => {
      trailer = s.metadata;
      settle();
    });
  });
}

/** A `grpc.health.v1.Health/Check` call. */
export async function healthCheck(target: string, service: string): Promise<string> {
  const { proto } = loadProtos() as unknown as {
    proto: {
      grpc: {
        health: {
          v1: { Health: new (t: string, c: ReturnType<typeof credentials.createInsecure>) => HealthClient };
        };
      };
    };
  };
  const client = new proto.grpc.health.v1.Health(target, credentials.createInsecure());
  try {
    return await new Promise((resolve, reject) =>
      client.Check({ service }, (error, response) =>
        error ? reject(error) : resolve(response?.status ?? ''),
      ),
    );
  } finally {
    client.close();
  }
}

interface HealthClient {
  Check(
    request: { service: string },
    callback: (error: ServiceError | null, response?: { status: string }) => void,
  ): void;
  close(): void;
}

/** The services a stock client discovers through server reflection (grpc.reflection.v1). */
export async function listServicesByReflection(target: string): Promise<string[]> {
  const protoFile = path.join(
    path.dirname(require.resolve('@grpc/reflection')),
    '..',
    'proto/grpc/reflection/v1/reflection.proto',
  );
  const definition = loadPackageDefinition(loadSync(protoFile, { keepCase: true })) as unknown as {
    grpc: {
      reflection: {
        v1: {
          ServerReflection: new (
            t: string,
            c: ReturnType<typeof credentials.createInsecure>,
          ) => ReflectionClient;
        };
      };
    };
  };
  const client = new definition.grpc.reflection.v1.ServerReflection(target, credentials.createInsecure());
  try {
    return await new Promise((resolve, reject) => {
      const stream = client.ServerReflectionInfo();
      stream.on('data', (response: { list_services_response?: { service: { name: string }[] } }) => {
        resolve((response.list_services_response?.service ?? []).map((s) => s.name));
        stream.end();
      });
      stream.on('error', reject);
      stream.write({ list_services: '' });
    });
  } finally {
    client.close();
  }
}

interface ReflectionClient {
  ServerReflectionInfo(): {
    on(event: string, listener: (value: never) => void): void;
    write(message: unknown): void;
    end(): void;
  };
  close(): void;
}

export { status };
