/**
 * When a monitor's verdict is about a deploy: a monitor evaluated at time t judges the data of
 * [t − delay − window, t − delay], so its verdict is entirely about what happened after a deploy
 * only `delay + window` seconds after the deploy ended.
 *
 * Datadog, "Configure Monitors" (https://docs.datadoghq.com/monitors/configuration/), "Evaluation
 * delay": the monitor evaluates the window that ended `evaluation_delay` seconds ago; the window is
 * the `last_Xm` of the query. Two consequences for the deploy command:
 * - a gate counts only if `delay + window` fits in the environment's bake: otherwise for the whole
 *   bake it judges data from before the rollout (such a monitor is not tagged a gate);
 * - a monitor muted for a deploy stays muted until `delay + window` after the deploy ended, or it
 *   alerts on the rollout's own data once the mute is lifted.
 */
import { windowSeconds } from './rules/query-terms';

/** What the timing needs of a monitor: its query and its evaluation delay. */
export interface TimedQuery {
  readonly query: string;
  readonly evaluationDelaySeconds: number;
}

/** Seconds after an event until a monitor's verdict is about data from after it only: delay + window. */
export function judgedAfterSeconds(monitor: TimedQuery): number {
  const window = windowSeconds(monitor.query);
  if (window === null) throw new Error(`cannot read the evaluation window of the query: ${monitor.query}`);
  return monitor.evaluationDelaySeconds + window;
}

/** True when a gate's verdict at the end of a bake of `bakeMinutes` is about the deploy: delay + window ≤ bake. */
export function gateFitsBake(monitor: TimedQuery, bakeMinutes: number): boolean {
  return judgedAfterSeconds(monitor) <= bakeMinutes * 60;
}

/**
 * Seconds the deploy-sensitive monitors stay muted after a deploy ends: the longest delay + window
 * among them (0 when there are none).
 */
export function muteSettleSeconds(sensitive: readonly TimedQuery[]): number {
  return Math.max(0, ...sensitive.map(judgedAfterSeconds));
}
