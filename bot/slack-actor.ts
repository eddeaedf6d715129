/**
 * Who the bot's AWS calls are made for (`ops/aws-actor.ts`): the Slack user who ran the command, or,
 * for a change someone approved, the person who asked for it.
 */

import type { SlackActor } from '../ops/aws-actor';
import type { ApprovalRequest } from '../ops/deploy/deploy-state';
import type { Caller } from './caller';
import type { CommandContext } from './commands/command';

/**
 * The actor of `caller`: their Slack user id (the source identity) and name.
 *
 * Where the bot has no operator role to assume (ambient credentials: a local bot on a person's own
 * credentials), `actingFor` cannot add an identity: its clients are the shared ones, and CloudTrail
 * shows the credentials' own caller. That is decided, not missed: there is no session to tag.
 */
export function slackActor(caller: Caller): SlackActor {
  return { via: 'slack', userId: caller.userId, userName: caller.userName };
}

/**
 * `run` with its AWS clients acting for the requester of `request`, approved by `run`'s caller.
 *
 * Who acts in an approved change: the change is made on behalf of the requester, approved by the
 * approver. So the requester is the source identity (the one value STS keeps for the whole role chain,
 * and the one a trust or permission policy may test), and the approver is the `wheelhouse:approved-by`
 * session tag. The approval's own write (the decision) stays the approver's: it is their act. The request
 * keeps only the requester's user id, so that is their name in the tags too.
 */
export function actingForRequester(run: CommandContext, request: ApprovalRequest): CommandContext {
  const actor: SlackActor = {
    via: 'slack',
    userId: request.requester,
    userName: request.requester,
    approvedBy: run.caller.userId,
  };
  // The same properties, getters kept as getters (the logger stays lazy), with the other clients.
  return Object.defineProperties({} as CommandContext, {
    ...Object.getOwnPropertyDescriptors(run),
    aws: { value: run.aws.actingFor(actor), enumerable: true },
  });
}
