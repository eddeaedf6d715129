/**
 * Rule: no deploy inside a freeze window (`deploy.freezeWindows`, in the project's time zone)
 * unless someone allowed to override it gives a reason, which is audited.
 *
 * Who may override:
 * - Slack: only the environment's admins (`permissions.admins`), with `--override-freeze "<reason>"`.
 * - The command line (a terminal or CI): it has no Slack identity to check, so whoever holds AWS
 *   credentials able to deploy the stack may pass `--override-freeze "<reason>"`; the reason is
 *   kept in the history and the audit line with the CI run or OS user that gave it.
 *
 * Rollback inside a freeze window: allowed, from Slack and the command line, without an override.
 * Decision: a rollback restores the last version that ran well, so it is the way out of a bad
 * deploy, and a freeze window is there to keep new changes out, not to keep a broken one in. It is
 * not silent: the verdict carries an audit note that the reply and the audit line show. Its other
 * rules (lock, approval, sign-off) still apply.
 *
 * Scale inside a freeze window: allowed, not audited as an exception. A freeze holds back new code;
 * capacity is what an incident during one needs, and a scale changes no code.
 *
 * The rule is decided again when an approval is given, with the time of the click: a deploy asked
 * for before a window opens and approved inside it is refused then (or needs an override).
 */
import { activeFreezeWindow } from '../deploy/freeze-windows';
import { describeRoles } from '../describe-roles';
import type { ChangeFacts } from './change-facts';
import { allow, type PolicyVerdict, verdict } from './policy-verdict';

/** The verdict of the freeze-window rule. */
export function freezeWindow(facts: ChangeFacts): PolicyVerdict {
  const { environment } = facts;
  if (facts.action === 'scale')
    return allow('freeze-window', 'freeze windows hold back deploys, not capacity');
  const window = activeFreezeWindow(environment.deploy.freezeWindows, facts.now, facts.timeZone);
  if (window === null) return allow('freeze-window', 'no freeze window is open');
  const span = `${window.reason}, ${window.from}–${window.to}`;
  if (facts.action === 'rollback') {
    return allow(
      'freeze-window',
      'a rollback restores the last good version: the way out of a bad deploy',
      `Rolling back inside the freeze window (${span}).`,
    );
  }
  // A blank reason is no reason: it would leave nothing to audit.
  const override = facts.freezeOverride?.trim() || null;
  if (override === null) {
    return verdict(
      'freeze-window',
      'refuse',
      `${environment.name} is in a deploy freeze (${span}).`,
      facts.caller === 'slack'
        ? `An ${environment.name} admin may override it with a reason: --override-freeze "<reason>".`
        : 'Give a reason to override it: --override-freeze "<reason>" (kept in the history and the audit).',
    );
  }
  if (facts.caller === 'slack' && !facts.actor.isAdmin) {
    return verdict(
      'freeze-window',
      'refuse',
      `Only ${environment.name} admins may override the deploy freeze (${window.reason}).`,
      `Ask ${describeRoles(environment.permissions.admins)}.`,
    );
  }
  return allow(
    'freeze-window',
    facts.caller === 'slack' ? 'an admin overrides the freeze' : 'the command line overrides the freeze',
    `Overriding the freeze window (${window.reason}): ${override}`,
  );
}
