/**
 * Reads what a Dockerfile declares about the image it builds (no Docker engine on these machines): the
 * stages, and of the runtime stage (the last one) its WORKDIR, ENV, USER, VOLUMEs, CMD and ENTRYPOINT,
 * and the owner and mode it gives a path before declaring it a VOLUME.
 */
import { readFileSync } from 'node:fs';

/** One instruction, continuation lines joined. */
export interface DockerInstruction {
  /** Upper case: `RUN`, `COPY`, `VOLUME`… */
  readonly keyword: string;
  readonly args: string;
  /** 1-based line of the instruction's first line, for messages. */
  readonly line: number;
}

/** One `FROM` and the instructions up to the next one. */
export interface DockerStage {
  /** The `FROM` image with the global `ARG` defaults substituted, e.g. `node:20-bookworm-slim`. */
  readonly from: string;
  /** `AS <name>`, or null. */
  readonly name: string | null;
  readonly instructions: readonly DockerInstruction[];
}

/** The owner and mode of a directory, as numbers. */
export interface DirectoryOwnership {
  readonly uid: number;
  readonly gid: number;
  /** e.g. 0o1777 */
  readonly mode: number;
}

/** What the runtime stage of an image declares. */
export interface DockerImage {
  readonly file: string;
  readonly stages: readonly DockerStage[];
  /** The `FROM` image of the runtime stage. */
  readonly from: string;
  /** The last `WORKDIR` of the runtime stage. */
  readonly workdir: string;
  /** `ENV` of the runtime stage, in order (later wins). */
  readonly env: Readonly<Record<string, string>>;
  /** The last `USER` of the runtime stage, or null (root). */
  readonly user: string | null;
  /** `VOLUME` paths of the runtime stage. */
  readonly volumes: readonly string[];
  /** `CMD` in exec form (a shell form becomes `/bin/sh -c …`), or null. */
  readonly cmd: readonly string[] | null;
  /** `ENTRYPOINT` of the runtime stage, or null (the base image's). */
  readonly entrypoint: readonly string[] | null;
}

/**
 * Users of the official `node` base images, by name: their Dockerfiles run `groupadd --gid 1000 node &&
 * useradd --uid 1000 --gid node … node` (github.com/nodejs/docker-node, `<version>/bookworm-slim/Dockerfile`).
 */
export const NODE_IMAGE_USERS: Readonly<Record<string, { readonly uid: number; readonly gid: number }>> = {
  root: { uid: 0, gid: 0 },
  node: { uid: 1000, gid: 1000 },
};

/** Parses `file` (or `text` as that file). @throws Error naming the file and line of an instruction it cannot read. */
export function readDockerfile(file: string, text = readFileSync(file, 'utf8')): DockerImage {
  const instructions = instructionsOf(file, text);
  const args: Record<string, string> = {};
  const stages: { from: string; name: string | null; instructions: DockerInstruction[] }[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = instruction.args.split(/\s+/);
      const from = image.replace(
        /\$\{(\w+)\}|\$(\w+)/g,
        (_, a?: string, b?: string) => args[a ?? b ?? ''] ?? '',
      );
      stages.push({ from, name: as?.toUpperCase() === 'AS' ? (name ?? null) : null, instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword === 'ARG') {
        const [name = '', value = ''] = instruction.args.split('=', 2);
        args[name.trim()] = value.trim();
      }
    } else {
      stages[stages.length - 1]!.instructions.push(instruction);
    }
  }
  const runtime = stages[stages.length - 1];
  if (!runtime) throw new Error(`${file}: no FROM instruction`);
  let workdir = '/';
  const env: Record<string, string> = {};
  let user: string | null = null;
  const volumes: string[] = [];
  let cmd: string[] | null = null;
  let entrypoint: string[] | null = null;
  for (const { keyword, args: text, line } of runtime.instructions) {
    if (keyword === 'WORKDIR')
      workdir = text.startsWith('/') ? text : `${workdir.replace(/\/$/, '')}/${text}`;
    else if (keyword === 'ENV') Object.assign(env, envPairs(text, file, line));
    else if (keyword === 'USER') user = text;
    else if (keyword === 'VOLUME') volumes.push(...commandForm(text, file, line, false));
    else if (keyword === 'CMD') cmd = commandForm(text, file, line, true);
    else if (keyword === 'ENTRYPOINT') entrypoint = commandForm(text, file, line, true);
  }
  return { file, stages, from: runtime.from, workdir, env, user, volumes, cmd, entrypoint };
}

