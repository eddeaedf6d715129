/**
 * The plan: what `apply` would create, update and delete to make one environment's managed
 * monitors and dashboards match their definitions. Pure: definitions and what Datadog has in,
 * a list of changes out.
 */
import type { Dashboard } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/models/Dashboard';
import type { Monitor } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/models/Monitor';
import type { TagConfigurationDefinition } from '../metric-tag-configurations';
import type { DashboardDefinition, MonitorDefinition } from '../types';
import { dashboardToWire, type Json, monitorToWire } from '../wire';
import { dashboardFields, diffFields, type FieldChange, monitorFields } from './owned-fields';
import { diffTagConfiguration, type ManagedTagConfiguration } from './tag-configurations';

/** A managed monitor as Datadog has it. */
export interface ManagedMonitor {
  readonly datadogId: number;
  /** Its stable id tag, or null when a managed monitor lost it. */
  readonly id: string | null;
  readonly name: string;
  /** The monitor in wire format. */
  readonly wire: Json;
}

/** A managed dashboard as Datadog has it. */
export interface ManagedDashboard {
  readonly datadogId: string;
  readonly id: string;
  readonly name: string;
  readonly wire: Json;
}

/** What the definitions say. */
export interface DesiredState {
  readonly monitors: readonly MonitorDefinition[];
  readonly dashboards: readonly DashboardDefinition[];
  /** The metrics tag configurations our percentile queries need. @default [] */
  readonly tagConfigurations?: readonly TagConfigurationDefinition[];
}

/** What Datadog has, found by the managed tags (monitors) and description marker (dashboards). */
export interface ActualState {
  readonly monitors: readonly ManagedMonitor[];
  readonly dashboards: readonly ManagedDashboard[];
  /** The tag configurations of the metrics we define one for (by metric name). @default [] */
  readonly tagConfigurations?: readonly ManagedTagConfiguration[];
}

/**
 * What happens to one object.
 *
 * `orphan`: managed but no longer defined, kept because `--prune` was not given.
 */
export type ChangeAction = 'create' | 'update' | 'delete' | 'unchanged' | 'orphan';

/** One line of the plan. */
export type PlannedChange =
  | {
      readonly kind: 'monitor';
      readonly action: ChangeAction;
      readonly id: string;
      readonly name: string;
      readonly datadogId: number | null;
      readonly fields: readonly FieldChange[];
      /** The body to send for a create or an update. */
      readonly body: Monitor | null;
    }
  | {
      readonly kind: 'dashboard';
      readonly action: ChangeAction;
      readonly id: string;
      readonly name: string;
      readonly datadogId: string | null;
      readonly fields: readonly FieldChange[];
      readonly body: Dashboard | null;
    }
  | {
      /** A metric's tag configuration: its id is the metric name; never deleted nor orphaned. */
      readonly kind: 'tag-configuration';
      readonly action: 'create' | 'update' | 'unchanged';
      readonly id: string;
      readonly name: string;
      readonly datadogId: string | null;
      readonly fields: readonly FieldChange[];
      readonly body: TagConfigurationDefinition | null;
    };

/** The plan of one environment. */
export interface Plan {
  readonly env: string;
  readonly changes: readonly PlannedChange[];
  /** True when Datadog was not read (no keys): everything defined shows as a create. */
  readonly offline: boolean;
}

/** Options of {@link planSync}. */
export interface PlanOptions {
  /** Delete managed objects that are no longer defined. @default false */
  readonly prune?: boolean;
}

