/**
 * The command line's {@link ChangeRequest} for the one change policy (`ops/policy/`): who asks, from
 * where, with nothing approved. The rules for callers `cli` and `ci` live in `ops/policy/`; the
 * command line only says which caller it is and never decides a rule itself.
 */
import type { EnvironmentConfig } from '../config';
import type { ChangeAction, ChangeCaller, ChangeRequest, ScaleChange } from '../ops/policy/change-facts';
import type { CliIdentity } from './ci-identity';

/** What a command asks the policy about. */
export interface CliChangeOptions {
  readonly action: ChangeAction;
  readonly environment: EnvironmentConfig;
  /** The image tag deployed or rolled back to; null for a scale or an infrastructure-only deploy. */
  readonly version: string | null;
  readonly scale: ScaleChange | null;
  readonly freezeOverride: string | null;
  readonly now: Date;
}

/** `ci` for a GitHub Actions run, else `cli` (a person at a terminal). */
export function cliCaller(identity: CliIdentity): ChangeCaller {
  // cli/ci-identity.ts gives a CI run, and only a CI run, the `ci:` prefix.
  return identity.id.startsWith('ci:') ? 'ci' : 'cli';
}

/**
 * The request of one command-line run. `isAdmin` is false: the command line has no Slack identity
 * to check against `permissions.admins`. The approval is `none`: the command line cannot ask for one
 * (a rule that needs one makes the run refuse, with the rule's hint).
 */
export function cliChangeRequest(identity: CliIdentity, options: CliChangeOptions): ChangeRequest {
  return {
    ...options,
    caller: cliCaller(identity),
    actor: { id: identity.id, name: identity.name, isAdmin: false },
    approval: { status: 'none' },
  };
}
