import { findEnvironment } from '../../config';
import { loadGoldenConfig } from '../../monitors/golden';
import { monitorsFor } from '../../monitors/monitors';
import { recipientsOf, routeFor, routeTable } from '../../monitors/routes';
import type { Severity } from '../../monitors/types';
import { exampleConfig } from '../support/example-config';

const config = loadGoldenConfig();
const env = (name: string) => config.environments.find((e) => e.name === name)!;

describe('routeFor', () => {
  it.each<[string, Severity, string]>([
    ['dev', 'critical', '@slack-wheelhouse-dev-alerts'],
    ['dev', 'warning', '@slack-wheelhouse-dev-alerts'],
    ['stage', 'critical', '@slack-wheelhouse-stage-alerts'],
    ['stage', 'warning', '@slack-wheelhouse-stage-alerts'],
    ['prod', 'critical', '@pagerduty-wheelhouse-prod'],
    ['prod', 'warning', '@slack-wheelhouse-prod-alerts'],
  ])('a %s %s alert goes to %s', (envName, severity, handle) => {
    expect(routeFor(env(envName), severity).recipients.map((r) => r.handle)).toEqual([handle]);
  });

  it('covers every severity of every environment', () => {
    // WHEN the whole table is listed
    const table = routeTable(config);
    // THEN it has one route per severity and environment, none without a recipient
    expect(table.map((r) => `${r.env}/${r.severity}`)).toEqual([
      'dev/critical',
      'dev/warning',
      'stage/critical',
      'stage/warning',
      'prod/critical',
      'prod/warning',
    ]);
    expect(table.every((r) => r.recipients.length > 0)).toBe(true);
  });

  it('production criticals mention the PagerDuty service of the configuration', () => {
    const prod = env('prod');
    expect(routeFor(prod, 'critical').recipients).toEqual([
      { channel: 'pagerduty', name: prod.pagerduty.datadogServiceName, handle: '@pagerduty-wheelhouse-prod' },
    ]);
  });

  it('criticals go to Slack in an environment whose PagerDuty is disabled', () => {
    // GIVEN prod with PagerDuty turned off
    const prod = env('prod');
    const noPager = { ...prod, pagerduty: { ...prod.pagerduty, enabled: false } };
    // THEN its criticals go to its Slack channel
    expect(routeFor(noPager, 'critical').recipients.map((r) => r.handle)).toEqual([
      '@slack-wheelhouse-prod-alerts',
    ]);
  });

  it('lists each recipient of an environment once', () => {
    expect(recipientsOf(env('prod')).map((r) => r.handle)).toEqual([
      '@pagerduty-wheelhouse-prod',
      '@slack-wheelhouse-prod-alerts',
    ]);
    expect(recipientsOf(env('dev')).map((r) => r.handle)).toEqual(['@slack-wheelhouse-dev-alerts']);
  });
});

describe('runbook links', () => {
  it('link each monitor to the configured runbook base, and nowhere without one', () => {
    const config = exampleConfig();
    const monitors = (name: string) => monitorsFor(config, findEnvironment(config, name));
    expect(
      monitors('prod').every((m) =>
        (m.monitor.message ?? '').includes('Runbook: https://wiki.example.com/wheelhouse/runbooks#'),
      ),
    ).toBe(true);
    expect(monitors('stage').some((m) => (m.monitor.message ?? '').includes('Runbook:'))).toBe(false);
  });
});
