// The same V8 settings as the service, so that the two differ in their code only.
import '../service/runtime-flags';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { Server, ServerCredentials, type ServerUnaryCall, type sendUnaryData, status } from '@grpc/grpc-js';
import { Pool } from 'pg';
import { loadProtos } from '../service/grpc/server';

// The fair baseline of `npm run bench:service`: the best plain server one would write for the same two calls.
//
// What it does, as the service does: plain node:http and a bare @grpc/grpc-js server on one pg.Pool of the
// service's size (10, DATABASE_POOL_MAX's default), the same V8 setting (service/runtime-flags.ts), the same
// indexed read and insert run as *named prepared statements* (each connection parses and plans them once),
// an id made by randomUUID(), HTTP keep-alive of 65 s, channelz off on gRPC (as the service has it; a careful
// plain server that serves no channelz turns it off too), JSON out via JSON.stringify.
//
// What it does not do, and the service does: no routing but a startsWith on the URL (no 404 or HEAD rules),
// no input validation (a malformed body throws), no request id, no log line, no metrics, no error table, no failover
// handling (retries, pool reset), no drain, no body limit, no health or reflection services. The gap between
// the two is what all of that costs. Started by bench/service.ts; configured by the same env vars as the service.

const COLUMNS = 'id, title, body, version, created_at, updated_at';
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
pool.on('error', () => undefined);

interface Row {
  id: string;
  title: string;
  body: string;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const toNote = (row: Row) => ({
  id: row.id,
  title: row.title,
  body: row.body,
  version: row.version,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

const FIND = `SELECT ${COLUMNS} FROM notes WHERE id = $1`;
const INSERT = `INSERT INTO notes (id, title, body) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`;
const read = async (id: string) =>
  (await pool.query<Row>({ name: 'notes_find', text: FIND, values: [id] })).rows[0];
const insert = async (title: string, body: string) =>
  (await pool.query<Row>({ name: 'notes_insert', text: INSERT, values: [randomUUID(), title, body] }))
    .rows[0]!;

const http = createServer((request, response) => {
  const send = (code: number, value: unknown) => {
    response.writeHead(code, { 'content-type': 'application/json' });
    response.end(JSON.stringify(value));
  };
  if (request.method === 'GET' && request.url?.startsWith('/v1/notes/')) {
    read(request.url.slice('/v1/notes/'.length)).then(
      (row) => (row ? send(200, toNote(row)) : send(404, { error: 'not found' })),
      () => send(500, { error: 'internal' }),
    );
    return;
  }
  if (request.method === 'POST' && request.url === '/v1/notes') {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { title: string; body?: string };
      insert(body.title, body.body ?? '').then(
        (row) => send(201, toNote(row)),
        () => send(500, { error: 'internal' }),
      );
    });
    return;
  }
  send(404, { error: 'not found' });
});
http.keepAliveTimeout = 65_000;

const grpc = new Server({ 'grpc.enable_channelz': 0 });
const { proto } = loadProtos();
grpc.addService(proto.wheelhouse.notes.v1.NotesService.service, {
  GetNote: (call: ServerUnaryCall<{ id: string }, unknown>, callback: sendUnaryData<unknown>) => {
    read(call.request.id).then(
      (row) => (row ? callback(null, toNote(row)) : callback({ code: status.NOT_FOUND })),
      () => callback({ code: status.INTERNAL }),
    );
  },
  CreateNote: (
    call: ServerUnaryCall<{ title: string; body: string }, unknown>,
    callback: sendUnaryData<unknown>,
  ) => {
    insert(call.request.title, call.request.body).then(
      (row) => callback(null, toNote(row)),
      () => callback({ code: status.INTERNAL }),
    );
  },
});

grpc.bindAsync(`127.0.0.1:${process.env.GRPC_PORT}`, ServerCredentials.createInsecure(), () => {
  http.listen(Number(process.env.PORT), '127.0.0.1', () => {
    process.stdout.write('{"msg":"service: listening"}\n');
  });
});
process.once('SIGTERM', () => {
  grpc.forceShutdown();
  http.close();
  pool.end().finally(() => process.exit(0));
});
