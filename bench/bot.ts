/**
 * `npm run bench:bot` (a benchmark, not a test): ack latency of signed slash commands at 1, 10 and
 * 100 in flight, against the bot in HTTP mode (the real `bot/main.ts`, `/help`: parse, permissions,
 * render, audit) and against a bare Bolt app that only acks, in the same run. The servers run on
 * core 0 and this load generator on core 1 (taskset). Also measures the bot's start-up-to-ready
 * time and idle memory. Prints a table; writes JSON to bench/results/.
 *
 * Options (environment): BENCH_SECONDS per level and server (default 5), split in BENCH_ROUNDS alternating
 * slices (default 6), BENCH_LEVELS (default 1,10,100), BENCH_WARMUP_SECONDS (default 1), BENCH_TEXT (after /help, default `status`),
 * BENCH_CONFIG (default wheelhouse.yml), BENCH_CPU_PROF=<dir> to write CPU profiles of the servers, BENCH_NICE (default -10 as root, else 0).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = join(__dirname, '..');
const SECRET = '0123456789abcdef0123456789abcdef';
const BOT_TOKEN = 'xoxb-0000-1111-benchmarktoken';
const LEVELS = (process.env.BENCH_LEVELS ?? '1,10,100').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
/** What follows `/help`: `status` answers with one usage line, the size of most replies; '' lists every command. */
const TEXT = process.env.BENCH_TEXT ?? 'status';
const SERVER_CORE = '0';
/** Scheduling priority of the servers and the load generator: above other work on a shared machine (root only). */
const NICE = process.env.BENCH_NICE ?? (process.getuid?.() === 0 ? '-10' : '0');
const LOADGEN_CORE = '1';

interface Started {
  readonly child: ChildProcess;
  readonly port: number;
  readonly readyMs: number;
  readonly selfReportedMs: number | null;
}

interface LevelResult {
  readonly inFlight: number;
  readonly requests: number;
  readonly errors: number;
  readonly seconds: number;
  readonly throughput: number;
  readonly p50: number;
  readonly p99: number;
  readonly latencies: number[];
}

/** Pools slices of one server at one level. */
function merge(slices: readonly LevelResult[]): LevelResult {
  const latencies = slices.flatMap((s) => s.latencies).sort((a, b) => a - b);
  const seconds = slices.reduce((t, s) => t + s.seconds, 0);
  return summarize(
    slices[0]?.inFlight ?? 0,
    latencies,
    slices.reduce((t, s) => t + s.errors, 0),
    seconds,
  );
}

function summarize(inFlight: number, sorted: number[], errors: number, seconds: number): LevelResult {
  const pct = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
  return {
    inFlight,
    requests: sorted.length,
    errors,
    seconds,
    throughput: sorted.length / seconds,
    p50: pct(50),
    p99: pct(99),
    latencies: sorted,
  };
}

/** A stand-in for Slack's Web API and response_url: answers auth.test and chat.postMessage (audit posts). */
async function startSlackStub(): Promise<{ url: string; close(): void }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.url?.includes('auth.test'))
        res.end('{"ok":true,"user_id":"U0BENCHBOT1","bot_id":"B0BENCHBOT1"}');
      else res.end('{"ok":true,"ts":"1.2"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => server.close() };
}

