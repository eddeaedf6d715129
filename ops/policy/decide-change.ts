/**
 * The change policy: every rule of `ops/policy/`, in one fixed order, over the same facts. The bot
 * and the command line call it when a change is asked for, and the bot again when an approval is
 * given (with the time of the click), so that what was true at the request (no freeze window, no
 * lock) is checked again when the change would really start.
 */
import type { Config } from '../../config';
import type { AwsClients } from '../aws-clients';
import { approvalRule } from './approval';
import { type ChangeFacts, type ChangeRequest, gatherChangeFacts, offlineChangeFacts } from './change-facts';
import { freezeWindow } from './freeze-window';
import { imageExists } from './image-exists';
import { lockRule } from './lock';
import type { PolicyRule, PolicyVerdict } from './policy-verdict';
import { scaleToZero } from './scale-to-zero';
import { signOffRule } from './sign-off';

/** The rules in the order they run: the first refusal is the one the caller reads. */
const RULES: readonly (readonly [PolicyRule, (facts: ChangeFacts) => PolicyVerdict])[] = [
  ['scale-to-zero', scaleToZero],
  ['image-exists', imageExists],
  ['freeze-window', freezeWindow],
  ['lock', lockRule],
  ['sign-off', signOffRule],
  ['approval', approvalRule],
];

/** The combined decision. */
export type ChangeDecision =
  /** A rule refused: the change may not happen as asked. */
  | {
      readonly outcome: 'refuse';
      readonly refusal: PolicyVerdict;
      readonly verdicts: readonly PolicyVerdict[];
    }
  /** Nothing refused, but an approval or a sign-off is still needed (each verdict says which). */
  | {
      readonly outcome: 'needs';
      readonly needs: readonly PolicyVerdict[];
      readonly audit: readonly string[];
      readonly verdicts: readonly PolicyVerdict[];
    }
  /** The change may proceed; `audit` lists what the reply and the audit line must carry. */
  | {
      readonly outcome: 'allow';
      readonly audit: readonly string[];
      readonly verdicts: readonly PolicyVerdict[];
    };

/** Runs every rule over `facts` and combines the verdicts: the first refusal wins, else what is needed. */
export function decideChange(facts: ChangeFacts): ChangeDecision {
  const verdicts = RULES.map(([, rule]) => rule(facts));
  const refusal = verdicts.find((v) => v.outcome === 'refuse');
  if (refusal) return { outcome: 'refuse', refusal, verdicts };
  const audit = verdicts.flatMap((v) => (v.audit === null ? [] : [v.audit]));
  const needs = verdicts.filter((v) => v.outcome === 'needs-approval' || v.outcome === 'needs-sign-off');
  if (needs.length > 0) return { outcome: 'needs', needs, audit, verdicts };
  return { outcome: 'allow', audit, verdicts };
}

/** A decision with the facts it was made on (callers render the lock's holder, the sign-off, …). */
export interface DecidedChange {
  readonly facts: ChangeFacts;
  readonly decision: ChangeDecision;
}

/**
 * The rules that read nothing looked up before they refuse: a refusal of theirs over offline facts
 * is the same as over looked-up ones (the sign-off rule refuses a missing version or one that is not
 * a release tag before it reads the sign-off). `image-exists` and `lock` refuse on lookups only.
 */
const LOOKUP_FREE_REFUSALS: ReadonlySet<PolicyRule> = new Set<PolicyRule>([
  'scale-to-zero',
  'freeze-window',
  'sign-off',
  'approval',
]);

/** The first refusal `request` gets whatever AWS would say, or null: decided before anything is looked up. */
export function refusalWithoutLookups(config: Config, request: ChangeRequest): PolicyVerdict | null {
  const facts = offlineChangeFacts(config, request);
  for (const [name, rule] of RULES) {
    if (!LOOKUP_FREE_REFUSALS.has(name)) continue;
    const verdict = rule(facts);
    if (verdict.outcome === 'refuse') return verdict;
  }
  return null;
}

/**
 * Decides `request`: a refusal that needs no lookup comes first, without talking to AWS (a CI job
 * without access to the repository still learns that the version is not a release tag); otherwise
 * what the rules need is looked up and every rule runs. The entry point of every caller.
 */
export async function decideRequest(
  aws: AwsClients,
  config: Config,
  request: ChangeRequest,
): Promise<DecidedChange> {
  const early = refusalWithoutLookups(config, request);
  if (early !== null) {
    return {
      facts: offlineChangeFacts(config, request),
      decision: { outcome: 'refuse', refusal: early, verdicts: [early] },
    };
  }
  const facts = await gatherChangeFacts(aws, config, request);
  return { facts, decision: decideChange(facts) };
}
