/**
 * Approvals in protected environments: the request message with Approve and Reject buttons, and the
 * decision. A click runs `/<kind> <env> approve|reject <id>` as the person who clicked, so parsing,
 * permissions and audit are those of the command; the decision itself is a conditional write (one
 * winner however many clicks).
 */
import type { EnvironmentConfig } from '../../config';
import { type ApprovalKind, type ApprovalRequest, DeployStateStore } from '../../ops/deploy/deploy-state';
import { describeRoles } from '../../ops/describe-roles';
import { RefusalError, UsageError, UserError } from '../../ops/user-error';
import { actions, button, context, section } from '../../slack/blocks';
import { inChannel, type Reply } from '../../slack/reply';
import { actingForRequester } from '../slack-actor';
import type { ActionModule, CommandContext, PreparedCommand } from './command';
import { formatTime } from './format-time';

/** `action_id` of the Approve button. */
export const APPROVAL_APPROVE_ACTION = 'approval_approve';
/** `action_id` of the Reject button. */
export const APPROVAL_REJECT_ACTION = 'approval_reject';

const KINDS: readonly ApprovalKind[] = ['deploy', 'rollback', 'scale'];

function clickAction(actionId: string, decision: 'approve' | 'reject'): ActionModule {
  return {
    actionId,
    async handle(value, ctx) {
      const [kind, environment, id, extra] = value.split(' ');
      if (!kind || !KINDS.includes(kind as ApprovalKind) || !environment || !id || extra !== undefined) {
        throw new UserError('This button is malformed.', 'Ask for a new approval.');
      }
      const reply = await ctx.runCommand(kind, `${environment} ${decision} ${id}`);
      // A decision replaces the request (its buttons go); a refusal leaves it for someone else.
      return { reply, replaceOriginal: reply.visibility === 'in_channel' };
    },
  };
}

/** The buttons' handlers (registered by `/deploy`, used by `/rollback` and `/scale` too). */
export const APPROVAL_ACTIONS: readonly ActionModule[] = [
  clickAction(APPROVAL_APPROVE_ACTION, 'approve'),
  clickAction(APPROVAL_REJECT_ACTION, 'reject'),
];

/** Stores a request and renders it with Approve and Reject buttons, for the channel to see. */
export async function requestApproval(
  run: CommandContext,
  environment: EnvironmentConfig,
  kind: ApprovalKind,
  args: string,
  what: string,
): Promise<Reply> {
  const store = new DeployStateStore(run.aws, environment);
  const request = await store.requestApproval(kind, args, run.caller.userId, run.now());
  const value = `${kind} ${environment.name} ${request.id}`;
  const until = formatTime(request.expiresAt, run.config.project.timeZone);
  const approvers = describeRoles(environment.permissions.approvers);
  return inChannel(`<@${run.caller.userId}> asks to ${what}. Approval needed by ${until}.`, [
    section(
      `:raising_hand: <@${run.caller.userId}> asks to ${what}. *${environment.name}* is protected: it needs an approval.`,
    ),
    actions([
      button(APPROVAL_APPROVE_ACTION, 'Approve', value, { style: 'primary' }),
      button(APPROVAL_REJECT_ACTION, 'Reject', value, { style: 'danger' }),
    ]),
    context(
      `An approver (${approvers}) other than the requester must decide by ${until}; then the request expires.`,
    ),
  ]);
}

/** Parses `approve <id>` / `reject <id>` after the environment; null when the words are something else. */
export function parseDecision(
  tokens: readonly string[],
  usage: string,
): { readonly decision: 'approve' | 'reject'; readonly id: string } | null {
  const [word, id, extra] = tokens;
  if (word !== 'approve' && word !== 'reject') return null;
  if (!id || extra !== undefined || !/^[A-Za-z0-9_-]{6,40}$/.test(id)) {
    throw new UsageError(`\`${word}\` takes the id of a request (the buttons send it).`, usage);
  }
  return { decision: word, id };
}

/** Refuses a caller who is not an approver of `environment`. */
function assertApprover(environment: EnvironmentConfig, isApprover: boolean): void {
  if (isApprover) return;
  throw new RefusalError(
    `You may not approve or reject in ${environment.name}.`,
    `Approvers are ${describeRoles(environment.permissions.approvers)}.`,
  );
}

/**
 * Records the caller's decision on request `id`, exactly once. Returns the approved request, or
 * null when it was rejected; throws a {@link UserError} saying why when there is nothing to decide.
 */
