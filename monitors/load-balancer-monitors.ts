/** Monitors of the load balancers: 5xx rate, target latency p95/p99, healthy targets per availability zone. */
import type { EnvironmentConfig } from '../config';
import { minimumTraffic, ratioThresholds } from './ratio-guards';
import { awsScope } from './tags';
import { CLOUDWATCH_DELAY_SECONDS, thresholdsFor } from './thresholds';
import type { MonitorSpec } from './types';

/** The load balancer monitors of one environment; gRPC through a network load balancer adds its own. */
export function loadBalancerMonitors(_project: string, env: EnvironmentConfig): readonly MonitorSpec[] {
  const scope = awsScope(env);
  const t = thresholdsFor(env);
  const common = {
    layer: 'load-balancer',
    type: 'query alert',
    evaluationDelaySeconds: CLOUDWATCH_DELAY_SECONDS,
  } as const;
  const specs: MonitorSpec[] = [
    {
      ...common,
      id: 'alb-5xx-rate',
      title: 'Load balancer 5xx rate',
      severity: 'critical',
      deploy: 'gate',
      // CloudWatch reports the 5xx counts only for minutes that had some: each term is `default_zero`,
      // or one kind of 5xx alone leaves the sum empty and the evaluation skipped.
      query:
        `sum(last_5m):(default_zero(sum:aws.applicationelb.httpcode_elb_5xx{${scope}}.as_count()) + ` +
        `default_zero(sum:aws.applicationelb.httpcode_target_5xx{${scope}}.as_count())) / ` +
        `${minimumTraffic(`default_zero(sum:aws.applicationelb.request_count{${scope}}.as_count())`)} * 100 > ${t.lb5xxPercent.critical}`,
      thresholds: ratioThresholds(t.lb5xxPercent),
      noDataMinutes: null,
      runbook: {
        summary: 'Callers are getting 5xx responses from the load balancer (its own or the targets’).',
        steps: [
          'Check the app error rate monitors: target 5xx is the app, ELB 5xx is no healthy target or a timeout.',
          'If a deploy just finished, `/rollback <env>`: this monitor sees CloudWatch data 15 minutes late, after the bake has ended.',
          'Look at the Traffic dashboard for the protocol and the status codes.',
        ],
      },
    },
    {
      ...common,
      id: 'alb-latency-p95',
      title: 'Load balancer target latency p95',
      severity: 'warning',
      deploy: 'none',
      query: `avg(last_10m):avg:aws.applicationelb.target_response_time.p95{${scope}} > ${t.lbLatencyP95Seconds.critical}`,
      thresholds: { critical: t.lbLatencyP95Seconds.critical, warning: t.lbLatencyP95Seconds.warning },
      noDataMinutes: null,
      runbook: {
        summary: 'One request in twenty takes longer than the threshold (seconds) to be answered.',
        steps: [
          'Compare with the app latency monitors: if only the load balancer is slow, look at target health.',
          'Check the Data layer dashboard: database CPU, capacity at its maximum, or connections.',
          'Check ECS CPU; `/scale <env> <count>` if the service is saturated.',
        ],
      },
    },
    {
      ...common,
      id: 'alb-latency-p99',
      title: 'Load balancer target latency p99',
      severity: 'critical',
      deploy: 'none',
      query: `avg(last_10m):avg:aws.applicationelb.target_response_time.p99{${scope}} > ${t.lbLatencyP99Seconds.critical}`,
      thresholds: { critical: t.lbLatencyP99Seconds.critical, warning: t.lbLatencyP99Seconds.warning },
      noDataMinutes: null,
      runbook: {
        summary:
          'The slowest requests take longer than the threshold (seconds): some callers are timing out.',
        steps: [
          'Check the database: replica lag, deadlocks, capacity at its maximum.',
          'Check ECS CPU and memory, and whether tasks are restarting.',
          'If it started with a deploy, `/rollback <env>`.',
        ],
      },
    },
    {
      ...common,
      id: 'alb-healthy-hosts-per-az',
      title: 'Load balancer healthy targets per AZ',
      severity: 'critical',
      deploy: 'sensitive',
      query: `max(last_5m):min:aws.applicationelb.healthy_host_count{${scope}} by {availability-zone,targetgroup} < 1`,
      thresholds: { critical: 1 },
      noDataMinutes: 20,
      runbook: {
        summary:
          'An availability zone has no healthy target: the service no longer survives the loss of the other AZ.',
        steps: [
          'Look at the ECS service events: are tasks failing their health checks or failing to start?',
          'Check the app logs of the stopped tasks for the reason (crash, failed migration, missing secret).',
          'If only one AZ is affected, check the AWS Health dashboard for that AZ.',
        ],
      },
    },
  ];
  if (env.domain === null) {
    // Without a domain there is no HTTPS listener, so gRPC goes through a network load balancer.
    specs.push({
      ...common,
      id: 'nlb-healthy-hosts-per-az',
      title: 'gRPC load balancer healthy targets per AZ',
      severity: 'critical',
      deploy: 'sensitive',
      query: `max(last_5m):min:aws.networkelb.healthy_host_count{${scope}} by {availability-zone,targetgroup} < 1`,
      thresholds: { critical: 1 },
      noDataMinutes: 20,
      runbook: {
        summary: 'An availability zone has no healthy gRPC target behind the network load balancer.',
        steps: [
          'Check the gRPC health of the tasks (`grpc.health.v1.Health/Check`) and the ECS service events.',
          'Compare with the HTTP target group: if both are empty, tasks are not running at all.',
        ],
      },
    });
  }
  return specs;
}