/** Compares definitions with what Datadog has; `actual` null means Datadog could not be read (no keys). */
export function planSync(
  env: string,
  desired: DesiredState,
  actual: ActualState | null,
  options: PlanOptions = {},
): Plan {
  const prune = options.prune ?? false;
  const have: ActualState = actual ?? { monitors: [], dashboards: [] };
  const changes: PlannedChange[] = [];

  const monitorsById = groupById(have.monitors);
  for (const def of desired.monitors) {
    const name = def.monitor.name ?? def.id;
    const existing = monitorsById.get(def.id)?.shift();
    if (!existing) {
      changes.push({
        kind: 'monitor',
        action: 'create',
        id: def.id,
        name,
        datadogId: null,
        fields: [],
        body: def.monitor,
      });
      continue;
    }
    const fields = diffFields(monitorFields(monitorToWire(def.monitor)), monitorFields(existing.wire));
    changes.push({
      kind: 'monitor',
      action: fields.length > 0 ? 'update' : 'unchanged',
      id: def.id,
      name,
      datadogId: existing.datadogId,
      fields,
      body: fields.length > 0 ? def.monitor : null,
    });
  }
  // Whatever was not matched: no longer defined, a duplicate of a defined id, or missing its id tag.
  for (const leftover of [...monitorsById.values()].flat()) {
    changes.push({
      kind: 'monitor',
      action: prune ? 'delete' : 'orphan',
      id: leftover.id ?? '(no id tag)',
      name: leftover.name,
      datadogId: leftover.datadogId,
      fields: [],
      body: null,
    });
  }

  const dashboardsById = groupById(have.dashboards);
  for (const def of desired.dashboards) {
    const name = def.dashboard.title;
    const existing = dashboardsById.get(def.id)?.shift();
    if (!existing) {
      changes.push({
        kind: 'dashboard',
        action: 'create',
        id: def.id,
        name,
        datadogId: null,
        fields: [],
        body: def.dashboard,
      });
      continue;
    }
    const fields = diffFields(
      dashboardFields(dashboardToWire(def.dashboard)),
      dashboardFields(existing.wire),
    );
    changes.push({
      kind: 'dashboard',
      action: fields.length > 0 ? 'update' : 'unchanged',
      id: def.id,
      name,
      datadogId: existing.datadogId,
      fields,
      body: fields.length > 0 ? def.dashboard : null,
    });
  }
  for (const leftover of [...dashboardsById.values()].flat()) {
    changes.push({
      kind: 'dashboard',
      action: prune ? 'delete' : 'orphan',
      id: leftover.id,
      name: leftover.name,
      datadogId: leftover.datadogId,
      fields: [],
      body: null,
    });
  }
  const configurations = new Map((have.tagConfigurations ?? []).map((c) => [c.metricName, c]));
  for (const def of desired.tagConfigurations ?? []) {
    const name = `${def.metricName} (percentiles, tags ${def.tags.join(',')})`;
    const existing = configurations.get(def.metricName);
    const fields = existing ? diffTagConfiguration(def, existing) : [];
    const action = !existing ? 'create' : fields.length > 0 ? 'update' : 'unchanged';
    changes.push({
      kind: 'tag-configuration',
      action,
      id: def.metricName,
      name,
      datadogId: existing ? def.metricName : null,
      fields,
      body: action === 'unchanged' ? null : def,
    });
  }
  return { env, changes, offline: actual === null };
}

/** A plan of changes, of monitors and dashboards ({@link Plan}) or of synthetic tests. */
export interface ActionPlan {
  readonly changes: readonly { readonly action: ChangeAction }[];
}

/** True when applying the plan would write to Datadog. */
export function hasChanges(plan: ActionPlan): boolean {
  return plan.changes.some((c) => c.action === 'create' || c.action === 'update' || c.action === 'delete');
}

/** Counts per action, for the summary line. */
export function countActions(plan: ActionPlan): Readonly<Record<ChangeAction, number>> {
  const counts: Record<ChangeAction, number> = { create: 0, update: 0, delete: 0, unchanged: 0, orphan: 0 };
  for (const c of plan.changes) counts[c.action] += 1;
  return counts;
}

/** Managed objects by their id tag, in the order Datadog listed them: a planner takes each defined id's first and leaves the rest. */
export function groupById<T extends { readonly id: string | null }>(
  items: readonly T[],
): Map<string | null, T[]> {
  const byId = new Map<string | null, T[]>();
  for (const item of items) byId.set(item.id, [...(byId.get(item.id) ?? []), item]);
  return byId;
}
