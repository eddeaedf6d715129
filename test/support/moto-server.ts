/**
 * moto_server (Python moto) as an independent AWS API for tests: started on a free local port,
 * reset between tests, stopped at the end. Fails with the install command when it is missing.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

/** A running moto_server. */
export class MotoServer {
  private constructor(
    private readonly child: ChildProcess,
    /** Base URL, for AWS_ENDPOINT_URL. */
    readonly url: string,
  ) {}

  /** Starts moto_server and waits until it answers. */
  static async start(): Promise<MotoServer> {
    if (spawnSync('sh', ['-c', 'command -v moto_server']).status !== 0) {
      throw new Error('moto_server is not installed: pip install "moto[server]"');
    }
    const port = await freePort();
    const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 200; i++) {
      if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}`);
      if (
        await fetch(`${url}/moto-api/`).then(
          (r) => r.ok,
          () => false,
        )
      )
        return new MotoServer(child, url);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill();
    throw new Error('moto_server did not answer within 20 s');
  }

  /** Empties every service. */
  async reset(): Promise<void> {
    await fetch(`${this.url}/moto-api/reset`, { method: 'POST' });
  }

  /** Stops the server. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill();
    await exited;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