export async function decide(
  run: CommandContext,
  environment: EnvironmentConfig,
  kind: ApprovalKind,
  decision: 'approve' | 'reject',
  id: string,
): Promise<ApprovalRequest | null> {
  assertApprover(environment, await run.isApprover(environment));
  const store = new DeployStateStore(run.aws, environment);
  const result = await store.decideApproval(
    id,
    decision === 'approve' ? 'approved' : 'rejected',
    run.caller.userId,
    run.now(),
    kind,
  );
  const tz = run.config.project.timeZone;
  if (!result.decided) {
    const { request } = result;
    switch (result.why) {
      case 'missing':
        throw new UserError(
          `There is no approval request ${id} in ${environment.name}.`,
          'Ask for a new one.',
        );
      case 'own-request':
        throw new RefusalError(
          'You cannot decide on your own request.',
          `Ask another approver (${describeRoles(environment.permissions.approvers)}).`,
        );
      case 'already-decided':
        throw new UserError(
          `This request was already ${request?.status} by <@${request?.decidedBy}>.`,
          'Nothing more to do.',
        );
      case 'wrong-kind':
        // Refused by the conditional write itself: the request is still pending for its own command.
        throw new UserError(`Request ${id} is for /${request?.kind}, not /${kind}.`, 'Use its own buttons.');
      case 'expired':
        throw new UserError(
          `This request expired at ${request ? formatTime(request.expiresAt, tz) : 'its deadline'}.`,
          'Ask for a new one: run the command again.',
        );
    }
  }
  return decision === 'approve' ? result.request : null;
}

/** The reply to a rejection, replacing the request. */
export function rejectedReply(environment: EnvironmentConfig, what: string, by: string): Reply {
  return inChannel(`Rejected by <@${by}>: ${what} in ${environment.name}.`, [
    section(`:no_entry: Rejected by <@${by}>: ${what} in *${environment.name}*. Nothing was changed.`),
  ]);
}

/** The reply that replaces an approved request. */
export function approvedReply(
  environment: EnvironmentConfig,
  what: string,
  by: string,
  started: Reply,
): Reply {
  return inChannel(`Approved by <@${by}>: ${what} in ${environment.name}. ${started.text}`, [
    section(`:white_check_mark: Approved by <@${by}>: ${what} in *${environment.name}*.`),
    context(started.text),
  ]);
}

/** What an approved request starts: decided again at the click (`prepare`), started once recorded. */
export interface ApprovedChange {
  /** What is done, for the reply (`deploy \`v1.2.3\``). */
  readonly what: string;
  /** Starts it, once the approval is recorded. */
  start(): Promise<Reply>;
}

/**
 * The command behind the Approve and Reject buttons (`/<kind> <env> approve|reject <id>`): records the
 * decision exactly once and, when approved, starts the change with the request's arguments.
 *
 * Before an approval is recorded, `prepare` asks the change policy again with the time of the click
 * (a freeze window that opened since the request, a lock someone took): when it refuses, the refusal
 * is the click's reply and nothing is recorded, so the request stays pending for a later click.
 */
export function decisionCommand(
  environment: EnvironmentConfig,
  kind: ApprovalKind,
  decision: { readonly decision: 'approve' | 'reject'; readonly id: string },
  prepare: (run: CommandContext, args: unknown, request: ApprovalRequest) => Promise<ApprovedChange>,
): PreparedCommand {
  return {
    environment,
    auditArgs: `${environment.name} ${decision.decision} ${decision.id}`,
    async run(run) {
      if (decision.decision === 'reject') {
        await decide(run, environment, kind, 'reject', decision.id);
        return rejectedReply(environment, `the ${KIND_LABEL[kind]}`, run.caller.userId);
      }
      assertApprover(environment, await run.isApprover(environment));
      const pending = await new DeployStateStore(run.aws, environment).readApproval(decision.id);
      // Only a request this click could approve is decided again; for any other, `decide` says why not.
      const change =
        pending !== null && isDecidable(pending, kind, run)
          ? await prepare(actingForRequester(run, pending), JSON.parse(pending.args), pending)
          : null;
      const request = await decide(run, environment, kind, 'approve', decision.id);
      if (!request) throw new Error('an approval returned no request');
      // The change is made for its requester, approved by the caller (bot/slack-actor.ts).
      const approved =
        change ?? (await prepare(actingForRequester(run, request), JSON.parse(request.args), request));
      return approvedReply(environment, approved.what, run.caller.userId, await approved.start());
    },
  };
}

/** True when `request` is pending, of `kind`, unexpired and not the caller's own. */
function isDecidable(request: ApprovalRequest, kind: ApprovalKind, run: CommandContext): boolean {
  return (
    request.status === 'pending' &&
    request.kind === kind &&
    request.expiresAt.getTime() > run.now().getTime() &&
    request.requester !== run.caller.userId
  );
}

const KIND_LABEL: Readonly<Record<ApprovalKind, string>> = {
  deploy: 'deploy',
  rollback: 'rollback',
  scale: 'scaling',
};
