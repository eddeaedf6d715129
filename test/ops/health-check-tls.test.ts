/**
 * The end-to-end health check against real TLS: a local CA made with openssl, a certificate that
 * names only the domain (as an ACM certificate on the ALB's listeners does: ACM, "Domain names",
 * https://docs.aws.amazon.com/acm/latest/userguide/acm-concepts.html#concept-dn), an HTTPS server
 * and a gRPC server (grpc-js, HTTP/2 over TLS, the standard health service). Names are pinned to
 * 127.0.0.1 with the `lookup` option, so both the domain and the load balancer's own DNS name reach
 * the same server: hostname verification (Node's default, `tls.checkServerIdentity`,
 * https://nodejs.org/api/tls.html#tlscheckserveridentityhostname-cert) passes for the domain and fails
 * for the load balancer's name, as it does against an ALB. This is why the stack outputs the domain
 * (test/stacks/stack-endpoints.test.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, LookupFunction } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { checkGrpcEndToEnd, checkHttpEndToEnd } from '../../ops/deploy/end-to-end-check';

const DOMAIN = 'api.stage.example.com';
const ALB_DNS = 'wheelhouse-stage-alb-1234567890.eu-west-1.elb.amazonaws.com';
const INSTALL_OPENSSL = 'apt-get update && apt-get install -y openssl';

/** Resolves DOMAIN and ALB_DNS to 127.0.0.1, nothing else (no DNS, no /etc/hosts). */
const pinned: LookupFunction = (hostname, options, callback) => {
  if (hostname !== DOMAIN && hostname !== ALB_DNS) {
    const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    callback(error, '', 4);
    return;
  }
  if ((options as { all?: boolean }).all) {
    (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [
      { address: '127.0.0.1', family: 4 },
    ]);
  } else callback(null, '127.0.0.1', 4);
};

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

/** Makes sure openssl is there: installs it as root on Debian, else fails with the command. */
function requireOpenssl(): void {
  try {
    execFileSync('openssl', ['version'], { stdio: 'pipe' });
    return;
  } catch {
    if (process.getuid?.() === 0 && readFileSync('/etc/os-release', 'utf8').includes('debian')) {
      execFileSync('sh', ['-c', INSTALL_OPENSSL], { stdio: 'pipe' });
      return;
    }
  }
  throw new Error(`These tests need openssl: ${INSTALL_OPENSSL}`);
}

