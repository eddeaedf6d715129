import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Metadata } from '@grpc/grpc-js';
import type { NotesServiceClient } from '../../service/gen/wheelhouse/notes/v1/NotesService';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../support/embedded-postgres';
import { healthCheck, notesClient, unary } from './grpc-client';

// A rolling restart as ECS does it: a new task (B) starts, the old one (A) leaves the load balancer and gets
// SIGTERM at the same moment. Clients stand in for the load balancer: they send to the registered tasks.

interface Task {
  readonly process: ChildProcess;
  readonly httpUrl: string;
  readonly grpcTarget: string;
  readonly grpc: NotesServiceClient;
  readonly exited: Promise<number | null>;
  /** Resolves when the task logs that it started draining. */
  readonly draining: Promise<void>;
}

let pg: EmbeddedPostgres;
const tasks: Task[] = [];

/** Starts `npm run service`'s entry point in its own process (as in the container) and waits until it listens. */
async function startTask(): Promise<Task> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '../../service/main.ts')], {
    env: {
      ...process.env,
      DATABASE_URL: pg.url,
      HOST: '127.0.0.1',
      PORT: '0',
      GRPC_PORT: '0',
      SHUTDOWN_DELAY_MS: '1000',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout! });
  const draining = new Promise<void>((resolve) =>
    lines.on('line', (line) => line.includes('"msg":"service: draining"') && resolve()),
  );
  const ports = await new Promise<{ httpPort: number; grpcPort: number }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`service exited with ${code} before listening`)));
    lines.on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; httpPort?: number; grpcPort?: number };
      if (entry.msg === 'service: listening')
        resolve({ httpPort: entry.httpPort!, grpcPort: entry.grpcPort! });
    });
  });
  const grpcTarget = `127.0.0.1:${ports.grpcPort}`;
  const task = {
    process: child,
    httpUrl: `http://127.0.0.1:${ports.httpPort}`,
    grpcTarget,
    grpc: notesClient(grpcTarget),
    exited,
    draining,
  };
  tasks.push(task);
  return task;
}

beforeAll(async () => {
  pg = await startEmbeddedPostgres();
}, 60_000);

afterAll(async () => {
  for (const task of tasks) {
    task.grpc.close();
    if (task.process.exitCode === null) task.process.kill('SIGKILL');
  }
  await pg?.stop();
});

it('drains on SIGTERM under load: zero failed requests, not ready while draining, exit 0', async () => {
  // GIVEN two replicas starting together (their migrations take turns under the advisory lock)
  const [a, b] = await Promise.all([startTask(), startTask()]);
  let registered: Task[] = [a!];
  const failures: string[] = [];
  const servedBy = new Map<Task, number>();
  let running = true;
  let next = 0;
  const pick = () => registered[next++ % registered.length]!;

  // AND clients sending HTTP and gRPC reads and writes to the registered replicas
  const httpWorker = async (worker: number) => {
    for (let n = 0; running; n++) {
      const task = pick();
      const response = await fetch(`${task.httpUrl}/v1/notes${n % 2 ? '?limit=5' : ''}`, {
        method: n % 2 ? 'GET' : 'POST',
        headers: n % 2 ? {} : { 'content-type': 'application/json' },
        body: n % 2 ? undefined : JSON.stringify({ title: `http ${worker} ${n}` }),
      }).catch((error: Error) => error);
      if (response instanceof Error || response.status >= 300) {
        failures.push(`http: ${response instanceof Error ? response.message : response.status}`);
      } else {
        await response.arrayBuffer();
        servedBy.set(task, (servedBy.get(task) ?? 0) + 1);
      }
    }
  };
  const grpcWorker = async (worker: number) => {
    for (let n = 0; running; n++) {
      const task = pick();
      const outcome =
        n % 2
          ? await unary(task.grpc, 'ListNotes', { limit: 5 }, new Metadata())
          : await unary(task.grpc, 'CreateNote', { title: `grpc ${worker} ${n}` });
      if (outcome.ok) servedBy.set(task, (servedBy.get(task) ?? 0) + 1);
      else failures.push(`grpc: ${outcome.error.code} ${outcome.error.details}`);
    }
  };
  const load = Promise.all([httpWorker(1), httpWorker(2), grpcWorker(1), grpcWorker(2)]);
  while ((servedBy.get(a!) ?? 0) < 200) await new Promise((resolve) => setTimeout(resolve, 20));

  // WHEN A leaves the load balancer and gets SIGTERM at the same moment
  registered = [b!];
  a!.process.kill('SIGTERM');
  await a!.draining;
  const readyWhileDraining = await fetch(`${a!.httpUrl}/readyz`);
  const healthWhileDraining = await healthCheck(a!.grpcTarget, 'wheelhouse.notes.v1.NotesService');
  const exitCode = await a!.exited;
  const servedByBBeforeStop = servedBy.get(b!) ?? 0;
  while ((servedBy.get(b!) ?? 0) < servedByBBeforeStop + 100)
    await new Promise((resolve) => setTimeout(resolve, 20));
  running = false;
  await load;

  // THEN no request failed, A said it was not ready while draining, and exited 0
  expect(failures).toEqual([]);
  expect(readyWhileDraining.status).toBe(503);
  expect(healthWhileDraining).toBe('NOT_SERVING');
  expect(exitCode).toBe(0);

  b!.process.kill('SIGTERM');
  expect(await b!.exited).toBe(0);
});
