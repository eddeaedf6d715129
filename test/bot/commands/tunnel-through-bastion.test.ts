/**
 * The bastion side for real: OpenSSH's sshd with the bastion's settings and AuthorizedKeysCommand
 * script from stacks/bastion, reading the keys that the bot wrote, in front of a real PostgreSQL that
 * speaks TLS (a self-signed certificate from openssl, as Aurora's is unknown to the client), reached
 * with real libpq (psql) and the connection string /tunnel prints.
 *
 * PostgreSQL docs, "libpq: SSL Support" (sslmode): `require` encrypts and fails when the server does
 * not offer SSL ("server does not support SSL, but SSL was required"), without checking the certificate;
 * `verify-full` checks that the certificate names the host connected to, which through a tunnel is
 * 127.0.0.1 and never in the Aurora certificate. So the tunnel commands use `require`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chownSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { chmod } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  AUTHORIZED_KEYS_SCRIPT,
  renderBastionConf,
  renderSshdConfig,
} from '../../../stacks/bastion/sshd-config';
import { exampleStackOutputs, FakeSsm, fakeStacks } from '../../support/aws-fakes';
import { type EmbeddedPostgres, freePort, startEmbeddedPostgres } from '../../support/embedded-postgres';
import { writeFakeAwsCli } from '../../support/fake-aws-cli';
import {
  ensureOpenSsh,
  ensureTunnelUser,
  isolatedSshOptions,
  type RunningSshd,
  runSsh,
  spawnSsh,
  startSshd,
  stopProcess,
} from '../../support/openssh';
import { messageText, startTestBot, type TestBot } from '../../support/slack-bot-harness';
import { sshKeygenFingerprint, TestKeys } from '../../support/ssh-keys';
import { CHANNELS, PEOPLE, testConfig } from '../fixtures/test-config';

jest.setTimeout(120_000);

const TUNNEL_USER = 'wh-bot-tunnel';
const INSTALL_CLIENTS = 'apt-get update && apt-get install -y postgresql-client openssl';

/** psql (libpq) and openssl, installed when root on Debian, else the exact command to run. */
function ensurePsqlAndOpenssl(): void {
  const missing = ['/usr/bin/psql', '/usr/bin/openssl'].filter((p) => !existsSync(p));
  if (missing.length === 0) return;
  if (process.getuid?.() === 0 && existsSync('/etc/debian_version')) {
    execFileSync('sh', ['-c', INSTALL_CLIENTS], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    return;
  }
  throw new Error(`${missing.join(', ')} missing: run \`${INSTALL_CLIENTS}\` as root.`);
}

/** Runs psql with a libpq connection string (as a person pastes it) and one query. */
function psql(conninfo: string, password: string, query: string): { code: number | null; output: string } {
  const result = spawnSync('/usr/bin/psql', [conninfo, '-X', '-At', '-c', query], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PGPASSWORD: password, PGCONNECT_TIMEOUT: '5' },
  });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}
const config = testConfig();
const dev = config.environments.find((e) => e.name === 'dev')!;

