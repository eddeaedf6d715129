/**
 * Who runs the command line, as the deploy lock, the history and the audit record it: the GitHub
 * Actions run (`ci:<actor>@<repository>#<run id>`), else the operating-system user (`cli:<user>`).
 */
import { userInfo } from 'node:os';
import type { CiActor, CliActor } from '../ops/aws-actor';

/** The command line's identity: `id` goes into the lock, the history and the audit line. */
export interface CliIdentity {
  /** `ci:<GITHUB_ACTOR>@<GITHUB_REPOSITORY>#<GITHUB_RUN_ID>` in GitHub Actions, else `cli:<os user>`. */
  readonly id: string;
  /** What people read (the same as `id`: it already says who and where). */
  readonly name: string;
  /** The STS session name of assumed roles, so that CloudTrail names the run or person too. */
  readonly roleSessionName: string;
  /**
   * Who the AWS calls are made for, in the sessions of the roles the run assumes (the operator and
   * plan roles): the source identity `gh-<run id>` or `cli-<user>` and the `wheelhouse:*` session tags.
   */
  readonly actor: CiActor | CliActor;
}

/** Reads the identity from the environment variables GitHub Actions sets, or from the OS user. */
export function cliIdentity(env: NodeJS.ProcessEnv, osUser: () => string = defaultOsUser): CliIdentity {
  if (env.GITHUB_ACTIONS === 'true') {
    const actor = clean(env.GITHUB_ACTOR);
    const repository = clean(env.GITHUB_REPOSITORY);
    const run = clean(env.GITHUB_RUN_ID);
    const id = `ci:${actor}@${repository}#${run}`;
    return {
      id,
      name: id,
      roleSessionName: sessionName(`wheelhouse-ci-${actor}-${run}`),
      actor: { via: 'ci', runId: run, repository, actor },
    };
  }
  const user = clean(osUser());
  const id = `cli:${user}`;
  return {
    id,
    name: id,
    roleSessionName: sessionName(`wheelhouse-cli-${user}`),
    actor: { via: 'cli', osUser: user },
  };
}

/** STS allows 2 to 64 of `[\w+=,.@-]` in a session name. */
function sessionName(text: string): string {
  return text.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}

function defaultOsUser(): string {
  try {
    return userInfo().username;
  } catch {
    // A container user without a passwd entry: the shell's variables are all there is.
    return process.env.USER ?? process.env.USERNAME ?? '';
  }
}

/**
 * Keeps the characters of GitHub names and ids (`dependabot[bot]`, `owner/repo`, digits), so that a
 * value cannot forge a log line or Slack markup.
 */
function clean(value: string | undefined): string {
  const kept = (value ?? '').replace(/[^A-Za-z0-9._/[\]-]/g, '').slice(0, 100);
  return kept === '' ? 'unknown' : kept;
}
