/**
 * A moto_server on a free port of 127.0.0.1: an implementation of the AWS APIs that is not ours, to check
 * that AWS accepts what we send (see ../shared/notes/independent-checks.md for what it models).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './embedded-postgres';

/** What to run where moto_server is missing. */
export const INSTALL_MOTO = 'pip install "moto[server]"';

/** A running moto_server. */
export interface MotoServer {
  /** `http://127.0.0.1:<port>`: every service's endpoint. */
  readonly endpoint: string;
  /** Empties every service (`POST /moto-api/reset`). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts moto_server, or fails with the command that installs it. */
export async function startMotoServer(): Promise<MotoServer> {
  if (spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status !== 0) {
    throw new Error(`moto_server is not installed; install it with: ${INSTALL_MOTO}`);
  }
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  // Started when it answers; it exits at once when it cannot start.
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited (${child.exitCode}): ${stderr}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  return {
    endpoint,
    async reset() {
      await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
