/** Carries out a plan against Datadog, one write at a time, reporting each as it lands. */
import type { Monitor } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/models/Monitor';
import type { DatadogClient } from '../../clients/datadog-client';
import { toMonitoringError } from '../../clients/monitoring-error';
import { idTag } from '../tags';
import { createOnce } from './create-once';
import type { Plan, PlannedChange } from './plan';
import { writeTagConfiguration } from './tag-configurations';

/** A write that landed. */
export interface AppliedChange {
  readonly change: PlannedChange;
  /** The Datadog id after the write (new for a create). */
  readonly datadogId: string | number;
}

/**
 * Applies the creates, updates and deletes of `plan`; `onApplied` hears of each as it lands.
 * Stops at the first failure with a MonitoringError that names the object; what landed before stays.
 */
export async function applyPlan(
  client: DatadogClient,
  plan: Plan,
  onApplied: (applied: AppliedChange) => void = () => {},
): Promise<readonly AppliedChange[]> {
  const done: AppliedChange[] = [];
  for (const change of plan.changes) {
    if (change.action !== 'create' && change.action !== 'update' && change.action !== 'delete') continue;
    const datadogId = await write(client, change).catch((error: unknown) => {
      throw toMonitoringError('datadog', `${change.action} ${change.kind} ${change.id}`, error);
    });
    const applied = { change, datadogId };
    done.push(applied);
    onApplied(applied);
  }
  return done;
}

async function write(client: DatadogClient, change: PlannedChange): Promise<string | number> {
  if (change.kind === 'tag-configuration') {
    if (change.action !== 'create' && change.action !== 'update') return change.id;
    return writeTagConfiguration(client, change.action, change.body!);
  }
  if (change.kind === 'monitor') {
    const api = client.monitors();
    if (change.action === 'create') return (await createMonitorOnce(client, change.id, change.body!)).id ?? 0;
    if (change.action === 'update') {
      const { type: _type, ...body } = change.body!;
      // The type cannot change after creation, and Datadog may have rewritten it (metric alert).
      await api.updateMonitor({ monitorId: change.datadogId!, body });
      return change.datadogId!;
    }
    await api.deleteMonitor({ monitorId: change.datadogId! });
    return change.datadogId!;
  }
  const api = client.dashboards();
  if (change.action === 'create') return (await api.createDashboard({ body: change.body! })).id ?? '';
  if (change.action === 'update') {
    await api.updateDashboard({ dashboardId: change.datadogId!, body: change.body! });
    return change.datadogId!;
  }
  await api.deleteDashboard({ dashboardId: change.datadogId! });
  return change.datadogId!;
}

/** Creates a monitor once: after a failed create, the monitor carrying its id tag (if it landed) is the result. */
async function createMonitorOnce(client: DatadogClient, id: string, body: Monitor): Promise<Monitor> {
  const tags = (body.tags ?? []).filter((t) => t.startsWith('managed-by:') || t.startsWith('env:'));
  return createOnce({
    operation: `create monitor ${id}`,
    create: () => client.withoutRetries.monitors().createMonitor({ body }),
    findExisting: async () => {
      const found = await client.monitors().listMonitors({ monitorTags: [...tags, idTag(id)].join(',') });
      return found.find((m) => m.tags?.includes(idTag(id))) ?? null;
    },
  });
}
