/**
 * What one look at the deploy-gate monitors means for the bake: roll back, carry on, or say that a
 * gate cannot judge the deploy.
 *
 * A gate in No Data has nothing to judge the deploy by (the service stopped sending the metric, or
 * the metric never reached Datadog, e.g. percentiles not enabled): the bake must not pass silently
 * on it. It is said in the deploy thread as soon as it is seen, and in a protected environment a
 * gate still without data when the bake ends counts as not passed.
 */
import type { GateAlert } from './deploy-mute';

/** A monitor that stops the deploy, as the gate-alert event and the rollback name it. */
export interface GateFailure {
  readonly name: string;
  readonly url: string;
}

/** The verdict of one look. */
export interface GateVerdict {
  /** Gates that fail the bake now (empty: carry on, or passed at the end). */
  readonly failed: readonly GateFailure[];
  /** Gates without data, not said before in this bake (to say in the thread). */
  readonly newlySilent: readonly GateAlert[];
}

/**
 * Judges one look at the gates. `final`: the bake time is over. `alreadySaid`: names of gates
 * without data already said in this bake; the caller adds `newlySilent` to it.
 */
export function gateVerdict(
  gates: readonly GateAlert[],
  options: {
    readonly protectedEnvironment: boolean;
    readonly final: boolean;
    readonly alreadySaid: ReadonlySet<string>;
  },
): GateVerdict {
  const alerting = gates.filter((g) => g.state === 'Alert');
  const silent = gates.filter((g) => g.state === 'No Data');
  const newlySilent = silent.filter((g) => !options.alreadySaid.has(g.name));
  if (alerting.length > 0) return { failed: alerting.map(({ name, url }) => ({ name, url })), newlySilent };
  if (options.final && options.protectedEnvironment && silent.length > 0) {
    return {
      failed: silent.map(({ name, url }) => ({ name: `${name} (no data: it cannot judge the deploy)`, url })),
      newlySilent,
    };
  }
  return { failed: [], newlySilent };
}

/** The thread line for a gate without data. */
export function silentGateNote(gate: GateAlert, protectedEnvironment: boolean): string {
  return protectedEnvironment
    ? `Deploy gate ${gate.name} has no data, so it cannot judge this deploy; if it still has none when the bake ends, the bake does not pass (${gate.url})`
    : `Deploy gate ${gate.name} has no data, so it cannot judge this deploy; the bake does not wait for it here (${gate.url})`;
}
