import { loadGoldenConfig } from '../../monitors/golden';
import { defineMonitors, monitorsFor } from '../../monitors/monitors';
import { DEPLOY_GATE_TAG, DEPLOY_SENSITIVE_TAG, idFromTags } from '../../monitors/tags';
import type { Layer } from '../../monitors/types';

const config = loadGoldenConfig();
const env = (name: string) => config.environments.find((e) => e.name === name)!;

describe('monitorsFor', () => {
  const prod = defineMonitors(config, env('prod'));

  it.each<Layer>(['load-balancer', 'ecs', 'app', 'database', 'bastion', 'nat'])(
    'watches the %s layer',
    (layer) => {
      expect(prod.filter((m) => m.layer === layer).length).toBeGreaterThan(0);
    },
  );

  it.each(['http', 'grpc'])('watches the error rate and latency of %s', (protocol) => {
    const ids = prod.map((m) => m.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        `app-${protocol}-error-rate`,
        `app-${protocol}-latency-p99`,
        `app-${protocol}-latency-p95`,
      ]),
    );
  });

  it('tags every monitor as managed, with its environment and its stable id', () => {
    for (const m of prod) {
      expect(m.monitor.tags).toEqual(
        expect.arrayContaining(['managed-by:wheelhouse', 'env:prod', `monitor-id:${m.id}`]),
      );
      expect(idFromTags(m.monitor.tags)).toBe(m.id);
    }
  });

  it('marks gates and deploy-sensitive monitors, never both on one monitor', () => {
    const gates = prod.filter((m) => m.monitor.tags?.includes(DEPLOY_GATE_TAG)).map((m) => m.id);
    const sensitive = prod.filter((m) => m.monitor.tags?.includes(DEPLOY_SENSITIVE_TAG)).map((m) => m.id);
    expect(gates).toEqual(
      expect.arrayContaining(['app-http-error-rate', 'app-grpc-error-rate', 'app-http-latency-p99']),
    );
    expect(sensitive).toEqual(
      expect.arrayContaining(['ecs-running-below-desired', 'alb-healthy-hosts-per-az']),
    );
    expect(gates.filter((id) => sensitive.includes(id))).toEqual([]);
    // A CloudWatch monitor (900 s late) judges data from before the rollout for the whole bake: no gate.
    expect(gates).not.toContain('alb-5xx-rate');
  });

  it('writes a runbook message with alert and recovery blocks, and recoveries reach where alerts went', () => {
    // GIVEN a critical monitor in prod
    const m = prod.find((x) => x.id === 'app-http-error-rate')!;
    // THEN the alert pages, the warning goes to Slack, and the recovery reaches both
    expect(m.monitor.message).toContain('{{#is_alert}}@pagerduty-wheelhouse-prod{{/is_alert}}');
    expect(m.monitor.message).toContain('{{#is_warning}}@slack-wheelhouse-prod-alerts{{/is_warning}}');
    expect(m.monitor.message).toContain(
      '{{#is_recovery}}@pagerduty-wheelhouse-prod @slack-wheelhouse-prod-alerts{{/is_recovery}}',
    );
    expect(m.monitor.message).toContain('First steps:\n1. ');
    expect(m.monitor.message).toContain(
      'Dashboards: https://app.datadoghq.com/dashboard/lists?q=wheelhouse-prod',
    );
  });

  it('sizes the database capacity monitor from the configured maximum ACUs', () => {
    const capacity = prod.find((m) => m.id === 'db-capacity-near-max')!;
    expect(env('prod').database.maxCapacity).toBe(32);
    expect(capacity.monitor.query).toMatch(/>= 28\.8$/);
    expect(capacity.monitor.options?.thresholds).toEqual({ critical: 28.8, warning: 24 });
  });

  it('has unique ids in every environment', () => {
    for (const e of config.environments) {
      const ids = defineMonitors(config, e).map((m) => m.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it('defines nothing where Datadog is disabled', () => {
    expect(env('dev').datadog.enabled).toBe(false);
    expect(monitorsFor(config, env('dev'))).toEqual([]);
  });

  it('adds the traffic-floor monitors only to protected environments', () => {
    expect(prod.map((m) => m.id)).toContain('app-http-no-traffic');
    expect(defineMonitors(config, env('stage')).map((m) => m.id)).not.toContain('app-http-no-traffic');
  });
});
