/** Monitors of the ECS service: running versus desired tasks, CPU, memory and task restarts. */
import { type EnvironmentConfig, FORWARDED_EVENTS, forwardedEventTag } from '../config';
import { awsScope } from './tags';
import { CLOUDWATCH_DELAY_SECONDS, thresholdsFor } from './thresholds';
import type { MonitorSpec } from './types';

/** The ECS service monitors of one environment. */
export function serviceMonitors(_project: string, env: EnvironmentConfig): readonly MonitorSpec[] {
  const scope = awsScope(env);
  const t = thresholdsFor(env);
  const common = {
    layer: 'ecs',
    type: 'query alert',
    evaluationDelaySeconds: CLOUDWATCH_DELAY_SECONDS,
  } as const;
  return [
    {
      ...common,
      id: 'ecs-no-running-tasks',
      title: 'ECS service has no running task',
      severity: 'critical',
      deploy: 'none',
      query: `max(last_5m):max:aws.ecs.service.running{${scope}} by {servicename} < 1`,
      thresholds: { critical: 1 },
      noDataMinutes: 20,
      runbook: {
        summary: 'No task of the service is running: the service is down.',
        steps: [
          'Open the ECS service events: a task that cannot start says why (image pull, secret, health check).',
          'If a deploy is in progress, its circuit breaker rolls back; watch the deploy thread.',
          'If the image is the problem, `/rollback <env>`.',
        ],
      },
    },
    {
      ...common,
      id: 'ecs-running-below-desired',
      title: 'ECS running tasks below desired',
      severity: 'warning',
      deploy: 'sensitive',
      query:
        `min(last_15m):default_zero(avg:aws.ecs.service.desired{${scope}} by {servicename}) - ` +
        `default_zero(avg:aws.ecs.service.running{${scope}} by {servicename}) > 0`,
      thresholds: { critical: 0 },
      noDataMinutes: null,
      runbook: {
        summary: 'Fewer tasks run than desired for 15 minutes: tasks fail to start or keep being replaced.',
        steps: [
          'Open the ECS service events for placement or start failures.',
          'Check the stopped tasks’ reasons (OOM kill, failed health check, essential container exited).',
        ],
      },
    },
    {
      ...common,
      id: 'ecs-cpu',
      title: 'ECS service CPU',
      severity: 'warning',
      deploy: 'none',
      query: `avg(last_15m):avg:aws.ecs.service.cpuutilization{${scope}} by {servicename} > ${t.ecsCpuPercent.critical}`,
      thresholds: { critical: t.ecsCpuPercent.critical, warning: t.ecsCpuPercent.warning },
      noDataMinutes: null,
      runbook: {
        summary: 'The service’s tasks use most of their CPU; autoscaling may be at its maximum.',
        steps: [
          'Check the running count against the autoscaling maximum (`/status <env>`).',
          '`/scale <env> <min>-<max>` to raise the bounds within the hard limit, or look for a hot request path.',
        ],
      },
    },
    {
      ...common,
      id: 'ecs-memory',
      title: 'ECS service memory',
      severity: 'warning',
      deploy: 'none',
      query: `avg(last_15m):avg:aws.ecs.service.memory_utilization{${scope}} by {servicename} > ${t.ecsMemoryPercent.critical}`,
      thresholds: { critical: t.ecsMemoryPercent.critical, warning: t.ecsMemoryPercent.warning },
      noDataMinutes: null,
      runbook: {
        summary: 'The service’s tasks use most of their memory; an OOM kill restarts them.',
        steps: [
          'Check for task restarts and for memory growing since the last deploy (a leak).',
          'Raise `service.memoryMiB` in wheelhouse.yml if the working set grew for good.',
        ],
      },
    },
    {
      layer: 'ecs',
      type: 'event-v2 alert',
      evaluationDelaySeconds: 0,
      id: 'ecs-task-restarts',
      title: 'ECS tasks restarting',
      severity: 'warning',
      deploy: 'sensitive',
      // Task stops reach Datadog through the stack's EventBridge forwarding (Datadog's ECS integration
      // collects no task state changes): see stacks/datadog/event-forwarding.ts.
      query: `events("tags:${forwardedEventTag(FORWARDED_EVENTS.ecsTaskStopped)} env:${env.name}").rollup("count").last("30m") > ${t.ecsStoppedTasks.critical}`,
      thresholds: { critical: t.ecsStoppedTasks.critical, warning: t.ecsStoppedTasks.warning },
      noDataMinutes: null,
      runbook: {
        summary:
          'More tasks stopped in 30 minutes than a deploy replaces: tasks are crashing and being restarted.',
        steps: [
          'Read the stop reasons in the events (`stop-code` tag, reason in the text) or the ECS console.',
          'Check the app logs just before the stop (uncaught error, OOM, failed health check).',
        ],
      },
    },
  ];
}
