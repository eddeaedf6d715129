/**
 * How `/deploy`, `/rollback` and `/scale` ask the one change policy (`ops/policy/`) whether a change
 * may happen: the Slack side of a {@link ChangeRequest} (the caller, whether they are an admin, the
 * clock) and the refusal as a Slack user reads it. The rules themselves live in `ops/policy/` only.
 *
 * The policy is asked twice for a change that needs an approval: when it is requested, and when an
 * approver clicks Approve, before the approval is recorded (see `approval-buttons.ts`). What changed
 * in between (a freeze window opened, someone took the lock) is judged at the click.
 */
import type { EnvironmentConfig } from '../../config';
import type { ApprovalRequest } from '../../ops/deploy/deploy-state';
import type { ChangeAction, ChangeRequest, ScaleChange } from '../../ops/policy/change-facts';
import { type DecidedChange, decideRequest } from '../../ops/policy/decide-change';
import { policyRefusal } from '../../ops/policy/policy-refusal';
import type { PolicyVerdict } from '../../ops/policy/policy-verdict';
import type { UserError } from '../../ops/user-error';
import type { CommandContext } from './command';
import { lockedRefusal } from './deploy-thread';

/** What a Slack command asks for. */
export interface SlackChange {
  readonly action: ChangeAction;
  readonly environment: EnvironmentConfig;
  readonly version: string | null;
  readonly scale: ScaleChange | null;
  readonly freezeOverride: string | null;
}

/** Decides `change` requested now by the caller of `run`; throws the refusal a Slack user reads. */
export async function decideInSlack(run: CommandContext, change: SlackChange): Promise<DecidedChange> {
  const request: ChangeRequest = {
    ...change,
    caller: 'slack',
    actor: {
      id: run.caller.userId,
      name: run.caller.userName,
      // Asked only where it matters: a freeze override is the one thing admins may do that others may not.
      isAdmin: change.freezeOverride !== null && (await run.isAdmin(change.environment)),
    },
    approval: { status: 'none' },
    now: run.now(),
  };
  return refuseOrPass(run, await decideRequest(run.aws, run.config, request));
}

/**
 * Decides `change` again at the approver's click, as if approved now by the caller of `run`, for the
 * requester of `request`. Throws the refusal when it may not start now (nothing is recorded then, so
 * the request stays pending: an approver can approve it once the reason is gone).
 *
 * Who may override a freeze at the click: the requester if they were an admin when they asked
 * (`overrideByAdmin`, stored with the request), or the approver if they are one: either admin's word
 * lets the override stand, as either could have asked for it themselves.
 */
export async function decideAtApproval(
  run: CommandContext,
  change: SlackChange,
  request: ApprovalRequest,
  overrideByAdmin: boolean,
): Promise<DecidedChange> {
  const isAdmin =
    change.freezeOverride !== null && (overrideByAdmin || (await run.isAdmin(change.environment)));
  const decided = await decideRequest(run.aws, run.config, {
    ...change,
    caller: 'slack',
    actor: { id: request.requester, name: request.requester, isAdmin },
    approval: { status: 'approved', by: run.caller.userId },
    now: run.now(),
  });
  const blocking = refuseOrPass(run, decided);
  if (blocking.decision.outcome === 'needs') throw slackRefusal(run, decided, blocking.decision.needs[0]!);
  return blocking;
}

/** The verdicts' audit notes as one sentence each, or an empty string. */
export function auditNotes(decided: DecidedChange): string {
  return decided.decision.outcome === 'refuse' ? '' : decided.decision.audit.join(' ');
}

function refuseOrPass(run: CommandContext, decided: DecidedChange): DecidedChange {
  if (decided.decision.outcome === 'refuse') throw slackRefusal(run, decided, decided.decision.refusal);
  return decided;
}

/** The refusal as Slack shows it: the lock with the holder's mention and times in the project's zone. */
function slackRefusal(run: CommandContext, decided: DecidedChange, verdict: PolicyVerdict): UserError {
  const { lock, environment } = decided.facts;
  if (verdict.rule === 'lock' && lock !== null) {
    return lockedRefusal(environment.name, lock, run.config.project.timeZone);
  }
  return policyRefusal(verdict);
}
