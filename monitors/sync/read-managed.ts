/**
 * Reads what Wheelhouse manages in Datadog for one environment: monitors by their managed tags,
 * dashboards by the marker in their description.
 */
import type { DatadogClient } from '../../clients/datadog-client';
import { toMonitoringError } from '../../clients/monitoring-error';
import { idFromTags, managedTags, parseDashboardMarker } from '../tags';
import { dashboardToWire, monitorToWire } from '../wire';
import type { ActualState, ManagedDashboard, ManagedMonitor } from './plan';
import { readTagConfigurations } from './tag-configurations';

/**
 * Lists the managed monitors and dashboards of `env`, and the tag configurations of `metricNames`.
 * Throws a MonitoringError.
 */
export async function readManaged(
  client: DatadogClient,
  project: string,
  env: string,
  metricNames: readonly string[] = [],
): Promise<ActualState> {
  const tags = managedTags(project, env);
  const monitors: ManagedMonitor[] = [];
  try {
    for await (const m of client
      .monitors()
      .listMonitorsWithPagination({ monitorTags: tags.join(','), pageSize: 100 })) {
      // Filter again: the list must never reach another environment's monitors, whatever the API matched.
      if (m.id === undefined || !tags.every((t) => m.tags?.includes(t))) continue;
      // The monitor Datadog keeps behind each synthetic test carries the test's tags; the test owns it.
      if (m.type === 'synthetics alert') continue;
      monitors.push({ datadogId: m.id, id: idFromTags(m.tags), name: m.name ?? '', wire: monitorToWire(m) });
    }
  } catch (error) {
    throw toMonitoringError('datadog', 'list monitors', error);
  }

  const dashboards: ManagedDashboard[] = [];
  try {
    for await (const summary of client.dashboards().listDashboardsWithPagination({ filterShared: false })) {
      const marker = parseDashboardMarker(summary.description);
      if (!marker || marker.project !== project || marker.env !== env || !summary.id) continue;
      const dashboard = await client.dashboards().getDashboard({ dashboardId: summary.id });
      dashboards.push({
        datadogId: summary.id,
        id: marker.id,
        name: dashboard.title,
        wire: dashboardToWire(dashboard),
      });
    }
  } catch (error) {
    throw toMonitoringError('datadog', 'list dashboards', error);
  }
  const tagConfigurations = await readTagConfigurations(client, metricNames);
  return { monitors, dashboards, tagConfigurations };
}
