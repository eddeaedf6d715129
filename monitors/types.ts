/**
 * The shapes that monitor and dashboard definitions share: what a layer describes, and what the
 * sync sends to Datadog.
 *
 * Monitors and dashboards are typed with the Datadog client's own models (camelCase, as the client
 * sends them), so that a field Datadog does not know fails the type check rather than the API call.
 */
import type { Dashboard } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/models/Dashboard';
import type { Monitor } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/models/Monitor';

/** How urgent a monitor's critical threshold is; its warning threshold is always routed as `warning`. */
export type Severity = 'critical' | 'warning';

/** Every severity, most urgent first (route tables iterate over it). */
export const SEVERITIES: readonly Severity[] = ['critical', 'warning'];

/** The layer of the stack a monitor watches. */
export type Layer = 'load-balancer' | 'ecs' | 'app' | 'database' | 'bastion' | 'nat';

/**
 * A monitor's part in a deploy.
 *
 * `gate`: the deploy command watches it during the bake and rolls back when it alerts.
 * `sensitive`: expected to flap while tasks are replaced, so it is muted for the deploy.
 * `none`: neither. The two roles are disjoint so that a gate is never muted.
 */
export type DeployRole = 'gate' | 'sensitive' | 'none';

/** A runbook entry: what the alert means and what to do first. */
export interface Runbook {
  /** One sentence: what is wrong, in the reader's terms. */
  readonly summary: string;
  /** First steps, in order. */
  readonly steps: readonly string[];
}

/** Thresholds of a monitor; recovery values give hysteresis so that a value on the edge does not flap. */
export interface Thresholds {
  readonly critical: number;
  readonly warning?: number;
  readonly criticalRecovery?: number;
  readonly warningRecovery?: number;
}

/** What a layer's builder describes: one monitor before routing, messages and tags are applied. */
export interface MonitorSpec {
  /** Stable id, unique in an environment (`alb-5xx-rate`); renaming it replaces the monitor in Datadog. */
  readonly id: string;
  readonly layer: Layer;
  /** Human title without the environment, e.g. `Load balancer 5xx rate`. */
  readonly title: string;
  readonly severity: Severity;
  readonly deploy: DeployRole;
  readonly type: 'query alert' | 'event-v2 alert';
  readonly query: string;
  readonly thresholds: Thresholds;
  /** Alert when the metric stops reporting (minutes of silence), or null. */
  readonly noDataMinutes: number | null;
  /**
   * Seconds Datadog waits before evaluating: CloudWatch metrics arrive late through the AWS integration.
   *
   * @default 0
   */
  readonly evaluationDelaySeconds: number;
  readonly runbook: Runbook;
}

/** A monitor ready for Datadog, with the id and roles that the sync and the deploy command read. */
export interface MonitorDefinition {
  readonly id: string;
  readonly layer: Layer;
  readonly severity: Severity;
  readonly deploy: DeployRole;
  /** The body sent to Datadog (`POST /api/v1/monitor`). */
  readonly monitor: Monitor;
}

/** A dashboard ready for Datadog, with its stable id (kept in the description, since dashboards take only team tags). */
export interface DashboardDefinition {
  readonly id: string;
  /** The body sent to Datadog (`POST /api/v1/dashboard`). */
  readonly dashboard: Dashboard;
}
