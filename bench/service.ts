import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { credentials } from '@grpc/grpc-js';
import { Client } from 'pg';
import { loadServiceOptions } from '../service/config';
import { migrateDatabase } from '../service/db/migrate';
import { loadProtos } from '../service/grpc/server';
import { freePort, startEmbeddedPostgres } from '../test/support/embedded-postgres';

// `npm run bench:service`: the fair baseline (bench/service-baseline.ts: node:http + pg.Pool with prepared
// statements, bare @grpc/grpc-js; what it does and does not do is said there) against the service,
// in one run, on one PostgreSQL, with the same indexed read (note by id) and insert. Servers run on core 0;
// the load generators (wrk, h2load) and PostgreSQL on core 1. Prints req/s, p99, CPU per request, errors and
// the ratios ours/baseline of req/s, CPU per request and p99.

const run = promisify(execFile);
const SERVER_CORE = '0';
const LOAD_CORE = '1';
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const WARMUP_SECONDS = 2;
const SEED_NOTES = 2000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const GRPC_SERVICE = 'wheelhouse.notes.v1.NotesService';
/** Every load generator's full output, for a closer look. */
const RAW_LOG = 'bench/results/service-raw.txt';

interface Result {
  readonly rps: number;
  readonly p99Ms: number;
  readonly errors: number;
  /** How long the load ran, warm-up included: what the server's CPU time is measured over. */
  readonly loadSeconds: number;
  /** Server CPU time (user + system) per request, in microseconds: what the framework costs, whatever the noise. */
  cpuUs?: number;
}

/** CPU time used so far by a process, in microseconds (from /proc, 100 ticks a second). */
async function cpuMicros(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

function requireTools(): void {
  for (const [tool, pkg] of [
    ['wrk', 'wrk'],
    ['h2load', 'nghttp2-client'],
    ['taskset', 'util-linux'],
  ] as const) {
    if (spawnSync('which', [tool]).status !== 0) {
      process.stderr.write(`${tool} is missing: apt-get install -y ${pkg}\n`);
      process.exit(2);
    }
  }
}

async function startServer(
  entry: string,
  env: Record<string, string>,
  logFile: string,
  httpUrl: string,
): Promise<ChildProcess> {
  // Standard output goes through a pipe to a reader on the load generators' core, as it goes to a log driver on
  // ECS: what reading and shipping the lines costs is not the server's. A file on this machine's disk would put
  // the kernel's writeback of ~1 MB/s of log lines on whichever core it likes, the server's included, a cost
  // that the baseline (which logs nothing) never pays. The reader keeps the last 64 kB for an error message, or
  // everything with BENCH_KEEP=1.
  const reader = spawn(
    'taskset',
    ['-c', LOAD_CORE, 'sh', '-c', process.env.BENCH_KEEP ? 'cat > "$0"' : 'tail -c 65536 > "$0"', logFile],
    { stdio: ['pipe', 'ignore', 'inherit'] },
  );
  // BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles both servers (NODE_OPTIONS refuses --cpu-prof).
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(
    'taskset',
    ['-c', SERVER_CORE, process.execPath, ...nodeArgs, '--import', 'tsx', entry],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', reader.stdin!, 'inherit'],
    },
  );
  // The server holds the pipe's writing end now; ours closes, so that the reader ends when the server does.
  reader.stdin!.destroy();
  const exited = new Promise((_resolve, reject) =>
    child.once('exit', (code) => reject(new Error(`${entry} exited with ${code}; see ${logFile}`))),
  );
  for (;;) {
    // Any HTTP answer means the server listens (both servers bind gRPC before HTTP answers matter).
    if (
      await fetch(httpUrl).then(
        () => true,
        () => false,
      )
    )
      return child;
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 100))]);
  }
}

async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function wrk(url: string, script: string, seconds: number): Promise<Result> {
  const { stdout } = await run('taskset', [
    '-c',
    LOAD_CORE,
    'wrk',
    '-t1',
    `-c${CONNECTIONS}`,
    `-d${seconds}s`,
    '--latency',
    '-s',
    script,
    url,
  ]);
  await appendFile(RAW_LOG, `$ wrk ${url} ${path.basename(script)} ${seconds}s\n${stdout}\n`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0);
  const p99 = /99%\s+([\d.]+)(us|ms|s)\b/.exec(stdout);
  const unit = { us: 0.001, ms: 1, s: 1000 }[(p99?.[2] ?? 'ms') as 'us' | 'ms' | 's'];
  const errors =
    Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0) +
    Number(/Socket errors:.*?(\d+)/.exec(stdout)?.[1] ?? 0);
  return { rps, p99Ms: Number(p99?.[1] ?? 0) * unit, errors, loadSeconds: seconds };
}

