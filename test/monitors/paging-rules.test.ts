/**
 * Rules that keep pages rare and right: ratios need traffic and hysteresis, links open the
 * environment's own Datadog site, and Slack handles name the workspace when there is more than one.
 */
import { datadogAppUrl } from '../../monitors/datadog-links';
import { loadGoldenConfig } from '../../monitors/golden';
import { messageLinks } from '../../monitors/message';
import { defineMonitors, LAYERS } from '../../monitors/monitors';
import { hasMinimumTraffic, isRatio, MIN_RATIO_REQUESTS } from '../../monitors/ratio-guards';
import { routeFor, slackHandle } from '../../monitors/routes';

const config = loadGoldenConfig();
const env = (name: string) => config.environments.find((e) => e.name === name)!;

describe('ratio monitors', () => {
  const all = config.environments.flatMap((e) => defineMonitors(config, e).map((m) => ({ env: e.name, m })));
  const ratios = all.filter(({ m }) => isRatio(m.monitor.query));

  it('finds the ratio monitors (error rates and the load balancer 5xx rate)', () => {
    expect(new Set(ratios.map(({ m }) => m.id))).toEqual(
      new Set(['alb-5xx-rate', 'app-http-error-rate', 'app-grpc-error-rate']),
    );
  });

  // Datadog, "Functions" → "Exclusion" → "Clamp" (https://docs.datadoghq.com/dashboards/functions/exclusion/):
  // clamp_min() raises every point under the threshold to it, so a quiet night cannot make a ratio.
  it.each(ratios.map(({ env, m }) => [env, m.id, m]))(
    '%s %s divides by clamp_min(requests, minimum)',
    (_env, _id, m) => {
      expect(hasMinimumTraffic(m.monitor.query)).toBe(true);
      expect(m.monitor.query).toContain(`, ${MIN_RATIO_REQUESTS})`);
    },
  );

  it('counts 1 error in 10 requests as 1 %, below every critical threshold', () => {
    // The arithmetic of the clamped query: errors / max(requests, minimum) * 100.
    const percent = (errors: number, requests: number) =>
      (errors / Math.max(requests, MIN_RATIO_REQUESTS)) * 100;
    expect(percent(1, 10)).toBe(1);
    for (const { m } of ratios) expect(percent(1, 10)).toBeLessThan(m.monitor.options!.thresholds!.critical!);
    // AND a real burst at full traffic still crosses it
    expect(percent(60, 1000)).toBeGreaterThan(5);
  });

  // Datadog, "Metric Monitors" → "Recovery thresholds" (https://docs.datadoghq.com/monitors/types/metric/):
  // a monitor recovers only below its recovery threshold, so a value on the edge does not flap.
  it.each(ratios.map(({ env, m }) => [env, m.id, m]))(
    '%s %s recovers below its thresholds',
    (_env, _id, m) => {
      const t = m.monitor.options!.thresholds!;
      expect(t.criticalRecovery).toBeLessThan(t.critical!);
      expect(t.warningRecovery).toBeLessThan(t.warning!);
      expect(t.warning).toBeLessThan(t.critical!);
      expect(t.criticalRecovery).toBeGreaterThan(0);
    },
  );

  it('no other spec divides without a floor', () => {
    for (const e of config.environments) {
      for (const spec of LAYERS.flatMap((layer) => layer(config.project.name, e))) {
        expect([spec.id, hasMinimumTraffic(spec.query)]).toEqual([spec.id, true]);
      }
    }
  });
});

describe('links into Datadog', () => {
  // Datadog, "Getting Started with Datadog Sites" (https://docs.datadoghq.com/getting_started/site/),
  // table "Access the Datadog site": the site URL of each site.
  it.each([
    ['datadoghq.com', 'https://app.datadoghq.com'],
    ['us3.datadoghq.com', 'https://us3.datadoghq.com'],
    ['us5.datadoghq.com', 'https://us5.datadoghq.com'],
    ['datadoghq.eu', 'https://app.datadoghq.eu'],
    ['ddog-gov.com', 'https://app.ddog-gov.com'],
    ['ap1.datadoghq.com', 'https://ap1.datadoghq.com'],
    ['ap2.datadoghq.com', 'https://ap2.datadoghq.com'],
  ])('%s opens %s', (site, url) => {
    expect(datadogAppUrl(site)).toBe(url);
  });

  it("puts the site's UI host in every monitor message", () => {
    const prod = env('prod');
    const onUs5 = { ...prod, datadog: { ...prod.datadog, site: 'us5.datadoghq.com' } };
    const spec = LAYERS[0]!(config.project.name, onUs5)[0]!;
    expect(messageLinks(spec, onUs5).find((l) => l.startsWith('Dashboards:'))).toMatch(
      /^Dashboards: https:\/\/us5\.datadoghq\.com\/dashboard\/lists\?/,
    );
  });
});

describe('Slack handles', () => {
  // Datadog, "Slack" integration → "Monitor alerts": with more than one Slack account, the handle is
  // @slack-{account}-{channel} (https://docs.datadoghq.com/integrations/slack/).
  it('names only the channel with one workspace', () => {
    expect(slackHandle(env('dev'), 'wheelhouse-dev-alerts')).toBe('@slack-wheelhouse-dev-alerts');
  });

  it('names the account and the channel when Datadog has more than one workspace', () => {
    const dev = env('dev');
    const several = {
      ...dev,
      datadog: { ...dev.datadog, multipleSlackWorkspaces: true, slackAccount: 'acme-ops' },
    };
    expect(routeFor(several, 'warning').recipients.map((r) => r.handle)).toEqual([
      '@slack-acme-ops-wheelhouse-dev-alerts',
    ]);
  });
});
