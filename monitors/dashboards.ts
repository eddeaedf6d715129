/**
 * Every dashboard of one environment: Traffic, Application and Data layer, each titled with the
 * stack name and carrying its ownership marker in the description (dashboards take team tags only).
 */
import type { Config, EnvironmentConfig } from '../config';
import { applicationDashboard } from './dashboards/application-dashboard';
import { dataLayerDashboard } from './dashboards/data-layer-dashboard';
import { trafficDashboard } from './dashboards/traffic-dashboard';
import { dashboardMarker } from './tags';
import type { DashboardDefinition } from './types';

/** The dashboards, by stable id, with their title suffix and one-line purpose. */
const DASHBOARDS = [
  {
    id: 'traffic',
    title: 'Traffic',
    purpose: 'The shape of the traffic: requests by protocol, latency percentiles, errors.',
    build: trafficDashboard,
  },
  {
    id: 'application',
    title: 'Application',
    purpose: 'Tasks, CPU and memory, deployments, connection pools.',
    build: applicationDashboard,
  },
  {
    id: 'data-layer',
    title: 'Data layer',
    purpose: 'Aurora capacity, connections, replica lag and I/O.',
    build: dataLayerDashboard,
  },
] as const;

/** The dashboards of one environment; none when Datadog is disabled there. */
export function dashboardsFor(config: Config, env: EnvironmentConfig): readonly DashboardDefinition[] {
  return env.datadog.enabled ? defineDashboards(config, env) : [];
}

/** The dashboards one environment would have with Datadog enabled (golden files show every environment). */
export function defineDashboards(config: Config, env: EnvironmentConfig): readonly DashboardDefinition[] {
  const project = config.project.name;
  return DASHBOARDS.map((d) => ({
    id: d.id,
    dashboard: {
      ...d.build(project, env),
      title: `${env.stackName} · ${d.title}`,
      description: `${d.purpose} Managed by ${project} (npm run monitors -- apply --env ${env.name}); edits here are overwritten. ${dashboardMarker(project, env.name, d.id)}`,
    },
  }));
}
