/**
 * Runs a process the way Fargate runs a task definition's container, without Docker: in a private
 * mount namespace (`unshare -m`) where the root filesystem is read-only (`ReadonlyRootFilesystem`),
 * each empty bind volume is a fresh tmpfs at its mount point with the owner and mode ECS gives it, and
 * the process runs as the container's user with no supplementary groups (`setpriv`), with the image's
 * and the task definition's environment only, in the directory that stands in for the image's WORKDIR.
 *
 * The owner and mode of an empty bind volume follow the ECS developer guide, "Use bind mounts with
 * Amazon ECS" (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bind-mounts.html) and its
 * examples (bind-mount-examples.html): the volume is owned by root with mode 0755, unless the image
 * declares the container path a `VOLUME`; then ECS copies the image's directory to the volume, with the
 * owner and permissions the Dockerfile gave it.
 *
 * The network is the machine's (only mounts are isolated), so the process reaches fakes and databases
 * that the test starts on 127.0.0.1. Needs root and util-linux (`unshare`, `setpriv`, `mount`).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { type DirectoryOwnership, type DockerImage, NODE_IMAGE_USERS, volumeOwnership } from './dockerfile';
import type { TaskContainer } from './task-container';

/** What ECS gives an empty bind volume at a path the image does not declare a `VOLUME`: root, 0755. */
export const ECS_EMPTY_BIND_MOUNT: DirectoryOwnership = { uid: 0, gid: 0, mode: 0o755 };

/** Docker's PATH when the image sets none (the node images set none). */
const DOCKER_DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** How to start the container's process here. */
export interface FargateSandboxOptions {
  readonly container: TaskContainer;
  readonly image: DockerImage;
  /** The directory that stands in for the image's WORKDIR: the files the image has there. */
  readonly appDir: string;
  /**
   * Local values for every secret of the task definition, and for every environment value that only
   * CloudFormation can resolve (a token). A missing one fails: a new secret needs a test value.
   */
  readonly values: Readonly<Record<string, string>>;
  /** Plain task-definition values replaced here: the local fakes have other addresses than AWS's. */
  readonly overrides?: Readonly<Record<string, string>>;
  /** Variables that ECS adds at run time or that point at the test's fakes (not in the task definition). */
  readonly extra?: Readonly<Record<string, string>>;
  /** Another command than the container's (run under the same conditions). @default the container's */
  readonly command?: readonly string[];
}

/** A process started in the sandbox. */
export interface SandboxProcess {
  readonly child: ChildProcess;
  /** The environment the process got. */
  readonly env: Readonly<Record<string, string>>;
  /** Owner and mode given to each empty bind volume, by container path. */
  readonly volumes: Readonly<Record<string, DirectoryOwnership>>;
  /** Output so far. */
  readonly stdout: readonly string[];
  readonly stderr: readonly string[];
  /** Resolves with the exit code (or the signal's name) once the output is read. */
  readonly exited: Promise<number | string>;
  /** Resolves with the first stdout line that `matches`; rejects, with stderr, if the process exits first. */
  line(matches: (line: string) => boolean): Promise<string>;
}

/**
 * Fails with what to do when this machine cannot run the sandbox: not root, util-linux missing (installed
 * with apt-get when root on Debian), or mounts not permitted (a container without CAP_SYS_ADMIN).
 */