async function startServer(args: readonly string[], env: NodeJS.ProcessEnv): Promise<Started> {
  const started = performance.now();
  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each server there (for finding hot spots).
  const profile = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
    : [];
  const child = spawn(
    'taskset',
    ['-c', SERVER_CORE, process.execPath, ...profile, '--import', 'tsx', ...args],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} was not ready in 30 s`)), 30_000);
    let ready = false;
    lines.on('line', (line) => {
      if (ready) return; // keep draining stdout (audit lines) so the server never blocks on a full pipe
      try {
        const parsed = JSON.parse(line) as { msg?: string; port?: number; startupMs?: number };
        if (parsed.msg === 'ready' && parsed.port) {
          ready = true;
          clearTimeout(timer);
          resolve({
            child,
            port: parsed.port,
            readyMs: performance.now() - started,
            selfReportedMs: parsed.startupMs ?? null,
          });
        }
      } catch {
        // not a JSON line
      }
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kib / 1024;
}

function signedBody(responseUrl: string, n: number): { body: string; headers: Record<string, string> } {
  const body = new URLSearchParams({
    token: 'x',
    team_id: 'T0BENCH0001',
    team_domain: 'bench',
    channel_id: 'C0GENERAL01',
    channel_name: 'general',
    user_id: 'U0BENCHUSR1',
    user_name: 'bench',
    command: '/help',
    text: TEXT,
    api_app_id: 'A0BENCH0001',
    response_url: `${responseUrl}response/${n}`,
    trigger_id: `${n}.1`,
  }).toString();
  const ts = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return {
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(Buffer.byteLength(body)),
      'x-slack-signature': signature,
      'x-slack-request-timestamp': String(ts),
    },
  };
}

function post(agent: Agent, port: number, responseUrl: string, n: number): Promise<number> {
  const { body, headers } = signedBody(responseUrl, n);
  const start = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/slack/events', method: 'POST', headers, agent },
      (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
          else resolve(Number(process.hrtime.bigint() - start) / 1e6);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs `inFlight` closed-loop workers for `seconds`; bounded in time and count. */
async function load(
  port: number,
  responseUrl: string,
  inFlight: number,
  seconds: number,
): Promise<LevelResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: inFlight });
  const latencies: number[] = [];
  let errors = 0;
  let n = 0;
  const deadline = performance.now() + seconds * 1000;
  const maxRequests = 200_000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < deadline && n < maxRequests) {
        try {
          latencies.push(await post(agent, port, responseUrl, n++));
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  return summarize(
    inFlight,
    latencies.sort((a, b) => a - b),
    errors,
    elapsed,
  );
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

async function main(): Promise<void> {
  execFileSync('taskset', ['-cp', LOADGEN_CORE, String(process.pid)], { stdio: 'ignore' });
  if (NICE !== '0') execFileSync('renice', ['-n', NICE, '-p', String(process.pid)], { stdio: 'ignore' });
  const slack = await startSlackStub();
  const env = {
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_API_URL: slack.url,
    PORT: '0',
    WHEELHOUSE_CONFIG: process.env.BENCH_CONFIG ?? join(ROOT, 'wheelhouse.yml'),
    LOG_LEVEL: 'info',
  };
  const bot = await startServer(['bot/main.ts'], env);
  await new Promise((r) => setTimeout(r, 2000));
  const idleRss = rssMiB(bot.child.pid!);
  const bare = await startServer(['bench/bot-bare-server.ts'], env);
  const bareIdleRss = rssMiB(bare.child.pid!);

  // Both servers are measured in alternating slices (ABBA), so that a change in the machine's
  // background load during the run affects both alike.
  const rows: { level: number; bare: LevelResult; bot: LevelResult }[] = [];
  for (const level of LEVELS) {
    await load(bare.port, slack.url, level, WARMUP_SECONDS);
    await load(bot.port, slack.url, level, WARMUP_SECONDS);
    const slices: Record<'bare' | 'bot', LevelResult[]> = { bare: [], bot: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? (['bare', 'bot'] as const) : (['bot', 'bare'] as const);
      for (const which of order) {
        const port = which === 'bare' ? bare.port : bot.port;
        slices[which].push(await load(port, slack.url, level, SECONDS / ROUNDS));
      }
    }
    rows.push({ level, bare: merge(slices.bare), bot: merge(slices.bot) });
  }
  await stop(bot.child);
  await stop(bare.child);
  slack.close();

  const f = (x: number, d = 2) => x.toFixed(d);
  console.log(
    `\nAck latency of signed /help, ${SECONDS} s per level (servers on core ${SERVER_CORE}, load on core ${LOADGEN_CORE})\n`,
  );
  console.log(
    'in flight | bare acks/s | bot acks/s | ratio | bare p50 / p99 ms | bot p50 / p99 ms | p99 ratio | errors',
  );
  for (const { level, bare: b, bot: o } of rows) {
    console.log(
      `${String(level).padStart(9)} | ${f(b.throughput, 0).padStart(11)} | ${f(o.throughput, 0).padStart(10)} | ${f(o.throughput / b.throughput).padStart(5)} | ${`${f(b.p50)} / ${f(b.p99)}`.padStart(17)} | ${`${f(o.p50)} / ${f(o.p99)}`.padStart(16)} | ${f(o.p99 / b.p99).padStart(9)} | ${b.errors + o.errors}`,
    );
  }
  const pass = rows.every(
    (r) => r.bot.throughput >= 0.8 * r.bare.throughput && r.bot.p99 <= 1.25 * r.bare.p99,
  );
  console.log(
    `\nTarget (throughput >= 0.8x bare, p99 <= 1.25x bare at every level): ${pass ? 'met' : 'NOT met'}`,
  );
  console.log(
    `Bot start-up to ready: ${f(bot.readyMs, 0)} ms from spawn (self-reported ${bot.selfReportedMs ?? '?'} ms after module load); target <= 2000 ms`,
  );
  console.log(
    `Bot idle RSS: ${f(idleRss, 1)} MiB (bare Bolt app: ${f(bareIdleRss, 1)} MiB); target <= 150 MB`,
  );
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  const file = join(ROOT, 'bench/results', `bot-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      { seconds: SECONDS, rows, startupMs: bot.readyMs, idleRssMiB: idleRss, bareIdleRssMiB: bareIdleRss },
      null,
      2,
    ),
  );
  console.log(`Results: ${file}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
