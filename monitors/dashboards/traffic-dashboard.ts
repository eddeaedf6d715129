/** The Traffic dashboard: the shape of the traffic by protocol, latency percentiles and errors. */
import type { Dashboard } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/models/Dashboard';
import type { EnvironmentConfig } from '../../config';
import { APP_METRICS } from '../app-monitors';
import { AWS, appScope, DEPLOYMENT_EVENTS, templateVariables } from './template';
import { group, note, queryValue, timeseries } from './widgets';

/** Builds the Traffic dashboard of one environment (title and description are set by the caller). */
export function trafficDashboard(project: string, env: EnvironmentConfig): Omit<Dashboard, 'title'> {
  const app = appScope(project);
  const { requests, errors, duration } = APP_METRICS;
  return {
    layoutType: 'ordered',
    templateVariables: templateVariables(env),
    widgets: [
      note(
        'Requests as the service counts them, per protocol (`protocol:http|grpc`), with the load balancer’s view below. Deployments are marked on every graph.',
      ),
      group('Requests', [
        queryValue('HTTP requests/s', `sum:${requests}{${app},protocol:http}.as_rate()`, 1),
        queryValue('gRPC requests/s', `sum:${requests}{${app},protocol:grpc}.as_rate()`, 1),
        timeseries(
          'Requests by protocol',
          [{ q: `sum:${requests}{${app}} by {protocol}.as_rate()`, display: 'bars' }],
          DEPLOYMENT_EVENTS,
        ),
        timeseries(
          'Requests by status',
          [{ q: `sum:${requests}{${app}} by {protocol,status}.as_rate()`, display: 'bars' }],
          DEPLOYMENT_EVENTS,
        ),
      ]),
      group('Latency', [
        timeseries(
          'HTTP latency p50 / p95 / p99 (ms)',
          ['p50', 'p95', 'p99'].map((p) => ({ q: `${p}:${duration}{${app},protocol:http}` })),
          DEPLOYMENT_EVENTS,
        ),
        timeseries(
          'gRPC latency p50 / p95 / p99 (ms)',
          ['p50', 'p95', 'p99'].map((p) => ({ q: `${p}:${duration}{${app},protocol:grpc}` })),
          DEPLOYMENT_EVENTS,
        ),
        timeseries('Slowest methods p99 (ms)', [
          { q: `top(p99:${duration}{${app}} by {protocol,method}, 10, 'max', 'desc')` },
        ]),
      ]),
      group('Errors', [
        timeseries(
          'Error rate by protocol (%)',
          [
            {
              q: `sum:${errors}{${app}} by {protocol}.as_count() / sum:${requests}{${app}} by {protocol}.as_count() * 100`,
            },
          ],
          DEPLOYMENT_EVENTS,
        ),
        timeseries('Errors by method', [
          { q: `sum:${errors}{${app}} by {protocol,method}.as_count()`, display: 'bars' },
        ]),
      ]),
      group('Load balancer', [
        timeseries('Requests', [
          { q: `sum:aws.applicationelb.request_count{${AWS}}.as_count()`, display: 'bars' },
        ]),
        timeseries('5xx (load balancer and targets)', [
          { q: `sum:aws.applicationelb.httpcode_elb_5xx{${AWS}}.as_count()`, display: 'bars' },
          { q: `sum:aws.applicationelb.httpcode_target_5xx{${AWS}}.as_count()`, display: 'bars' },
        ]),
        timeseries('Target response time p95 / p99 (s)', [
          { q: `avg:aws.applicationelb.target_response_time.p95{${AWS}}` },
          { q: `avg:aws.applicationelb.target_response_time.p99{${AWS}}` },
        ]),
        timeseries('Healthy targets per AZ', [
          { q: `min:aws.applicationelb.healthy_host_count{${AWS}} by {availability-zone}` },
        ]),
      ]),
      ...(env.domain === null ? [grpcNetworkLoadBalancer()] : []),
    ],
  };
}

/**
 * Without a domain, gRPC goes through a network load balancer: its flows, resets and targets
 * (CloudWatch `AWS/NetworkELB`, `aws.networkelb.*` in Datadog's AWS integration).
 */
function grpcNetworkLoadBalancer() {
  return group('gRPC load balancer (NLB)', [
    timeseries('Active and new flows', [
      { q: `sum:aws.networkelb.active_flow_count{${AWS}}` },
      { q: `sum:aws.networkelb.new_flow_count{${AWS}}.as_count()`, display: 'bars' },
    ]),
    timeseries('TCP resets (targets and load balancer)', [
      { q: `sum:aws.networkelb.tcp_target_reset_count{${AWS}}.as_count()`, display: 'bars' },
      { q: `sum:aws.networkelb.tcp_elb_reset_count{${AWS}}.as_count()`, display: 'bars' },
    ]),
    timeseries('Healthy and unhealthy targets per AZ', [
      { q: `min:aws.networkelb.healthy_host_count{${AWS}} by {availability-zone}` },
      { q: `max:aws.networkelb.un_healthy_host_count{${AWS}} by {availability-zone}` },
    ]),
    timeseries('Processed bytes', [
      { q: `sum:aws.networkelb.processed_bytes{${AWS}}.as_count()`, display: 'bars' },
    ]),
  ]);
}
