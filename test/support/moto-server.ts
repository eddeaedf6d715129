/**
 * A real moto_server (Python moto) on a free loopback port, as ../shared/notes/independent-checks.md
 * describes: one server for every AWS service, `POST /moto-api/reset` empties it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from './embedded-postgres';

/** The command that installs moto_server. */
export const INSTALL_MOTO = 'pip install "moto[server]"';

/** A running moto_server. */
export interface MotoServer {
  /** `http://127.0.0.1:<port>`, for AwsClients' `endpoint`. */
  readonly endpoint: string;
  /** Empties every service. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts moto_server and waits until it answers; fails with the install command when it is missing. */
export async function startMotoServer(): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (chunk) => {
    log = (log + String(chunk)).slice(-4000);
  });
  const exited = new Promise<Error>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      resolve(
        error.code === 'ENOENT' ? new Error(`moto_server is not installed: run \`${INSTALL_MOTO}\``) : error,
      ),
    );
    child.once('exit', (code) => resolve(new Error(`moto_server exited with ${code}: ${log}`)));
  });
  const ready = (async () => {
    for (;;) {
      const ok = await fetch(`${endpoint}/moto-api/data.json`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  const failure = await Promise.race([ready, exited]);
  if (failure) throw failure;
  return {
    endpoint,
    async reset() {
      await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
    },
    async stop() {
      if (child.exitCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await gone;
    },
  };
}
