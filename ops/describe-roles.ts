/** Names the roles that can act, for refusals and hints: "platform or oncall". */
import type { Principals } from '../config';

/** "platform or oncall": the roles of `sets`, once each, for a person to read. */
export function describeRoles(...sets: readonly Principals[]): string {
  const roles = [...new Set(sets.flatMap((s) => s.roles))];
  if (roles.length === 0) return 'nobody (no people set is configured)';
  if (roles.length === 1) return roles[0]!;
  return `${roles.slice(0, -1).join(', ')} or ${roles.at(-1)}`;
}
