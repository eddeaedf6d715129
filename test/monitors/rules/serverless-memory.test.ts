/**
 * Rule: no monitor alerts on FreeableMemory of the Aurora Serverless v2 cluster.
 *
 * AWS, "Performance and scaling for Aurora Serverless v2", section "Important Amazon CloudWatch
 * metrics for Aurora Serverless v2"
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.setting-capacity.html):
 * for a Serverless v2 instance FreeableMemory is the unused memory as if the instance were scaled to
 * its maximum capacity, about 2 GiB higher for each ACU below it, so it approaches zero only at the
 * maximum capacity. A monitor on it repeats `db-capacity-near-max`, late, and "raise minCapacity"
 * would not move it.
 */
import { metricTerms } from '../../../monitors/rules/query-terms';
import { allMonitors } from './rendered';

describe('serverless memory rule', () => {
  it('no monitor queries aws.rds.freeable_memory', () => {
    const offenders = allMonitors()
      .filter((m) =>
        metricTerms(m.definition.monitor.query).some((t) => t.metric === 'aws.rds.freeable_memory'),
      )
      .map((m) => `${m.env} ${m.definition.id}`);
    expect(offenders).toEqual([]);
  });

  it('the capacity monitor is there to say it instead, in every environment', () => {
    const capacity = allMonitors().filter((m) => m.definition.id === 'db-capacity-near-max');
    expect(capacity.length).toBe(allMonitors().filter((m) => m.definition.id === 'db-cpu').length);
    for (const m of capacity) {
      expect(metricTerms(m.definition.monitor.query).map((t) => t.metric)).toEqual([
        'aws.rds.serverless_database_capacity',
      ]);
    }
  });
});