describe('/tunnel and /bastion-key against a real sshd', () => {
  let dir: string;
  let pg: EmbeddedPostgres;
  let sshd: RunningSshd;
  let bot: TestBot;
  let ssm: FakeSsm;
  let cfn: { restore(): void };
  let clock = new Date();
  let hostKeyLine = '';
  const keys = new TestKeys();
  const clients: ReturnType<typeof spawnSsh>[] = [];

  beforeAll(async () => {
    ensureOpenSsh();
    ensurePsqlAndOpenssl();
    ensureTunnelUser(TUNNEL_USER);
    dir = mkdtempSync(join(tmpdir(), 'wheelhouse-bastion-'));
    // sshd runs the AuthorizedKeysCommand as nobody: it must reach the script, the conf and the keys.
    await chmod(dir, 0o755);
    pg = await startEmbeddedPostgres({ database: dev.database.databaseName });
    const dump = join(dir, 'ssm-parameters.tsv');
    const awsCli = writeFakeAwsCli(dir, dump, dev.region);
    const script = join(dir, 'authorized-keys-command.sh');
    copyFileSync(AUTHORIZED_KEYS_SCRIPT, script);
    await chmod(script, 0o644);
    const conf = join(dir, 'bastion.conf');
    writeFileSync(
      conf,
      renderBastionConf({
        tunnelUser: TUNNEL_USER,
        keysParameterPath: dev.bastion.keysParameterPath,
        region: dev.region,
        awsCli: awsCli.path,
      }),
      { mode: 0o644 },
    );
    ssm = new FakeSsm(dump);
    cfn = fakeStacks({
      'wheelhouse-dev': exampleStackOutputs(dev, {
        databaseWriterEndpoint: '127.0.0.1',
        databaseReaderEndpoint: 'localhost',
        databasePort: String(pg.port),
        bastionAddress: '127.0.0.1',
        bastionTunnelUser: TUNNEL_USER,
      }),
    });
    sshd = await startSshd(
      dir,
      await freePort(),
      renderSshdConfig({
        tunnelUser: TUNNEL_USER,
        permitOpen: [`127.0.0.1:${pg.port}`, `localhost:${pg.port}`],
        authorizedKeysCommand: `/bin/sh ${script} %u ${conf}`,
        authorizedKeysCommandUser: 'nobody',
      }),
    );
    // The bastion's host key, published as its user data does (`cut -d' ' -f1,2` of the .pub file).
    hostKeyLine = readFileSync(join(dir, 'ssh_host_ed25519_key.pub'), 'utf8')
      .split(' ')
      .slice(0, 2)
      .join(' ');
    ssm.putRaw(dev.bastion.hostKeysParameterName, hostKeyLine);
    bot = await startTestBot({ config, now: () => clock });
    bot.recorder.setGroupMembers('S0DEVELOPER', [PEOPLE.developer.userId]);
  });

  /** Turns TLS on in the running server (PostgreSQL re-reads ssl settings on reload) with a self-signed certificate. */
  async function enableServerSsl(): Promise<void> {
    const cert = join(dir, 'server.crt');
    const key = join(dir, 'server.key');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=wheelhouse-test-db',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'pipe' },
    );
    // The server refuses a key readable by others, and runs as the owner of its data folder.
    const owner = statSync(pg.cluster.dataDir);
    chownSync(key, owner.uid, owner.gid);
    chownSync(cert, owner.uid, owner.gid);
    await chmod(key, 0o600);
    const admin = new Client({
      host: '127.0.0.1',
      port: pg.port,
      user: pg.user,
      password: pg.password,
      database: pg.database,
    });
    await admin.connect();
    try {
      await admin.query(`ALTER SYSTEM SET ssl_cert_file = '${cert}'`);
      await admin.query(`ALTER SYSTEM SET ssl_key_file = '${key}'`);
      await admin.query('ALTER SYSTEM SET ssl = on');
      await admin.query('SELECT pg_reload_conf()');
    } finally {
      await admin.end();
    }
  }

  afterAll(async () => {
    // Clients first (their sessions outlive sshd), then sshd, then the database.
    await Promise.all(clients.map((c) => stopProcess(c)));
    await sshd?.stop();
    await pg?.stop();
    await bot?.stop();
    ssm?.mock.restore();
    cfn?.restore();
    keys.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    clock = new Date();
  });

  /** Asks the bot for the tunnel command and returns its arguments after `ssh`. */
  async function tunnelCommandFromBot(userId: string): Promise<string[]> {
    const { ack } = await bot.command(userId, CHANNELS.dev, 'tunnel', 'dev');
    const shown = messageText(ack.body);
    const command = /```(ssh -N [^`]+)```/.exec(shown)?.[1];
    if (!command) throw new Error(`no ssh command in the /tunnel reply:\n${shown}`);
    return command.split(' ').slice(1);
  }

  async function addKey(userId: string, publicLine: string): Promise<void> {
    const { ack } = await bot.command(userId, CHANNELS.dev, 'bastion-key', `dev add ${publicLine}`);
    expect(messageText(ack.body)).toContain('Added your');
  }

  /** The tunnel command binds a fixed local port (as a person would run it): fail clearly if it is taken. */
  async function expectPortFree(port: number): Promise<void> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', () =>
        reject(new Error(`port ${port} is in use here; the tunnel command binds it`)),
      );
      server.listen(port, '127.0.0.1', () => resolve());
    });
    await new Promise((resolve) => server.close(resolve));
  }

  async function queryThroughTunnel(port: number): Promise<string> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const client = new Client({
        host: '127.0.0.1',
        port,
        user: pg.user,
        password: pg.password,
        database: pg.database,
      });
      try {
        await client.connect();
        const result = await client.query<{ db: string }>('SELECT current_database() AS db');
        return result.rows[0]!.db;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 100));
      } finally {
        await client.end().catch(() => {});
      }
    }
  }

  it('opens the exact tunnel command that /tunnel returned, and a query runs through it', async () => {
    // GIVEN
    const key = keys.generate('ed25519');
    await addKey(PEOPLE.developer.userId, key.publicLine);

    await expectPortFree(15432);

    // WHEN
    const args = await tunnelCommandFromBot(PEOPLE.developer.userId);
    const tunnel = spawnSsh([...isolatedSshOptions(key.privatePath, sshd.port), ...args]);
    clients.push(tunnel);

    // THEN
    expect(args).toEqual([
      '-N',
      '-o',
      'ExitOnForwardFailure=yes',
      '-o',
      'ServerAliveInterval=30',
      '-L',
      `127.0.0.1:15432:127.0.0.1:${pg.port}`,
      `${TUNNEL_USER}@127.0.0.1`,
    ]);
    expect(await queryThroughTunnel(15432)).toBe(pg.database);
    await stopProcess(tunnel);
  });

  it('connects with the printed connection string through the tunnel only when the database speaks TLS, and pins the published host key', async () => {
    // GIVEN a key, and the bastion's host key as /tunnel gives it in known_hosts form (the test sshd is
    // not on port 22, so the entry names [host]:port as known_hosts does for other ports)
    const key = keys.generate('ed25519');
    await addKey(PEOPLE.developer.userId, key.publicLine);
    await expectPortFree(15432);
    const { ack } = await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'tunnel', 'dev');
    const shown = messageText(ack.body);
    const entry = new RegExp(
      `echo '(127\\.0\\.0\\.1 ${hostKeyLine.replaceAll('+', '\\+')})' >> ~/.ssh/known_hosts`,
    ).exec(shown)?.[1];
    expect(entry).toBeDefined();
    expect(shown).toContain(`\`${sshKeygenFingerprint(hostKeyLine)}\` (ssh-ed25519)`);
    const knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, `${entry!.replace(/^127\.0\.0\.1 /, `[127.0.0.1]:${sshd.port} `)}\n`);
    const conninfo = /```psql "([^"]+)"```/.exec(shown)?.[1];
    expect(conninfo).toBe(
      `host=127.0.0.1 port=15432 dbname=${dev.database.databaseName} user=<you> sslmode=require`,
    );
    const args = await tunnelCommandFromBot(PEOPLE.developer.userId);
    // Host key checking on, against the published key only (ssh takes the first value of an option).
    const tunnel = spawnSsh([
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      `UserKnownHostsFile=${knownHosts}`,
      ...isolatedSshOptions(key.privatePath, sshd.port),
      ...args,
    ]);
    clients.push(tunnel);
    const asMe = conninfo!.replace('user=<you>', `user=${pg.user}`);
    expect(await queryThroughTunnel(15432)).toBe(pg.database);

    // WHEN the server does not offer TLS, then does
    const plain = psql(asMe, pg.password, 'SELECT 1');
    await enableServerSsl();
    const encrypted = psql(asMe, pg.password, 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');

    // THEN
    expect(plain.code).not.toBe(0);
    expect(plain.output).toContain('server does not support SSL, but SSL was required');
    expect(encrypted).toEqual({ code: 0, output: 't\n' });
    await stopProcess(tunnel);
  });

  it('does not let the same key open a shell, run a command, or forward anywhere else', async () => {
    // GIVEN
    const key = keys.generate('ed25519');
    await addKey(PEOPLE.developer.userId, key.publicLine);
    const ssh = (...args: string[]) => runSsh([...isolatedSshOptions(key.privatePath, sshd.port), ...args]);
    const target = `${TUNNEL_USER}@127.0.0.1`;

    // WHEN
    const shell = await ssh('-T', target);
    const ptyShell = await ssh('-tt', target);
    const command = await ssh('-T', target, 'id');
    const toSshd = await ssh('-W', `127.0.0.1:${sshd.port}`, target);
    const otherHostName = await ssh('-W', `127.0.0.2:${pg.port}`, target);
    const otherPort = await ssh('-W', `127.0.0.1:${pg.port + 1}`, target);
    const remoteForward = await ssh(
      '-N',
      '-o',
      'ExitOnForwardFailure=yes',
      '-R',
      `127.0.0.1:${await freePort()}:127.0.0.1:22`,
      target,
    );

    // THEN
    expect(shell).toMatchObject({ code: 1 });
    expect(shell.output).toContain('This account is currently not available.');
    expect(ptyShell.output).toMatch(/PTY allocation request failed|This account is currently not available/);
    expect(command).toMatchObject({ code: 1 });
    expect(command.output).toContain('This account is currently not available.');
    expect(command.output).not.toMatch(/uid=\d+/);
    for (const forward of [toSshd, otherHostName, otherPort]) {
      expect(forward.code).toBe(255);
      expect(forward.output).toMatch(/administratively prohibited|stdio forwarding failed/);
    }
    for (const [host, port] of [
      ['127.0.0.1', sshd.port],
      ['127.0.0.2', pg.port],
      ['127.0.0.1', pg.port + 1],
    ]) {
      expect(sshd.log()).toContain(`to connect to host ${host} port ${port}, but the request was denied`);
    }
    expect(remoteForward.code).toBe(255);
    expect(remoteForward.output).toMatch(/remote port forwarding failed|administratively prohibited/);
  });

  it('refuses a key once it is removed with /bastion-key remove', async () => {
    // GIVEN
    const key = keys.generate('ed25519');
    await addKey(PEOPLE.developer.userId, key.publicLine);
    const fingerprint = sshKeygenFingerprint(key.publicLine);
    const before = await runSsh([
      ...isolatedSshOptions(key.privatePath, sshd.port),
      '-T',
      `${TUNNEL_USER}@127.0.0.1`,
      'true',
    ]);

    // WHEN
    const removed = await bot.command(
      PEOPLE.developer.userId,
      CHANNELS.dev,
      'bastion-key',
      `dev remove ${fingerprint}`,
    );
    const after = await runSsh([
      ...isolatedSshOptions(key.privatePath, sshd.port),
      '-N',
      `${TUNNEL_USER}@127.0.0.1`,
    ]);

    // THEN
    expect(before.output).toContain('This account is currently not available.');
    expect(messageText(removed.ack.body)).toContain('Removed your key');
    expect(after.code).toBe(255);
    expect(after.output).toContain('Permission denied (publickey)');
  });

  it('refuses a key past its expiry even while it is still stored', async () => {
    // GIVEN a key added 31 days ago, with the 30-day expiry of dev
    const key = keys.generate('ed25519');
    clock = new Date(Date.now() - 31 * 86_400_000);
    await addKey(PEOPLE.developer.userId, key.publicLine);
    clock = new Date();

    // WHEN
    const login = await runSsh([
      ...isolatedSshOptions(key.privatePath, sshd.port),
      '-N',
      `${TUNNEL_USER}@127.0.0.1`,
    ]);

    // THEN
    expect(login.code).toBe(255);
    expect(login.output).toContain('Permission denied (publickey)');
    expect(sshd.log()).toContain('Refused by key options');
  });

  it("ignores a parameter that lacks the bot's restrictions, whoever wrote it", async () => {
    // GIVEN
    const key = keys.generate('ed25519');
    ssm.putRaw(`${dev.bastion.keysParameterPath}planted`, key.publicLine);

    // WHEN
    const login = await runSsh([
      ...isolatedSshOptions(key.privatePath, sshd.port),
      '-T',
      `${TUNNEL_USER}@127.0.0.1`,
      'id',
    ]);

    // THEN
    expect(login.code).toBe(255);
    expect(login.output).toContain('Permission denied (publickey)');
  });
});
