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
import type { ChangeFacts } from './change-facts';
import { allow, type PolicyVerdict, verdict } from './policy-verdict';

/** The verdict of the lock rule. */
export function lockRule(facts: ChangeFacts): PolicyVerdict {
  if (facts.action === 'scale') return allow('lock', 'a scale does not take the deploy lock');
  const { lock, environment } = facts;
  if (lock === null) return allow('lock', `${environment.name} is not locked`);
  if (lock.owner === facts.actor.id) return allow('lock', 'the lock is the caller’s own');
  return verdict(
    'lock',
    'refuse',
    `${environment.name} is locked by ${lock.ownerName} (${lock.owner}) since ${lock.since.toISOString()}: ${lock.reason}.`,
    // A stale lock is still held (ops/deploy/deploy-state.ts): waiting for its expiry frees nothing.
    lock.stale
      ? `The lock looks stale: it expired ${lock.expiresAt.toISOString()} without a renewal. Wheelhouse takes it over only once one process has seen it unchanged for a whole lease; an ${environment.name} admin can release it now with /unlock ${environment.name} --force.`
      : `The lock expires ${lock.expiresAt.toISOString()}. Wait for it, or ask them to /unlock ${environment.name}.`,
  );
}
