/**
 * Real OpenSSH in tests: makes sure Debian's openssh-server and openssh-client are installed
 * (installing them when running as root on Debian), runs sshd in the foreground on a loopback port,
 * and runs an isolated ssh client. See ../shared/notes/sshd-in-tests.md for the facts behind this.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The command that installs what these tests need. */
export const INSTALL_OPENSSH = 'apt-get update && apt-get install -y openssh-server openssh-client';

/** Installs OpenSSH when missing (as root on Debian); otherwise throws with the command to run. */
export function ensureOpenSsh(): void {
  const missing = ['/usr/sbin/sshd', '/usr/bin/ssh', '/usr/bin/ssh-keygen'].filter((p) => !existsSync(p));
  if (missing.length === 0) return;
  const isDebian = existsSync('/etc/debian_version');
  if (process.getuid?.() === 0 && isDebian) {
    execFileSync('sh', ['-c', INSTALL_OPENSSH], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    return;
  }
  throw new Error(`OpenSSH is missing (${missing.join(', ')}): run \`${INSTALL_OPENSSH}\` as root.`);
}

/** Creates a no-login system account for the tunnel (sshd refuses locked accounts, so its password is `*`). */
export function ensureTunnelUser(name: string): void {
  if (spawnSync('id', ['-u', name]).status === 0) return;
  if (process.getuid?.() !== 0) throw new Error(`the user ${name} is missing and only root can create it`);
  execFileSync('useradd', ['--system', '--shell', '/usr/sbin/nologin', '--no-create-home', '-p', '*', name]);
}

/** A running sshd. */
export interface RunningSshd {
  readonly port: number;
  /** Everything sshd wrote to stderr (`-e`), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/**
 * Starts `sshd -D -e -f <dir>/sshd_config` with `globalLines` (Port, HostKey…) before `dropIn` (the
 * bastion's rendered settings, whose Match block must come last). Resolves once it listens.
 */
export async function startSshd(dir: string, port: number, dropIn: string): Promise<RunningSshd> {
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const hostKey = join(dir, 'ssh_host_ed25519_key');
  if (!existsSync(hostKey)) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      'PidFile none',
      'UsePAM no',
      'LogLevel VERBOSE',
      dropIn,
    ].join('\n'),
  );
  const check = spawnSync('/usr/sbin/sshd', ['-t', '-f', config], { encoding: 'utf8' });
  if (check.status !== 0)
    throw new Error(`sshd -t rejected the config: ${check.stderr}\n${readFileSync(config, 'utf8')}`);
  const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sshd did not start: ${stderr}`)), 10_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('Server listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sshd exited with ${code}: ${stderr}`));
    });
  });
  return {
    port,
    log: () => stderr,
    stop: () => stopProcess(child),
  };
}

/** Options that keep the ssh client away from the user's own config, agent and known hosts. */
export function isolatedSshOptions(privateKey: string, port: number): string[] {
  return [
    '-F',
    '/dev/null',
    '-i',
    privateKey,
    '-p',
    String(port),
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    'ConnectTimeout=5',
    '-o',
    'LogLevel=ERROR',
  ];
}

/** The environment for ssh: no agent. */
export function sshEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.SSH_AUTH_SOCK;
  return env;
}

/** Runs ssh to completion; returns its exit code and output. */
export function runSsh(
  args: readonly string[],
  timeoutMs = 15_000,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('ssh', args, { env: sshEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Starts a long-running ssh (a tunnel); stop it with {@link stopProcess}. */
export function spawnSsh(args: readonly string[]): ChildProcess & { output(): string } {
  const child = spawn('ssh', args, { env: sshEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  return Object.assign(child, { output: () => output });
}

/** SIGTERM, then SIGKILL after 3 s; resolves when the process has exited. */
export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