describe('end-to-end health check with TLS hostname verification', () => {
  let dir: string;
  let ca: string;
  let https: Server;
  let httpsPort: number;
  let grpcServer: grpc.Server;
  let grpcPort: number;
  let grpcHealth: HealthImplementation;
  let connections = 0;

  beforeAll(async () => {
    requireOpenssl();
    dir = mkdtempSync(join(tmpdir(), 'wheelhouse-tls-'));
    // A local CA, and a server certificate it signs for the domain only.
    openssl(
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        'ca.key',
        '-out',
        'ca.crt',
        '-days',
        '1',
      ].concat(['-subj', '/CN=Wheelhouse test CA']),
      dir,
    );
    openssl(
      ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr'].concat([
        '-subj',
        `/CN=${DOMAIN}`,
      ]),
      dir,
    );
    writeFileSync(join(dir, 'san.ext'), `subjectAltName=DNS:${DOMAIN}\n`);
    openssl(
      ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial'].concat([
        '-out',
        'server.crt',
        '-days',
        '1',
        '-extfile',
        'san.ext',
      ]),
      dir,
    );
    ca = readFileSync(join(dir, 'ca.crt'), 'utf8');
    const key = readFileSync(join(dir, 'server.key'));
    const cert = readFileSync(join(dir, 'server.crt'));
    // The certificate names the domain and nothing else (what the check is up against).
    const text = execFileSync(
      'openssl',
      ['x509', '-in', join(dir, 'server.crt'), '-noout', '-ext', 'subjectAltName'],
      {
        encoding: 'utf8',
      },
    );
    expect(text).toContain(`DNS:${DOMAIN}`);
    expect(text).not.toContain('elb.amazonaws.com');

    https = createServer({ key, cert }, (req, res) => {
      res.statusCode = req.url === '/healthz' ? 200 : 404;
      res.end('ok');
    });
    https.on('connection', () => connections++);
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    httpsPort = (https.address() as AddressInfo).port;

    grpcServer = new grpc.Server();
    grpcHealth = new HealthImplementation({ '': 'SERVING' });
    grpcHealth.addToServer(grpcServer);
    grpcPort = await new Promise<number>((resolve, reject) =>
      grpcServer.bindAsync(
        '127.0.0.1:0',
        grpc.ServerCredentials.createSsl(null, [{ private_key: key, cert_chain: cert }]),
        (error, port) => (error ? reject(error) : resolve(port)),
      ),
    );
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => https?.close(() => resolve()));
    grpcServer?.forceShutdown();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const options = () => ({ egressPorts: null, lookup: pinned, ca });

  it('HTTPS by the domain passes', async () => {
    await expect(checkHttpEndToEnd(`https://${DOMAIN}:${httpsPort}`, options())).resolves.toEqual({
      status: 'ok',
      detail: `GET https://${DOMAIN}:${httpsPort}/healthz: 200`,
    });
  });

  it("HTTPS by the load balancer's DNS name fails hostname verification, and that is a failure", async () => {
    const result = await checkHttpEndToEnd(`https://${ALB_DNS}:${httpsPort}`, options());
    expect(result.status).toBe('failed');
    expect(result.detail).toMatch(/Hostname\/IP does not match certificate's altnames/);
  });

  it('HTTPS to a certificate from a CA the client does not trust fails', async () => {
    const result = await checkHttpEndToEnd(`https://${DOMAIN}:${httpsPort}`, {
      egressPorts: null,
      lookup: pinned,
    });
    expect(result).toMatchObject({ status: 'failed', detail: expect.stringMatching(/certificate/) });
  });

  it('gRPC over TLS by the domain answers SERVING', async () => {
    grpcHealth.setStatus('', 'SERVING');
    await expect(checkGrpcEndToEnd(`${DOMAIN}:${grpcPort}`, true, options())).resolves.toEqual({
      status: 'ok',
      detail: `grpc.health.v1.Health/Check ${DOMAIN}:${grpcPort} (TLS): SERVING`,
    });
  });

  it("gRPC over TLS by the load balancer's DNS name fails hostname verification", async () => {
    const result = await checkGrpcEndToEnd(`${ALB_DNS}:${grpcPort}`, true, options());
    expect(result.status).toBe('failed');
    expect(result.detail).toMatch(/Hostname\/IP does not match certificate's altnames/);
  });

  it('gRPC NOT_SERVING is a failure', async () => {
    grpcHealth.setStatus('', 'NOT_SERVING');
    try {
      await expect(checkGrpcEndToEnd(`${DOMAIN}:${grpcPort}`, true, options())).resolves.toEqual({
        status: 'failed',
        detail: `grpc.health.v1.Health/Check ${DOMAIN}:${grpcPort} (TLS): NOT_SERVING`,
      });
    } finally {
      grpcHealth.setStatus('', 'SERVING');
    }
  });

  it('does not try a port outside the egress ports: not checked from here, and no connection is made', async () => {
    const before = connections;
    await expect(
      checkHttpEndToEnd(`https://${DOMAIN}:${httpsPort}`, { ...options(), egressPorts: [443, 9000] }),
    ).resolves.toEqual({
      status: 'not-checked',
      detail: `GET https://${DOMAIN}:${httpsPort}/healthz: not checked from here: egress is allowed on 443, 9000 only`,
    });
    expect(connections).toBe(before);
  });

  it('a refused connection (reachable, nothing listening) is a failure, not "not checked"', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await checkHttpEndToEnd(`https://${DOMAIN}:${port}`, options());
    expect(result).toMatchObject({ status: 'failed', detail: expect.stringContaining('ECONNREFUSED') });
  });
});
