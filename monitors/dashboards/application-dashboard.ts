/** The Application dashboard: tasks, CPU and memory, restarts and deployments, connection pools. */
import type { Dashboard } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/models/Dashboard';
import { type EnvironmentConfig, FORWARDED_EVENTS, forwardedEventTag } from '../../config';
import { METRIC_NAMES } from '../../service/observability/metric-names';
import { AWS, appScope, DEPLOYMENT_EVENTS, templateVariables } from './template';
import { eventTimeline, group, queryValue, timeseries } from './widgets';

/** Builds the Application dashboard of one environment (title and description are set by the caller). */
export function applicationDashboard(project: string, env: EnvironmentConfig): Omit<Dashboard, 'title'> {
  const app = appScope(project);
  return {
    layoutType: 'ordered',
    templateVariables: templateVariables(env),
    widgets: [
      group('Tasks', [
        queryValue('Running tasks', `max:aws.ecs.service.running{${AWS}}`),
        queryValue('Desired tasks', `max:aws.ecs.service.desired{${AWS}}`),
        timeseries(
          'Running, pending and desired tasks',
          [
            { q: `max:aws.ecs.service.running{${AWS}}` },
            { q: `max:aws.ecs.service.pending{${AWS}}` },
            { q: `max:aws.ecs.service.desired{${AWS}}` },
          ],
          DEPLOYMENT_EVENTS,
        ),
        eventTimeline(
          'Stopped tasks (ECS events)',
          `tags:${forwardedEventTag(FORWARDED_EVENTS.ecsTaskStopped)} env:$env.value`,
        ),
      ]),
      group('Resources', [
        timeseries(
          'CPU utilisation (%)',
          [{ q: `avg:aws.ecs.service.cpuutilization{${AWS}}` }],
          DEPLOYMENT_EVENTS,
        ),
        timeseries(
          'Memory utilisation (%)',
          [{ q: `avg:aws.ecs.service.memory_utilization{${AWS}}` }],
          DEPLOYMENT_EVENTS,
        ),
        timeseries('Container CPU by task (Agent)', [
          { q: `avg:ecs.fargate.cpu.percent{${app}} by {task_arn}` },
        ]),
        timeseries('Container memory by task (Agent)', [
          { q: `avg:ecs.fargate.mem.usage{${app}} by {task_arn}` },
        ]),
      ]),
      group('Database pools', [
        timeseries('Open / idle connections by pool', [
          { q: `max:${METRIC_NAMES.poolTotal}{${app}} by {pool}` },
          { q: `max:${METRIC_NAMES.poolIdle}{${app}} by {pool}` },
        ]),
        timeseries('Callers waiting for a connection by pool', [
          { q: `max:${METRIC_NAMES.poolWaiting}{${app}} by {pool}` },
        ]),
        timeseries(
          'Pool resets (failover) and retried calls',
          [
            { q: `sum:${METRIC_NAMES.poolReset}{${app}} by {pool,reason}.as_count()`, display: 'bars' },
            { q: `sum:${METRIC_NAMES.dbRetry}{${app}} by {pool,reason}.as_count()`, display: 'bars' },
          ],
          DEPLOYMENT_EVENTS,
        ),
      ]),
      group('Versions', [
        timeseries(
          'Requests by version',
          [{ q: `sum:${METRIC_NAMES.requestCount}{${app}} by {version}.as_rate()`, display: 'area' }],
          DEPLOYMENT_EVENTS,
        ),
      ]),
    ],
  };
}
