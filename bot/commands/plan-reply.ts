/** The reply of a changing command run without AWS credentials: what it would do, to which resources. */

import type { PlanStep } from '../../ops/bastion-keys';
import { codeBlock, context, section } from '../../slack/blocks';
import { ephemeral, type Reply } from '../../slack/reply';

/** Renders a plan; nothing was changed. */
export function planReply(title: string, steps: readonly PlanStep[]): Reply {
  const lines = steps.map((s, i) => `${i + 1}. ${s.call} ${s.resource}\n   ${s.detail}`);
  return ephemeral(`Plan only (no AWS credentials): ${title}`, [
    section(`:clipboard: *Plan only: no AWS credentials, nothing was changed.* ${title}`),
    codeBlock(lines.join('\n')),
    context(
      'Give the bot AWS credentials (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or an IAM role) to do it.',
    ),
  ]);
}
