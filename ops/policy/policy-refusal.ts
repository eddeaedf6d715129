/** The error a caller throws for a decision it cannot go on with. */
import { UserError } from '../user-error';
import type { ChangeDecision } from './decide-change';
import type { PolicyVerdict } from './policy-verdict';

/** The verdict that stops a caller who cannot ask for anything more (the command line): a refusal, or the first need. */
export function blockingVerdict(decision: ChangeDecision): PolicyVerdict | null {
  if (decision.outcome === 'refuse') return decision.refusal;
  if (decision.outcome === 'needs') return decision.needs[0] ?? null;
  return null;
}

/**
 * A {@link UserError} with the verdict's reason and hint, for the dispatcher or the command line to
 * show. The audit tells them apart as it does for commands: what a person must agree to (a sign-off,
 * an approval, an admin's freeze override) is `refused`, like a permission; the state of the world
 * (a freeze window, the lock, a missing image, zero tasks without the words) is `rejected`.
 */
export function policyRefusal(verdict: PolicyVerdict): UserError {
  const outcome = verdict.rule === 'sign-off' || verdict.rule === 'approval' ? 'refused' : 'rejected';
  return new UserError(verdict.reason, verdict.hint ?? 'Nothing can be done about it from here.', outcome);
}
