/**
 * Monitors of the Aurora PostgreSQL Serverless v2 cluster: CPU, capacity near its maximum,
 * connections, replica lag, deadlocks and failovers.
 *
 * No freeable-memory monitor: on Serverless v2, FreeableMemory is the memory left when the instance is
 * scaled to its maximum capacity (AWS, "Performance and scaling for Aurora Serverless v2", Important
 * Amazon CloudWatch metrics), so it only drops once capacity is at its maximum, which
 * `db-capacity-near-max` already says, and raising the minimum capacity does not change it.
 */
import { type EnvironmentConfig, FORWARDED_EVENTS, forwardedEventTag } from '../config';
import { awsScope } from './tags';
import { CLOUDWATCH_DELAY_SECONDS, thresholdsFor } from './thresholds';
import type { MonitorSpec } from './types';

/** The database monitors of one environment. */
export function databaseMonitors(_project: string, env: EnvironmentConfig): readonly MonitorSpec[] {
  const scope = awsScope(env);
  const t = thresholdsFor(env);
  const common = {
    layer: 'database',
    type: 'query alert',
    evaluationDelaySeconds: CLOUDWATCH_DELAY_SECONDS,
  } as const;
  const byInstance = `{${scope}} by {dbinstanceidentifier}`;
  return [
    {
      ...common,
      id: 'db-cpu',
      title: 'Aurora CPU',
      severity: 'warning',
      deploy: 'none',
      query: `avg(last_15m):avg:aws.rds.cpuutilization${byInstance} > ${t.dbCpuPercent.critical}`,
      thresholds: { critical: t.dbCpuPercent.critical, warning: t.dbCpuPercent.warning },
      noDataMinutes: null,
      runbook: {
        summary: 'A database instance is busy on CPU; at its maximum capacity it cannot scale further.',
        steps: [
          'Check the capacity monitor: if capacity is at its maximum, raise `database.maxCapacity`.',
          'Look for new slow queries in Performance Insights (top SQL by load).',
        ],
      },
    },
    {
      ...common,
      id: 'db-capacity-near-max',
      title: 'Aurora Serverless capacity near its maximum',
      severity: 'critical',
      deploy: 'none',
      query: `avg(last_15m):max:aws.rds.serverless_database_capacity${byInstance} >= ${t.dbCapacityAcu.critical}`,
      thresholds: { critical: t.dbCapacityAcu.critical, warning: t.dbCapacityAcu.warning },
      noDataMinutes: null,
      runbook: {
        summary: `The cluster runs near its configured maximum of ${env.database.maxCapacity} ACUs and cannot scale further.`,
        steps: [
          'Raise `database.maxCapacity` in wheelhouse.yml and deploy the stack.',
          'Meanwhile, look for the load: top SQL in Performance Insights, request rate on the Traffic dashboard.',
        ],
      },
    },
    {
      ...common,
      id: 'db-connections',
      title: 'Aurora connections',
      severity: 'critical',
      deploy: 'none',
      query: `avg(last_10m):max:aws.rds.database_connections${byInstance} > ${t.dbConnections.critical}`,
      thresholds: { critical: t.dbConnections.critical, warning: t.dbConnections.warning },
      noDataMinutes: null,
      runbook: {
        summary: 'Connections approach the engine maximum; new connections will be refused.',
        steps: [
          'Compare with the running task count: each task opens a writer and a reader pool.',
          'Look for connections left idle in transaction (`pg_stat_activity`) through `/tunnel <env>`.',
        ],
      },
    },
    {
      ...common,
      id: 'db-replica-lag',
      title: 'Aurora replica lag',
      severity: 'warning',
      deploy: 'none',
      query: `avg(last_10m):max:aws.rds.aurora_replica_lag${byInstance} > ${t.dbReplicaLagMs.critical}`,
      thresholds: { critical: t.dbReplicaLagMs.critical, warning: t.dbReplicaLagMs.warning },
      noDataMinutes: null,
      runbook: {
        summary: 'A reader lags behind the writer (ms): reads through the reader endpoint return stale data.',
        steps: [
          'Check the writer for a write burst (write IOPS on the Data layer dashboard).',
          'Check the reader’s CPU and capacity: a starved reader falls behind.',
        ],
      },
    },
    {
      ...common,
      id: 'db-deadlocks',
      title: 'Aurora deadlocks',
      severity: 'warning',
      deploy: 'none',
      query: `avg(last_15m):sum:aws.rds.deadlocks${byInstance} > ${t.dbDeadlocksPerSecond.critical}`,
      thresholds: { critical: t.dbDeadlocksPerSecond.critical, warning: t.dbDeadlocksPerSecond.warning },
      noDataMinutes: null,
      runbook: {
        summary: 'Transactions deadlock (per second): some requests fail and are retried.',
        steps: [
          'Find the statements in the PostgreSQL log (`deadlock detected`), in Datadog Logs.',
          'Check whether a recent deploy changed the order in which rows are locked.',
        ],
      },
    },
    {
      layer: 'database',
      type: 'event-v2 alert',
      evaluationDelaySeconds: 0,
      id: 'db-failover',
      title: 'Aurora failover',
      severity: 'warning',
      deploy: 'none',
      // Failovers reach Datadog through the stack's EventBridge forwarding (Datadog's RDS integration
      // collects no cluster events): see stacks/datadog/event-forwarding.ts.
      query: `events("tags:${forwardedEventTag(FORWARDED_EVENTS.rdsFailover)} env:${env.name}").rollup("count").last("10m") > 0`,
      thresholds: { critical: 0 },
      noDataMinutes: null,
      runbook: {
        summary:
          'The cluster failed over: a reader became the writer, and writes failed for a minute or two.',
        steps: [
          'Check the app error rate monitors for the impact and that it ended.',
          'Read the event text (the RDS message) for the cause (instance failure, maintenance, manual failover).',
        ],
      },
    },
  ];
}