export function requireFargateSandbox(): void {
  if (process.getuid?.() !== 0) {
    throw new Error(
      'the Fargate runtime tests mount file systems in a private namespace and switch users: run them as root (sudo npx jest test/runtime)',
    );
  }
  const missing = ['unshare', 'setpriv', 'mount'].filter(
    (tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0,
  );
  if (missing.length > 0) {
    if (!existsSync('/etc/debian_version')) {
      throw new Error(`${missing.join(', ')} not found: install util-linux (apt-get install -y util-linux)`);
    }
    const install = spawnSync('apt-get', ['install', '-y', 'util-linux'], { encoding: 'utf8' });
    if (install.status !== 0) throw new Error(`apt-get install -y util-linux failed: ${install.stderr}`);
  }
  const probe = spawnSync('unshare', ['-m', '--propagation', 'private', 'true'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(
      `unshare -m failed (${probe.stderr.trim()}): mounting in a private namespace needs CAP_SYS_ADMIN; in a container, run it with --privileged`,
    );
  }
}

/** The uid and gid the container runs as: its `User`, else the image's `USER`; a bare uid takes the image's group for it. */
export function containerIdentity(
  container: TaskContainer,
  image: DockerImage,
): { uid: number; gid: number } {
  const user = container.user ?? image.user ?? 'root';
  const [name = '', group] = user.split(':');
  const known = Object.entries(NODE_IMAGE_USERS);
  const byName = NODE_IMAGE_USERS[name];
  const uid = byName?.uid ?? (/^\d+$/.test(name) ? Number(name) : null);
  if (uid === null)
    throw new Error(`user ${user}: not a user of the base image (${known.map(([n]) => n).join(', ')})`);
  // Docker takes the primary group of the uid from the image's /etc/passwd, else 0.
  const primary = known.find(([, ids]) => ids.uid === uid)?.[1].gid ?? 0;
  const gid = group === undefined ? primary : (NODE_IMAGE_USERS[group]?.gid ?? Number(group));
  if (!Number.isInteger(gid)) throw new Error(`user ${user}: unknown group ${group}`);
  return { uid, gid };
}

/** The container's environment: the image's ENV, then the task definition's, then the secrets. */
export function containerEnvironment(options: FargateSandboxOptions): Record<string, string> {
  const { container, image, values, overrides = {}, extra = {} } = options;
  const env: Record<string, string> = {
    PATH: DOCKER_DEFAULT_PATH,
    HOSTNAME: 'fargate-sandbox',
    ...image.env,
  };
  for (const [name, value] of Object.entries(container.environment)) {
    const local = overrides[name] ?? (typeof value === 'string' ? value : values[name]);
    if (local === undefined) {
      throw new Error(`${name} is ${JSON.stringify(value)} in the task definition: give it a local value`);
    }
    env[name] = local;
  }
  for (const name of container.secrets) {
    const local = values[name];
    if (local === undefined)
      throw new Error(`secret ${name} of the task definition: give it a local test value`);
    env[name] = local;
  }
  for (const name of Object.keys(overrides)) {
    if (!(name in container.environment)) throw new Error(`override ${name}: not in the task definition`);
  }
  // The image's `node` is /usr/local/bin/node; here it is the node running this test (the same major).
  env.PATH = [dirname(process.execPath), env.PATH].join(':');
  return { ...env, ...extra };
}

/** Starts the container's process (or `options.command`) in the sandbox. */
export function startInFargateSandbox(options: FargateSandboxOptions): SandboxProcess {
  const { container, image, appDir } = options;
  if (container.entryPoint || image.entrypoint) {
    throw new Error("an ENTRYPOINT other than the base image's is not reproduced here");
  }
  // The node images' ENTRYPOINT (docker-entrypoint.sh) execs a command found on PATH as it is: the
  // process is the command itself.
  const command = options.command ?? container.command ?? image.cmd;
  if (!command) throw new Error(`${image.file}: no CMD, and the task definition has no Command`);
  const { uid, gid } = containerIdentity(container, image);
  const volumes: Record<string, DirectoryOwnership> = {};
  const script = ['set -e'];
  // The image's files (here a checkout or a stand-in, and its node_modules) may lie under a volume's
  // path (a clone under /tmp): held outside it while the volume covers the path, then put back at the
  // same path on top of the volume, so that the process finds them where they were.
  const needed = [...new Set([appDir, realpathSync(join(appDir, 'node_modules'))])];
  const underVolume = (path: string) =>
    container.mounts.some((m) => path === m.containerPath || path.startsWith(`${m.containerPath}/`));
  const held = needed
    .filter(underVolume)
    .map((path) => ({ path, holder: mkdtempSync('/var/tmp/fargate-hold-') }));
  for (const { path, holder } of held) script.push(`mount --bind '${path}' '${holder}'`);
  for (const mount of container.mounts) {
    if (!mount.emptyBindMount)
      throw new Error(`${mount.containerPath}: only empty bind volumes are reproduced`);
    const owner = volumeOwnership(image, mount.containerPath) ?? ECS_EMPTY_BIND_MOUNT;
    volumes[mount.containerPath] = owner;
    const flags = `mode=${owner.mode.toString(8).padStart(4, '0')},uid=${owner.uid},gid=${owner.gid}`;
    script.push(`mount -t tmpfs -o ${flags}${mount.readOnly ? ',ro' : ''} tmpfs '${mount.containerPath}'`);
  }
  for (const { path, holder } of held)
    script.push(`mkdir -p '${path}'`, `mount --bind '${holder}' '${path}'`);
  if (container.readonlyRootFilesystem) {
    script.push('mount -o remount,bind,ro /');
    // The image's files may be on other mounts than / (a CI workspace, node_modules elsewhere).
    for (const path of needed) {
      script.push(`mount --bind '${path}' '${path}'`, `mount -o remount,bind,ro '${path}'`);
    }
  }
  script.push('cd "$1"', 'shift', `exec setpriv --reuid=${uid} --regid=${gid} --clear-groups -- "$@"`);
  const env = containerEnvironment(options);
  const child = spawn(
    'unshare',
    ['-m', '--propagation', 'private', 'sh', '-c', script.join('\n'), 'sh', appDir, ...command],
    {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const stdout: string[] = [];
  const stderr: string[] = [];
  const exited = new Promise<number | string>((resolve) =>
    // 'close': after the exit and the end of its output, so every line has been read.
    child.once('close', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  void exited.then(() => {
    for (const { holder } of held) rmdirSync(holder);
  });
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  const lines = createInterface({ input: child.stdout! });
  const waiting: { matches: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  lines.on('line', (line) => {
    stdout.push(line);
    for (const wait of waiting.filter((w) => w.matches(line))) {
      waiting.splice(waiting.indexOf(wait), 1);
      wait.resolve(line);
    }
  });
  return {
    child,
    env,
    volumes,
    stdout,
    stderr,
    exited,
    line(matches) {
      const seen = stdout.find(matches);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiting.push({ matches, resolve });
        void exited.then((code) =>
          reject(
            new Error(
              `exited with ${code} first; stderr:\n${stderr.join('\n')}\nstdout:\n${stdout.join('\n')}`,
            ),
          ),
        );
      });
    },
  };
}

/** Runs `command` to its end in the sandbox; resolves with its exit code and output. */
export async function runInFargateSandbox(
  options: FargateSandboxOptions & { readonly command: readonly string[] },
): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const run = startInFargateSandbox(options);
  const code = await run.exited;
  return { code, stdout: run.stdout.join('\n'), stderr: run.stderr.join('\n') };
}
