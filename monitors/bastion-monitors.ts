/** Monitors of the SSH bastion: EC2 status checks. */
import type { EnvironmentConfig } from '../config';
import { awsScope } from './tags';
import { CLOUDWATCH_DELAY_SECONDS } from './thresholds';
import type { MonitorSpec } from './types';

/**
 * The bastion monitors of one environment.
 *
 * The environment's scope selects the bastion alone: the service runs on Fargate, so the bastion
 * is the environment's only EC2 instance.
 */
export function bastionMonitors(_project: string, env: EnvironmentConfig): readonly MonitorSpec[] {
  return [
    {
      id: 'bastion-status-check',
      layer: 'bastion',
      title: 'Bastion status checks',
      severity: 'warning',
      deploy: 'none',
      type: 'query alert',
      query: `max(last_10m):max:aws.ec2.status_check_failed{${awsScope(env)}} by {host} > 0`,
      thresholds: { critical: 0 },
      noDataMinutes: null,
      evaluationDelaySeconds: CLOUDWATCH_DELAY_SECONDS,
      runbook: {
        summary: 'The bastion fails its EC2 status checks: database tunnels do not work.',
        steps: [
          'Reboot the instance from the EC2 console; a failed system check needs a stop and start.',
          'If it does not recover, deploy the stack: the bastion is replaced and its keys come from SSM.',
        ],
      },
    },
  ];
}
