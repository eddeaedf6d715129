/** The reply of a changing command run without AWS credentials: what it would do, to which resources. */

import type { PlanStep } from '../../ops/bastion-keys';
import { type Block, codeBlock, context, section } from '../../slack/blocks';
import { ephemeral, type Reply } from '../../slack/reply';

/** Renders a plan; nothing was changed. `extra` follows the steps (the environment's rules). */
export function planReply(title: string, steps: readonly PlanStep[], extra: readonly Block[] = []): Reply {
  const lines = steps.map((s, i) => `${i + 1}. ${s.call} ${s.resource}\n   ${s.detail}`);
  return ephemeral(`Plan only (no AWS credentials): ${title}`, [
    section(`:clipboard: *Plan only: no AWS credentials, nothing was changed.* ${title}`),
    codeBlock(lines.join('\n')),
    ...extra,
    context(
      'Give the bot AWS credentials (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or an IAM role) to do it.',
    ),
  ]);
}
