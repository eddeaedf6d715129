/**
 * How the command line asks the one change policy (`ops/policy/`): its side of a change request (a
 * CI run or a person at a terminal, never an admin: it has no Slack identity to check) and what it
 * does with the answer. It cannot ask a second person, so anything the policy still needs (an
 * approval, a sign-off) stops it like a refusal, with the verdict's hint saying how to get it.
 */
import type { Config, EnvironmentConfig } from '../config';
import type { AwsClients } from '../ops/aws-clients';
import type { ChangeAction, ChangeRequest, ScaleChange } from '../ops/policy/change-facts';
import { type DecidedChange, decideRequest, refusalWithoutLookups } from '../ops/policy/decide-change';
import { blockingVerdict, policyRefusal } from '../ops/policy/policy-refusal';
import type { CliIdentity } from './ci-identity';

/** What a command asks for. */
export interface CliChange {
  readonly action: ChangeAction;
  readonly environment: EnvironmentConfig;
  readonly version: string | null;
  readonly scale: ScaleChange | null;
  readonly freezeOverride: string | null;
}

/** The request of `change` made now by `identity` (`ci:…` is a CI run, anything else a terminal). */
export function cliChangeRequest(identity: CliIdentity, change: CliChange, now: Date): ChangeRequest {
  return {
    ...change,
    caller: identity.id.startsWith('ci:') ? 'ci' : 'cli',
    actor: { id: identity.id, name: identity.name, isAdmin: false },
    approval: { status: 'none' },
    now,
  };
}

/**
 * Decides `change`; returns the decision when it may proceed, and throws the refusal (exit 2) when
 * a rule refuses or still needs something the command line cannot get itself.
 */
export async function decideOnCommandLine(
  aws: AwsClients,
  config: Config,
  identity: CliIdentity,
  change: CliChange,
  now: Date,
): Promise<DecidedChange> {
  const decided = await decideRequest(aws, config, cliChangeRequest(identity, change, now));
  const blocking = blockingVerdict(decided.decision);
  if (blocking !== null) throw policyRefusal(blocking);
  return decided;
}

/** Throws the refusal `change` gets whatever AWS would say (before asking for credentials), if any. */
export function refuseWithoutLookups(
  config: Config,
  identity: CliIdentity,
  change: CliChange,
  now: Date,
): void {
  const refusal = refusalWithoutLookups(config, cliChangeRequest(identity, change, now));
  if (refusal !== null) throw policyRefusal(refusal);
}
