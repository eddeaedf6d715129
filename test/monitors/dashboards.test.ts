/**
 * Dashboards show data the environment has: the NLB that carries gRPC without a domain, Agent
 * container metrics filtered on the unified service tags the task's containers carry, and the
 * template variable's non-deprecated `defaults`.
 */
import { defineDashboards } from '../../monitors/dashboards';
import { loadGoldenConfig } from '../../monitors/golden';
import { dashboardToWire, type Json } from '../../monitors/wire';
import { UNIFIED_SERVICE_TAG_LABELS } from '../../stacks/datadog/unified-service-tags';

const config = loadGoldenConfig();
const env = (name: string) => config.environments.find((e) => e.name === name)!;

/** Every `q` of a dashboard, nested groups included. */
function queries(value: Json): string[] {
  if (Array.isArray(value)) return value.flatMap(queries);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => (k === 'q' && typeof v === 'string' ? [v] : queries(v)));
}

describe('dashboards', () => {
  const wire = (name: string) => defineDashboards(config, env(name)).map((d) => dashboardToWire(d.dashboard));

  // Datadog API reference, "Dashboards": a template variable's `default` is deprecated, `defaults` replaces it.
  it('default the env template variable with `defaults`, never the deprecated `default`', () => {
    for (const e of config.environments) {
      for (const d of wire(e.name) as { template_variables: Record<string, Json>[] }[]) {
        expect(d.template_variables).toEqual([
          { name: 'env', prefix: 'wheelhouse:environment', defaults: [e.name] },
        ]);
      }
    }
  });

  it('graph the network load balancer where gRPC goes through one (no domain)', () => {
    const prod = wire('prod').flatMap(queries);
    expect(prod.some((q) => q.startsWith('sum:aws.networkelb.active_flow_count{$env}'))).toBe(true);
    expect(prod.some((q) => q.includes('aws.networkelb.healthy_host_count'))).toBe(true);
    const withDomain = {
      ...env('prod'),
      domain: {
        name: 'api.example.com',
        certificateArn: 'arn:aws:acm:eu-west-1:1:certificate/x',
        hostedZoneId: null,
      },
    };
    const alb = defineDashboards(config, withDomain).flatMap((d) => queries(dashboardToWire(d.dashboard)));
    expect(alb.some((q) => q.includes('aws.networkelb'))).toBe(false);
  });

  // Datadog, "Unified Service Tagging" → "Amazon ECS": the Agent tags ecs.fargate.* with the
  // container's com.datadoghq.tags.* labels, which stacks/datadog/unified-service-tags.ts sets.
  it('filter the Agent container metrics on tags the containers carry (env and service labels)', () => {
    const fargate = wire('prod')
      .flatMap(queries)
      .filter((q) => q.includes('ecs.fargate.'));
    expect(fargate.length).toBeGreaterThan(0);
    const labelled = Object.keys(UNIFIED_SERVICE_TAG_LABELS);
    for (const q of fargate) {
      const filters = /\{([^}]*)\}/.exec(q)![1]!.split(',');
      for (const f of filters) expect(labelled).toContain(f.split(':')[0]);
    }
  });
});