async function h2load(url: string, dataFile: string, seconds: number, logFile: string): Promise<Result> {
  const { stdout } = await run('taskset', [
    '-c',
    LOAD_CORE,
    'h2load',
    `-c${CONNECTIONS}`,
    '-m1',
    '-t1',
    `-D${seconds}`,
    `--warm-up-time=${WARMUP_SECONDS}`,
    '-d',
    dataFile,
    '-H',
    'content-type: application/grpc',
    '-H',
    'te: trailers',
    `--log-file=${logFile}`,
    url,
  ]);
  await appendFile(RAW_LOG, `$ h2load ${url} ${seconds}s\n${stdout}\n`);
  const rps = Number(/finished in [\d.]+\w*, ([\d.]+) req\/s/.exec(stdout)?.[1] ?? 0);
  const counted = (pattern: RegExp) => Number(pattern.exec(stdout)?.[1] ?? 0);
  const errors =
    counted(/(\d+) failed/) +
    counted(/(\d+) errored/) +
    counted(/(\d+) timeout/) +
    counted(/(\d+) 4xx/) +
    counted(/(\d+) 5xx/);
  const rows = (await readFile(logFile, 'utf8')).trim().split('\n');
  const micros = rows
    .filter((row) => row.split('\t')[1] === '200')
    .map((row) => Number(row.split('\t')[2]))
    .sort((a, b) => a - b);
  const p99 = micros[Math.min(micros.length - 1, Math.floor(micros.length * 0.99))] ?? 0;
  // h2load counts requests after its warm-up only, but the server works through the warm-up too.
  return { rps, p99Ms: p99 / 1000, errors, loadSeconds: seconds + WARMUP_SECONDS };
}

/** A gRPC request body for h2load: the 5-byte length prefix and the protobuf message. */
function grpcFrame(method: 'GetNote' | 'CreateNote', message: object): Buffer {
  const { packageDefinition } = loadProtos();
  const service = packageDefinition['wheelhouse.notes.v1.NotesService'] as Record<
    string,
    { requestSerialize(value: object): Buffer }
  >;
  const payload = service[method]!.requestSerialize(message);
  const header = Buffer.alloc(5);
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}

/** Checks that both gRPC calls really succeed: h2load sees HTTP statuses only, not gRPC ones. */
async function preflight(target: string, id: string): Promise<void> {
  const { proto } = loadProtos();
  const client = new proto.wheelhouse.notes.v1.NotesService(target, credentials.createInsecure());
  try {
    await new Promise<void>((resolve, reject) =>
      client.GetNote({ id }, (error) =>
        error ? reject(error) : client.CreateNote({ title: 'preflight' }, (e) => (e ? reject(e) : resolve())),
      ),
    );
  } finally {
    client.close();
  }
}

