/**
 * Lays out, without Docker, the files an image's WORKDIR holds, by following its Dockerfile: each
 * stage's `COPY` (from the build context or an earlier stage) and `RUN` (in that stage's directory),
 * with the checkout's node_modules in place of `npm ci` (no registry in tests; it holds the dev
 * dependencies too). `ADD <url>` and copies outside the WORKDIR are left out and returned, for the test
 * to say why they do not matter to it. The `.dockerignore` is not applied: the stand-in may hold more
 * files than the image (e.g. READMEs), never fewer.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import type { DockerImage } from './dockerfile';

/** The stand-in of the runtime stage's WORKDIR, and what it leaves out. */
export interface ImageStandIn {
  /** Directory with the files the image has in its WORKDIR. */
  readonly workdir: string;
  /** Instructions not reproduced, e.g. `ADD https://… /etc/ssl/certs/…`. */
  readonly skipped: readonly string[];
}

/**
 * Builds the stand-in in `into` (one folder per stage) from `context` (the repository root).
 *
 * `into` must not be under /tmp: the sandbox mounts an empty volume there.
 */
export function buildImageStandIn(image: DockerImage, context: string, into: string): ImageStandIn {
  const stageDirs = new Map<string, { dir: string; workdir: string }>();
  const skipped: string[] = [];
  let last = '';
  image.stages.forEach((stage, index) => {
    const dir = join(into, stage.name ?? `stage-${index}`);
    mkdirSync(dir, { recursive: true });
    let workdir = '/';
    /** A path of the image, as a path of `dir` (null when outside the WORKDIR). */
    const local = (path: string): string | null => {
      const absolute = isAbsolute(path) ? path : join(workdir, path);
      const inside = relative(workdir, absolute);
      return inside.startsWith('..') ? null : join(dir, inside);
    };
    for (const { keyword, args } of stage.instructions) {
      if (keyword === 'WORKDIR') workdir = isAbsolute(args) ? args : join(workdir, args);
      else if (keyword === 'COPY') {
        const words = args.split(/\s+/);
        const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
        const [dest = '', ...sources] = words.filter((w) => !w.startsWith('--')).reverse();
        const target = local(dest);
        if (!target) {
          skipped.push(`COPY ${args}`);
          continue;
        }
        for (const source of sources.reverse()) {
          const origin = from ? stageDirs.get(from) : { dir: context, workdir: '/' };
          if (!origin) throw new Error(`${image.file}: COPY --from=${from}: no such stage before it`);
          const path = from ? join(origin.dir, relative(origin.workdir, source)) : join(context, source);
          const into =
            dest.endsWith('/') || sources.length > 1 ? join(target, source.split('/').pop()!) : target;
          cpSync(path, into, { recursive: true, dereference: false, verbatimSymlinks: true });
        }
      } else if (keyword === 'RUN') {
        if (/^npm ci\b/.test(args)) {
          // What `npm ci` installs: the checkout's dependencies (a symlink; realpath for a linked checkout).
          symlinkSync(realpathSync(join(context, 'node_modules')), join(dir, 'node_modules'));
          const rest = args.replace(/^npm ci[^&]*(&&)?/, '').trim();
          if (rest && !rest.startsWith('npm cache'))
            execFileSync('sh', ['-c', rest], { cwd: dir, stdio: 'pipe' });
        } else {
          execFileSync('sh', ['-c', args], { cwd: local(workdir) ?? dir, stdio: 'pipe' });
        }
      } else if (keyword === 'ADD') skipped.push(`ADD ${args}`);
    }
    stageDirs.set(stage.name ?? String(index), { dir, workdir });
    last = dir;
  });
  return { workdir: last, skipped };
}
