/** The error a caller throws for a decision it cannot go on with. */
import { RefusalError } from '../user-error';
import type { ChangeDecision } from './decide-change';
import type { PolicyVerdict } from './policy-verdict';

/** The verdict that stops a caller who cannot ask for anything more (the command line): a refusal, or the first need. */
export function blockingVerdict(decision: ChangeDecision): PolicyVerdict | null {
  if (decision.outcome === 'refuse') return decision.refusal;
  if (decision.outcome === 'needs') return decision.needs[0] ?? null;
  return null;
}

/** A {@link RefusalError} with the verdict's reason and hint, for the dispatcher or the command line to show. */
export function policyRefusal(verdict: PolicyVerdict): RefusalError {
  return new RefusalError(verdict.reason, verdict.hint ?? 'Nothing can be done about it from here.');
}