/** The median; of an even count, the mean of the two middle values. */
function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function report(runs: Record<string, Record<string, Result[]>>, scenarios: string[]): void {
  const lines = [
    `connections: ${CONNECTIONS}, ${ROUNDS} rounds of ${SECONDS} s per scenario, ` +
      `servers on core ${SERVER_CORE}, load generators and PostgreSQL on core ${LOAD_CORE}`,
    "req/s, p99 and CPU: the median of the rounds; ratios: the median of the rounds' ratios (ours/baseline,",
    'each round running the two back to back, so that a machine that is faster in some rounds than in others',
    'does not pass for a difference between them)',
    '',
    'scenario   | baseline req/s | baseline p99 | ours req/s |  ours p99 | req/s ratio | CPU ratio | p99 ratio | CPU µs/req b/o | errors b/o',
    '-----------|----------------|--------------|------------|-----------|-------------|-----------|-----------|----------------|-----------',
  ];
  for (const scenario of scenarios) {
    const b = runs.baseline![scenario]!;
    const o = runs.ours![scenario]!;
    const [bRps, oRps] = [median(b.map((r) => r.rps)), median(o.map((r) => r.rps))];
    const [bP99, oP99] = [median(b.map((r) => r.p99Ms)), median(o.map((r) => r.p99Ms))];
    const pairedRatio = (value: (r: Result) => number) =>
      median(o.map((r, round) => value(r) / Math.max(Number.EPSILON, value(b[round]!))));
    const errors = (results: Result[]) => results.reduce((sum, r) => sum + r.errors, 0);
    lines.push(
      [
        scenario.padEnd(10),
        bRps.toFixed(0).padStart(14),
        `${bP99.toFixed(2)} ms`.padStart(12),
        oRps.toFixed(0).padStart(10),
        `${oP99.toFixed(2)} ms`.padStart(9),
        pairedRatio((r) => r.rps)
          .toFixed(2)
          .padStart(11),
        pairedRatio((r) => r.cpuUs ?? 0)
          .toFixed(2)
          .padStart(9),
        pairedRatio((r) => r.p99Ms)
          .toFixed(2)
          .padStart(9),
        `${median(b.map((r) => r.cpuUs ?? 0)).toFixed(0)}/${median(o.map((r) => r.cpuUs ?? 0)).toFixed(0)}`.padStart(
          14,
        ),
        `${errors(b)}/${errors(o)}`.padStart(10),
      ].join(' | '),
    );
  }
  process.stdout.write(
    `\n${lines.join('\n')}\n\ntargets: req/s ratio >= 0.9, CPU ratio <= 1.15, p99 ratio <= 1.25, 0 errors\n`,
  );
}

