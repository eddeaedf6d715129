/**
 * What every ratio monitor (errors / requests) needs so that it pages on a real problem only:
 *
 * - a minimum of traffic: the denominator is `clamp_min(requests, N)`, so that 1 error in 10
 *   requests at night counts as 1 in N. Datadog, "Functions" → "Exclusion" → "Clamp": `clamp_min()`
 *   sets every point under the threshold (and every NaN) to the threshold
 *   (https://docs.datadoghq.com/dashboards/functions/exclusion/);
 * - hysteresis: a recovery threshold below the alert threshold (`critical_recovery`,
 *   `warning_recovery`), so that a value hovering at the threshold opens one incident, not one a
 *   minute. Datadog, "Metric Monitors" → "Advanced alert conditions" → "Recovery thresholds"
 *   (https://docs.datadoghq.com/monitors/types/metric/).
 */
import type { Thresholds } from './types';

/**
 * Requests per evaluated point below which a ratio's denominator is raised to this value.
 *
 * With a 5 % critical threshold, an alert then needs more than 5 failing requests in the point,
 * whatever the traffic; with full traffic (hundreds a minute in prod) the clamp changes nothing.
 */
export const MIN_RATIO_REQUESTS = 100;

/** Recovery thresholds are this share of the alert thresholds. */
export const RECOVERY_SHARE = 0.5;

/** The denominator of a ratio with its traffic floor: `clamp_min(<requests>, 100)`. */
export function minimumTraffic(requests: string, minimum: number = MIN_RATIO_REQUESTS): string {
  return `clamp_min(${requests}, ${minimum})`;
}

/** True when a monitor query divides one series by another (`… / …`). */
export function isRatio(query: string): boolean {
  return /\s\/\s/.test(query);
}

/** True when every division in a query has its denominator clamped (a rule test reads every monitor with it). */
export function hasMinimumTraffic(query: string): boolean {
  return [...query.matchAll(/\s\/\s+(\S+)/g)].every((m) => m[1]!.startsWith('clamp_min('));
}

/** Thresholds of an above-threshold ratio with recovery thresholds at {@link RECOVERY_SHARE} of each. */
export function ratioThresholds(levels: { readonly critical: number; readonly warning: number }): Thresholds {
  return {
    critical: levels.critical,
    warning: levels.warning,
    criticalRecovery: round(levels.critical * RECOVERY_SHARE),
    warningRecovery: round(levels.warning * RECOVERY_SHARE),
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