/**
 * The owner and mode the runtime stage gives `path` before it declares `path` a `VOLUME`, from its
 * `RUN chmod <octal> <path>` and `RUN chown <user>[:<group>] <path>`. Only what runs before the
 * `VOLUME` counts: Docker's legacy builder discards later changes to a volume's path
 * (https://docs.docker.com/reference/dockerfile/#notes-about-specifying-volumes).
 *
 * @returns null when the runtime stage declares no `VOLUME` at `path`.
 * @throws Error when it does but sets no explicit mode: the mode would then be the base image's, which
 *   cannot be read without pulling the image.
 */
export function volumeOwnership(image: DockerImage, path: string): DirectoryOwnership | null {
  const runtime = image.stages[image.stages.length - 1]!;
  const declaredAt = runtime.instructions.findIndex(
    (i) => i.keyword === 'VOLUME' && commandForm(i.args, image.file, i.line, false).includes(path),
  );
  if (declaredAt < 0) return null;
  let owner = NODE_IMAGE_USERS.root!;
  let mode: number | null = null;
  let runsAs = 'root';
  for (const { keyword, args, line } of runtime.instructions.slice(0, declaredAt)) {
    if (keyword === 'USER') runsAs = args;
    if (keyword !== 'RUN') continue;
    for (const command of args.split(/&&|;|\|\|/).map((c) => c.trim().split(/\s+/))) {
      const [program, ...rest] = command;
      if (rest[rest.length - 1] !== path || (program !== 'chmod' && program !== 'chown')) continue;
      if (runsAs !== 'root') {
        throw new Error(`${image.file}:${line}: ${program} of ${path} runs as ${runsAs}; run it before USER`);
      }
      const value = rest[rest.length - 2] ?? '';
      if (program === 'chmod') {
        if (!/^[0-7]{3,4}$/.test(value)) {
          throw new Error(`${image.file}:${line}: chmod ${value} ${path}: give the mode in octal, e.g. 1777`);
        }
        mode = Number.parseInt(value, 8);
      } else {
        const [userName = '', groupName] = value.split(':');
        const user = NODE_IMAGE_USERS[userName];
        const group = groupName === undefined ? user : NODE_IMAGE_USERS[groupName];
        if (!user || !group) {
          throw new Error(
            `${image.file}:${line}: chown ${value} ${path}: only ${Object.keys(NODE_IMAGE_USERS).join(', ')} are known users of the base image`,
          );
        }
        owner = { uid: user.uid, gid: group.gid };
      }
    }
  }
  if (mode === null) {
    throw new Error(
      `${image.file}: VOLUME ${path} without "RUN chmod <octal mode> ${path}" before it: the volume would take the base image's mode, which this test cannot read; set it explicitly`,
    );
  }
  return { ...owner, mode };
}

/** Instructions of a Dockerfile's text: comments and parser directives dropped, `\` continuations joined. */
function instructionsOf(file: string, text: string): DockerInstruction[] {
  const result: DockerInstruction[] = [];
  let pending: { text: string; line: number } | null = null;
  text.split('\n').forEach((raw, index) => {
    const trimmed = raw.trim();
    if (pending === null && (trimmed === '' || trimmed.startsWith('#'))) return;
    if (pending !== null && trimmed.startsWith('#')) return;
    const continued = trimmed.endsWith('\\');
    const piece = continued ? trimmed.slice(0, -1) : trimmed;
    pending = pending
      ? { text: `${pending.text} ${piece}`, line: pending.line }
      : { text: piece, line: index + 1 };
    if (continued) return;
    const match = /^(\w+)\s+([\s\S]*)$/.exec(pending.text.trim());
    if (!match) throw new Error(`${file}:${pending.line}: cannot read "${pending.text}"`);
    result.push({ keyword: match[1]!.toUpperCase(), args: match[2]!.trim(), line: pending.line });
    pending = null;
  });
  return result;
}

/** `ENV A=1 B=2` or the legacy `ENV A 1`. */
function envPairs(text: string, file: string, line: number): Record<string, string> {
  if (!text.includes('=')) {
    const [name = '', ...value] = text.split(/\s+/);
    return { [name]: value.join(' ') };
  }
  const pairs: Record<string, string> = {};
  for (const match of text.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    const value = match[2]!;
    pairs[match[1]!] = value.startsWith('"') ? (JSON.parse(value) as string) : value;
  }
  if (Object.keys(pairs).length === 0) throw new Error(`${file}:${line}: cannot read ENV ${text}`);
  return pairs;
}

/** The JSON exec form, or the shell form (`/bin/sh -c …` for a command; split on spaces for VOLUME). */
function commandForm(text: string, file: string, line: number, shell: boolean): string[] {
  if (text.startsWith('[')) {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === 'string')) {
      throw new Error(`${file}:${line}: expected a JSON array of strings, got ${text}`);
    }
    return parsed;
  }
  return shell ? ['/bin/sh', '-c', text] : text.split(/\s+/);
}
