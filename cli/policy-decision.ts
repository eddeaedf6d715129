/**
 * The change policy's decision (`ops/policy/decide-change.ts`) on the command line: what a plan
 * shows of it, and the refusal a run stops with. The command line cannot ask for an approval or a
 * sign-off, so a decision that still needs one stops it just as a refusal does (exit 2), with the
 * verdict's hint saying where to get it.
 */

import type { ChangeDecision } from '../ops/policy/decide-change';
import { blockingVerdict, policyRefusal } from '../ops/policy/policy-refusal';

/**
 * Throws the refusal (a `RefusalError`, exit 2) of a decision the command line cannot go on with;
 * else returns the audit notes the run must print (a rollback inside a freeze window, a scale to zero).
 */
export function requireAllowed(decision: ChangeDecision): readonly string[] {
  const blocking = blockingVerdict(decision);
  if (blocking !== null) throw policyRefusal(blocking);
  return decision.outcome === 'refuse' ? [] : decision.audit;
}

/**
 * What a plan prints of the decision: every verdict that would stop the change (the first one is
 * also the refusal the plan exits 2 with), or that it may proceed and what would be noted.
 */
export function planDecisionLines(decision: ChangeDecision): string[] {
  const stopping = decision.verdicts.filter((v) => v.outcome !== 'allow');
  if (stopping.length > 0) {
    return stopping.map(
      (v) =>
        `Policy: would stop it (${v.rule}${v.outcome === 'refuse' ? '' : `, ${v.outcome}`}): ${v.reason}${v.hint ? ` ${v.hint}` : ''}`,
    );
  }
  const notes = decision.outcome === 'allow' ? decision.audit : [];
  return ['Policy: nothing would stop it.', ...notes.map((note) => `Policy: would note: ${note}`)];
}
