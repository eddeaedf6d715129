/**
 * `npm run bench:synth`: wall time and peak memory of synthesizing one environment and all of them, each in
 * a fresh process with CloudFormation validation and cdk-nag on (what `npm run synth` does).
 * Target: all three environments in under 2× the time of one.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const root = join(__dirname, '..');

interface Sample {
  /** Wall time of the whole process: start-up, module loading, synth, checks. */
  readonly ms: number;
  /** Wall time of building and synthesizing the app alone. */
  readonly synthMs: number;
  readonly maxRssMb: number;
}

function synth(environments: string): Sample {
  const started = performance.now();
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'synth-once.ts'), environments],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, CDK_VALIDATION: undefined },
    },
  );
  const inner = JSON.parse(out.trim().split('\n').pop()!) as { ms: number; maxRssMb: number };
  return { ms: performance.now() - started, synthMs: inner.ms, maxRssMb: inner.maxRssMb };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function measure(label: string, environments: string): Sample {
  const samples = Array.from({ length: RUNS }, () => synth(environments));
  const result = {
    ms: median(samples.map((s) => s.ms)),
    synthMs: median(samples.map((s) => s.synthMs)),
    maxRssMb: Math.max(...samples.map((s) => s.maxRssMb)),
  };
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2).padStart(6)} s`;
  console.log(
    `${label.padEnd(22)} wall ${seconds(result.ms)}   synth alone ${seconds(result.synthMs)}   peak ${result.maxRssMb.toFixed(0).padStart(4)} MB   (median of ${RUNS})`,
  );
  return result;
}

console.log('synth with CloudFormation validation and cdk-nag, fresh process each run');
const one = measure('one environment (dev)', 'dev');
const all = measure('all environments', 'all');
const ratio = all.ms / one.ms;
console.log(`ratio all/one, wall: ${ratio.toFixed(2)}× (target < 2×) ${ratio < 2 ? 'OK' : 'MISSED'}`);
console.log(`ratio all/one, synth alone: ${(all.synthMs / one.synthMs).toFixed(2)}×`);
