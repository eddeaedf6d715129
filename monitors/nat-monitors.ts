/** Monitors of the NAT gateways: port allocation errors. */
import type { EnvironmentConfig } from '../config';
import { awsScope } from './tags';
import { CLOUDWATCH_DELAY_SECONDS } from './thresholds';
import type { MonitorSpec } from './types';

/** The NAT gateway monitors of one environment. */
export function natMonitors(_project: string, env: EnvironmentConfig): readonly MonitorSpec[] {
  return [
    {
      id: 'nat-port-allocation-errors',
      layer: 'nat',
      title: 'NAT gateway port allocation errors',
      severity: 'warning',
      deploy: 'none',
      type: 'query alert',
      query: `sum(last_5m):sum:aws.natgateway.error_port_allocation{${awsScope(env)}} by {natgatewayid}.as_count() > 0`,
      thresholds: { critical: 0 },
      noDataMinutes: null,
      evaluationDelaySeconds: CLOUDWATCH_DELAY_SECONDS,
      runbook: {
        summary: 'A NAT gateway ran out of source ports: outbound connections from the tasks fail.',
        steps: [
          'Look for a burst of outbound connections to one destination (connections not reused).',
          'Use VPC endpoints for AWS services so their traffic does not go through the NAT gateway.',
        ],
      },
    },
  ];
}
