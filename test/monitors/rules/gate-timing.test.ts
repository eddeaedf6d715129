/**
 * Rules: a deploy gate judges the deploy within the bake; muted monitors stay muted until the data
 * they judge is from after the deploy.
 *
 * Datadog, "Configure Monitors", "Evaluation delay" (https://docs.datadoghq.com/monitors/configuration/):
 * a monitor with `evaluation_delay` d and window w evaluates at t the data of [t − d − w, t − d].
 * Datadog, "Cloud Metric Delay" (https://docs.datadoghq.com/integrations/guide/cloud-metric-delay/):
 * the AWS integration crawls CloudWatch every 10 minutes, so 1-minute metrics arrive ~10–12 minutes
 * late and 5-minute ones ~15–20 (Metric Streams: 2–3 minutes), hence the 900 s delay of our
 * CloudWatch monitors.
 */
import { gateFitsBake, judgedAfterSeconds, muteSettleSeconds } from '../../../monitors/deploy-timing';
import { defineMonitors } from '../../../monitors/monitors';
import { DEPLOY_GATE_TAG, DEPLOY_SENSITIVE_TAG } from '../../../monitors/tags';
import { configs } from './rendered';

const timed = (query: string, delay: number) => ({ query, evaluationDelaySeconds: delay });

describe('gate timing rule', () => {
  it.each([
    ['app error rate: no delay, 5 min', timed('sum(last_5m):a > 1', 0), 10, true],
    ['app latency: no delay, 10 min, in a 10 min bake', timed('avg(last_10m):p99:a{*} > 1', 0), 10, true],
    ['app latency in a 5 min bake', timed('avg(last_10m):p99:a{*} > 1', 0), 5, false],
    ['load balancer 5xx: 900 s delay, 5 min, stage bake 10 min', timed('sum(last_5m):a > 1', 900), 10, false],
    ['load balancer 5xx in prod bake 15 min', timed('sum(last_5m):a > 1', 900), 15, false],
    ['load balancer 5xx in a 20 min bake', timed('sum(last_5m):a > 1', 900), 20, true],
    ['anything with no bake at all', timed('sum(last_1m):a > 1', 0), 0, false],
  ])('%s: counts as a gate: %s', (_name, monitor, bake, fits) => {
    expect(gateFitsBake(monitor, bake)).toBe(fits);
  });

  it.each([
    ['a metric monitor', timed('max(last_5m):min:a{*} < 1', 900), 1200],
    ['an event monitor', timed('events("tags:x").rollup("count").last("30m") > 4', 0), 1800],
    ['an hour window', timed('avg(last_1h):a{*} > 1', 60), 3660],
  ])('%s judges only data from after an event %s s later', (_name, monitor, seconds) => {
    expect(judgedAfterSeconds(monitor)).toBe(seconds);
  });

  describe.each(configs().map((c) => [c.source, c.config] as const))('%s', (_source, config) => {
    it.each(config.environments.map((e) => [e.name, e]))(
      '%s: every monitor tagged a gate fits in the bake',
      (_name, env) => {
        const monitors = defineMonitors(config, env);
        const gates = monitors.filter((m) => m.monitor.tags?.includes(DEPLOY_GATE_TAG));
        for (const m of gates) {
          const fits = gateFitsBake(
            { query: m.monitor.query, evaluationDelaySeconds: m.monitor.options?.evaluationDelay ?? 0 },
            env.datadog.bakeMinutes,
          );
          expect([m.id, fits]).toEqual([m.id, true]);
          expect(m.deploy).toBe('gate');
        }
        if (env.datadog.bakeMinutes >= 10) expect(gates.length).toBeGreaterThan(0);
      },
    );
  });

  it.each([
    // deploy end, the env, the expected end of the mute: deploy end + the longest delay + window of its sensitive monitors
    ['prod', '2026-01-01T10:00:00.000Z', '2026-01-01T10:30:00.000Z'],
    ['stage', '2026-01-01T10:00:00.000Z', '2026-01-01T10:30:00.000Z'],
  ])('%s: a mute for a deploy that ended at %s ends at %s', (envName, deployEnd, muteEnd) => {
    const config = configs()[1]!.config;
    const env = config.environments.find((e) => e.name === envName)!;
    const sensitive = defineMonitors(config, env)
      .filter((m) => m.monitor.tags?.includes(DEPLOY_SENSITIVE_TAG))
      .map((m) => ({
        query: m.monitor.query,
        evaluationDelaySeconds: m.monitor.options?.evaluationDelay ?? 0,
      }));
    const end = new Date(new Date(deployEnd).getTime() + muteSettleSeconds(sensitive) * 1000);
    expect(end.toISOString()).toBe(muteEnd);
  });
});
