/**
 * What makes an environment different under the change policy, as the plan replies show it (no AWS
 * credentials, so nothing was decided): prod's sign-off and approval, a scale's approval bounds, the
 * freeze window that applies. The sentences come from `ops/policy/describe-environment-rules.ts`.
 */
import type { EnvironmentConfig } from '../../config';
import type { ChangeAction } from '../../ops/policy/change-facts';
import { describeEnvironmentRules } from '../../ops/policy/describe-environment-rules';
import { type Block, escapeMrkdwn, section } from '../../slack/blocks';

/** One section listing the rules of `environment` for `action`, or none when nothing is special. */
export function rulesBlocks(
  environment: EnvironmentConfig,
  action: ChangeAction,
  now: Date,
  timeZone: string,
): Block[] {
  const lines = describeEnvironmentRules(environment, action, now, timeZone);
  if (lines.length === 0) return [];
  return [
    section(`*What ${environment.name} asks for:*\n${lines.map((l) => `• ${escapeMrkdwn(l)}`).join('\n')}`),
  ];
}
