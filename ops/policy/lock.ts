/**
 * Rule: a deploy or rollback does not start while someone else holds the environment's lock (a
 * running deploy, or `/lock`). The holder's own lock does not stop them here (they may be
 * about to release it); taking the lock at the start of the deploy (`beginDeploy`, a conditional
 * write) is the real fence, and this rule is the early, readable refusal, also before an approval
 * is asked for or given.
 *
 * A scale does not wait for the lock: it does not touch the stack (the stack never sets a desired
 * count), and capacity during a long deploy or a held lock is what an incident may need.
 */
import { DeployLockedError } from '../deploy/run-deploy';
import type { ChangeFacts } from './change-facts';
import { allow, type PolicyVerdict, verdict } from './policy-verdict';

/** The verdict of the lock rule. */
export function lockRule(facts: ChangeFacts): PolicyVerdict {
  if (facts.action === 'scale') return allow('lock', 'a scale does not take the deploy lock');
  const { lock, environment } = facts;
  if (lock === null) return allow('lock', `${environment.name} is not locked`);
  if (lock.owner === facts.actor.id) return allow('lock', 'the lock is the caller’s own');
  // The same words as the fence itself (`beginDeploy`), stale lock included: one text for one refusal.
  const locked = new DeployLockedError(environment.name, lock);
  return verdict('lock', 'refuse', locked.message, locked.hint ?? '');
}
