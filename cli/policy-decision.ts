/**
 * What a `--plan` shows of the change policy's decision (`ops/policy/decide-change.ts`), and the
 * refusal it then exits with. A run decides through `decideOnCommandLine` (`cli-change-request.ts`),
 * which throws at once; a plan first prints what it would do, so it decides, prints, then stops here.
 */
import type { ChangeDecision } from '../ops/policy/decide-change';
import { blockingVerdict, policyRefusal } from '../ops/policy/policy-refusal';

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

/**
 * Throws the refusal (exit 2) of a planned decision the command line could not go on with: a plan
 * exits as the run would, so that a script reads "the policy would stop it" as 2, never as 3.
 */
export function refuseIfBlocked(decision: ChangeDecision): void {
  const blocking = blockingVerdict(decision);
  if (blocking !== null) throw policyRefusal(blocking);
}
