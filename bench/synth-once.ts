/** One synth in a fresh process, for bench/synth.ts: prints its own wall time and peak memory as JSON. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config';
import { buildApp } from '../stacks/app';

const started = performance.now();
const environments = process.argv[2] === 'all' ? undefined : process.argv[2]?.split(',');
const outdir = mkdtempSync(join(tmpdir(), 'wheelhouse-bench-synth-'));
const { app } = buildApp(loadConfig().config, { environments, appProps: { outdir } });
app.synth();
rmSync(outdir, { recursive: true, force: true });
// ru_maxrss is in kilobytes on Linux.
console.log(
  JSON.stringify({ ms: performance.now() - started, maxRssMb: process.resourceUsage().maxRSS / 1024 }),
);
