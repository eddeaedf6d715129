/**
 * What one rule of the change policy says about one requested change. Plain data: the bot renders it
 * as Block Kit, the command line as lines; a rule never formats for either.
 */

/** The rules, in the order {@link decideChange} runs them. */
export const POLICY_RULES = [
  'scale-to-zero',
  'image-exists',
  'freeze-window',
  'lock',
  'sign-off',
  'approval',
] as const;

/** The name of one rule (its file in `ops/policy/`). */
export type PolicyRule = (typeof POLICY_RULES)[number];

/**
 * `allow`: nothing stops the change here. `refuse`: it may not happen as asked (the hint says what
 * would make it possible). `needs-approval`: a second person must approve it in Slack first.
 * `needs-sign-off`: the command line may do it only once an approver signed the version off in Slack.
 */
export type PolicyOutcome = 'allow' | 'refuse' | 'needs-approval' | 'needs-sign-off';

/** One rule's verdict. */
export interface PolicyVerdict {
  readonly rule: PolicyRule;
  readonly outcome: PolicyOutcome;
  /** Why, in a sentence a person reads (may name versions in backticks; no Slack or terminal markup). */
  readonly reason: string;
  /** What to do about it, or null when there is nothing to do. */
  readonly hint: string | null;
  /**
   * A note the audit trail and the reply must carry although the change is allowed (a freeze window
   * overridden, a rollback inside a freeze window), or null.
   */
  readonly audit: string | null;
}

/** A verdict that lets the change through, with the reason (kept for the decision's record). */
export function allow(rule: PolicyRule, reason: string, audit: string | null = null): PolicyVerdict {
  return { rule, outcome: 'allow', reason, hint: null, audit };
}

/** A verdict that stops the change, or asks for more first. */
export function verdict(
  rule: PolicyRule,
  outcome: Exclude<PolicyOutcome, 'allow'>,
  reason: string,
  hint: string,
): PolicyVerdict {
  return { rule, outcome, reason, hint, audit: null };
}
