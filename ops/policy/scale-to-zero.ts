/**
 * Rule: a scale that can leave the service with no task at all (a count of 0, or bounds with a
 * minimum or maximum of 0, which autoscaling may then reach) needs the explicit words, in every
 * environment: `--to-zero` (Slack `/scale <env> 0-0 --to-zero`, the command line `--to-zero`).
 * A typo (`/scale prod 0` for `10`) must not take a service down. With the words, the other rules
 * still apply (in a protected environment, 0 is below `tasks.min`: the approval rule asks for one).
 */
import type { ChangeFacts } from './change-facts';
import { allow, type PolicyVerdict, verdict } from './policy-verdict';

/** True when the target lets the service run no task. */
export function reachesZero(target: NonNullable<ChangeFacts['scale']>['target']): boolean {
  return target.kind === 'count' ? target.count === 0 : target.min === 0 || target.max === 0;
}

/** The verdict of the scale-to-zero rule. */
export function scaleToZero(facts: ChangeFacts): PolicyVerdict {
  if (facts.action !== 'scale' || facts.scale === null) {
    return allow('scale-to-zero', 'not a scale');
  }
  const { target, toZero } = facts.scale;
  if (!reachesZero(target)) return allow('scale-to-zero', 'the service keeps at least one task');
  if (toZero)
    return allow(
      'scale-to-zero',
      'scaling to zero, as said with --to-zero',
      'Scaling to zero tasks (--to-zero).',
    );
  const asked = target.kind === 'count' ? `${target.count}` : `${target.min}-${target.max}`;
  const command =
    facts.caller === 'slack' ? `/scale ${facts.environment.name} ${asked} --to-zero` : `--to-zero`;
  return verdict(
    'scale-to-zero',
    'refuse',
    `${asked} lets ${facts.environment.name} run no task at all: the service would be down.`,
    `If that is meant, say so: ${command}.`,
  );
}
