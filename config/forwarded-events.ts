/**
 * The AWS events that the stacks forward to Datadog as Datadog events, and the tag that the
 * monitors find them by: one name shared by `stacks/datadog/event-forwarding.ts` (which sends them)
 * and `monitors/` (which counts them).
 */

/** The tag key of a forwarded event: `wheelhouse-event:<kind>`. */
export const FORWARDED_EVENT_TAG_KEY = 'wheelhouse-event';

/** The kinds of forwarded events. */
export const FORWARDED_EVENTS = {
  /** An ECS task of the service stopped (EventBridge `ECS Task State Change`, lastStatus STOPPED). */
  ecsTaskStopped: 'ecs-task-stopped',
  /** The Aurora cluster failed over (EventBridge `RDS DB Cluster Event`, category failover). */
  rdsFailover: 'rds-failover',
} as const;

/** The tag of one kind of forwarded event. */
export function forwardedEventTag(kind: (typeof FORWARDED_EVENTS)[keyof typeof FORWARDED_EVENTS]): string {
  return `${FORWARDED_EVENT_TAG_KEY}:${kind}`;
}
