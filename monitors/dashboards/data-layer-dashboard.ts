/** The Data layer dashboard: Aurora capacity, connections, replica lag, I/O, CPU and memory. */
import type { Dashboard } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/models/Dashboard';
import { type EnvironmentConfig, FORWARDED_EVENTS, forwardedEventTag } from '../../config';
import { AWS, templateVariables } from './template';
import { eventTimeline, group, note, timeseries } from './widgets';

/** Builds the Data layer dashboard of one environment (title and description are set by the caller). */
export function dataLayerDashboard(_project: string, env: EnvironmentConfig): Omit<Dashboard, 'title'> {
  const byInstance = `{${AWS}} by {dbinstanceidentifier}`;
  return {
    layoutType: 'ordered',
    templateVariables: templateVariables(env),
    widgets: [
      note(
        `Aurora PostgreSQL Serverless v2, ${env.database.minCapacity}–${env.database.maxCapacity} ACUs in ${env.name}. The writer and readers are told apart by \`dbinstanceidentifier\`.`,
      ),
      group('Capacity', [
        timeseries('Serverless capacity (ACU)', [
          { q: `max:aws.rds.serverless_database_capacity${byInstance}` },
        ]),
        timeseries('ACU utilisation (%)', [{ q: `max:aws.rds.acuutilization${byInstance}` }]),
        timeseries('CPU (%)', [{ q: `avg:aws.rds.cpuutilization${byInstance}` }]),
        timeseries('Freeable memory', [{ q: `min:aws.rds.freeable_memory${byInstance}` }]),
      ]),
      group('Connections and replication', [
        timeseries('Connections', [{ q: `max:aws.rds.database_connections${byInstance}` }]),
        timeseries('Replica lag (ms)', [{ q: `max:aws.rds.aurora_replica_lag${byInstance}` }]),
        timeseries('Deadlocks (/s)', [{ q: `sum:aws.rds.deadlocks${byInstance}`, display: 'bars' }]),
        eventTimeline('Failovers', `tags:${forwardedEventTag(FORWARDED_EVENTS.rdsFailover)} env:$env.value`),
      ]),
      group('I/O', [
        timeseries('Read / write IOPS', [
          { q: `sum:aws.rds.read_iops${byInstance}` },
          { q: `sum:aws.rds.write_iops${byInstance}` },
        ]),
        timeseries('Read / write latency (s)', [
          { q: `avg:aws.rds.read_latency${byInstance}` },
          { q: `avg:aws.rds.write_latency${byInstance}` },
        ]),
        timeseries('Read / write throughput (bytes/s)', [
          { q: `sum:aws.rds.read_throughput${byInstance}` },
          { q: `sum:aws.rds.write_throughput${byInstance}` },
        ]),
      ]),
    ],
  };
}