async function main(): Promise<void> {
  requireTools();
  await mkdir(path.dirname(RAW_LOG), { recursive: true });
  await writeFile(RAW_LOG, '');
  const work = await mkdtemp(path.join(tmpdir(), 'wheelhouse-bench-'));
  process.stdout.write('starting PostgreSQL...\n');
  const pg = await startEmbeddedPostgres({ database: 'bench', settings: { max_connections: '200' } });
  try {
    const pid = (await readFile(path.join(pg.cluster.dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]!;
    await run('taskset', ['-a', '-p', '-c', LOAD_CORE, pid]);
    await migrateDatabase(loadServiceOptions({ DATABASE_URL: pg.url }).database);

    const admin = new Client({ connectionString: pg.url });
    admin.on('error', (error) => process.stderr.write(`bench: database connection lost: ${error.message}\n`));
    await admin.connect();
    const { rows } = await admin.query<{ id: string }>(
      `INSERT INTO notes (id, title, body)
       SELECT gen_random_uuid(), 'seed ' || n, repeat('x', 200) FROM generate_series(1, ${SEED_NOTES}) n
       RETURNING id`,
    );
    const ids = rows.map((row) => row.id);
    await admin.query('VACUUM ANALYZE notes');

    const readScript = path.join(work, 'read.lua');
    await writeFile(
      readScript,
      `local ids = {${ids.map((id) => `"${id}"`).join(',')}}\n` +
        'request = function() return wrk.format("GET", "/v1/notes/" .. ids[math.random(#ids)]) end\n',
    );
    const writeScript = path.join(work, 'write.lua');
    await writeFile(
      writeScript,
      'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n' +
        `wrk.body = '${JSON.stringify({ title: 'bench', body: 'x'.repeat(200) })}'\n`,
    );
    const readFrame = path.join(work, 'get.bin');
    await writeFile(readFrame, grpcFrame('GetNote', { id: ids[0] }));
    const writeFrame = path.join(work, 'create.bin');
    await writeFile(writeFrame, grpcFrame('CreateNote', { title: 'bench', body: 'x'.repeat(200) }));

    // A DogStatsD sink, so that the service pays for its metrics as it does in the cloud.
    const statsd = createSocket('udp4');
    statsd.on('message', () => undefined);
    await new Promise<void>((resolve) => statsd.bind(0, '127.0.0.1', resolve));

    const servers: Array<{ name: 'baseline' | 'ours'; http: string; grpc: string; process: ChildProcess }> =
      [];
    for (const [name, entry, extraEnv] of [
      ['baseline', 'bench/service-baseline.ts', {}],
      [
        'ours',
        'service/main.ts',
        {
          DD_AGENT_HOST: '127.0.0.1',
          DD_DOGSTATSD_PORT: String(statsd.address().port),
          MIGRATE_ON_START: 'false',
        },
      ],
    ] as const) {
      const httpPort = await freePort();
      const grpcPort = await freePort();
      const env = {
        DATABASE_URL: pg.url,
        HOST: '127.0.0.1',
        PORT: String(httpPort),
        GRPC_PORT: String(grpcPort),
        SHUTDOWN_DELAY_MS: '0',
        LOG_LEVEL: 'info',
        ...extraEnv,
        // BENCH_OURS_ENV='{"LOG_LEVEL":"warn"}' and the like, to see what a feature costs.
        ...(name === 'ours'
          ? (JSON.parse(process.env.BENCH_OURS_ENV ?? '{}') as Record<string, string>)
          : {}),
      };
      servers.push({
        name,
        http: `http://127.0.0.1:${httpPort}`,
        grpc: `127.0.0.1:${grpcPort}`,
        process: await startServer(
          entry,
          env,
          path.join(work, `${name}.log`),
          `http://127.0.0.1:${httpPort}/healthz`,
        ),
      });
    }
    try {
      for (const server of servers) await preflight(server.grpc, ids[0]!);
      type Scenario = [string, (server: { http: string; grpc: string }, seconds: number) => Promise<Result>];
      const scenarios: Scenario[] = [
        ['http read', (server, seconds) => wrk(server.http, readScript, seconds)],
        ['http write', (server, seconds) => wrk(`${server.http}/v1/notes`, writeScript, seconds)],
        [
          'grpc read',
          (server, seconds) =>
            h2load(
              `http://${server.grpc}/${GRPC_SERVICE}/GetNote`,
              readFrame,
              seconds,
              path.join(work, 'log.tsv'),
            ),
        ],
        [
          'grpc write',
          (server, seconds) =>
            h2load(
              `http://${server.grpc}/${GRPC_SERVICE}/CreateNote`,
              writeFrame,
              seconds,
              path.join(work, 'log.tsv'),
            ),
        ],
      ];
      // Baseline and ours take turns, scenario by scenario and round by round, so that a busy neighbour on the
      // machine weighs on both alike; who goes first alternates by round (what one leaves behind, a
      // checkpoint or an autovacuum, lands on both alike); the median of the rounds is reported.
      // BENCH_SCENARIOS='grpc read,grpc write' runs some scenarios only (to profile one, say).
      const only = process.env.BENCH_SCENARIOS?.split(',').map((name) => name.trim());
      if (only) scenarios.splice(0, scenarios.length, ...scenarios.filter(([name]) => only.includes(name)));
      const runs: Record<string, Record<string, Result[]>> = { baseline: {}, ours: {} };
      for (const server of servers)
        for (const [, measure] of scenarios) await measure(server, WARMUP_SECONDS);
      for (let round = 1; round <= ROUNDS; round++) {
        process.stdout.write(`round ${round}/${ROUNDS}...\n`);
        for (const [scenario, measure] of scenarios) {
          for (const server of round % 2 === 1 ? servers : [...servers].reverse()) {
            const cpuBefore = await cpuMicros(server.process.pid!);
            const result = await measure(server, SECONDS);
            result.cpuUs = (await cpuMicros(server.process.pid!)) - cpuBefore;
            result.cpuUs /= Math.max(1, result.rps * result.loadSeconds);
            const list = runs[server.name]![scenario] ?? [];
            list.push(result);
            runs[server.name]![scenario] = list;
          }
        }
      }
      report(
        runs,
        scenarios.map(([name]) => name),
      );
      await mkdir('bench/results', { recursive: true });
      await writeFile('bench/results/service.json', JSON.stringify(runs, null, 2));
    } finally {
      for (const server of servers) await stopServer(server.process);
    }
    statsd.close();
    await admin.end();
  } finally {
    await pg.stop();
    // BENCH_KEEP=1 keeps the servers' logs (with BENCH_NODE_ARGS=--trace-gc, their GC pauses) for a closer look.
    if (process.env.BENCH_KEEP) process.stdout.write(`servers' logs kept in ${work}\n`);
    else await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
