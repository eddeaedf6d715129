import { EXIT } from '../../../cli/exit-codes';
import type { DatadogFake } from '../../support/datadog-fake';
import { type RoutedFakes, runMonitorsCli, startRoutedFakes } from '../../support/monitors-cli';
import type { PagerDutyFake } from '../../support/pagerduty-fake';

const run = runMonitorsCli;

describe('wheelhouse monitors', () => {
  let dd: DatadogFake;
  let pd: PagerDutyFake;
  let env: NodeJS.ProcessEnv;

  let fakes: RoutedFakes;

  beforeEach(async () => {
    fakes = await startRoutedFakes();
    ({ dd, pd, env } = fakes);
  });

  afterEach(() => fakes.close());

  it('plan shows every monitor and dashboard to create and exits 3', async () => {
    // WHEN planning an empty Datadog
    const { code, out } = await run(['plan', '--env', 'prod'], env);
    // THEN everything is to be created, nothing was written
    expect(code).toBe(EXIT.changes);
    expect(out).toMatch(/\+ create {2}monitor +alb-5xx-rate/);
    expect(out).toMatch(/Plan for prod: 30 to create, 0 to update, 0 to delete, 0 unchanged\./);
    expect(dd.writes()).toEqual([]);
  });

  it('apply creates them, and a second apply makes no write', async () => {
    // WHEN applying twice
    const first = await run(['apply', '--env', 'prod'], env);
    const writesAfterFirst = dd.writes().length;
    const second = await run(['apply', '--env', 'prod'], env);
    // THEN the first created 26 monitors, 3 dashboards and the tag configuration of the latency distribution, the second wrote nothing
    expect(first.code).toBe(EXIT.ok);
    expect(dd.monitors.size).toBe(26);
    expect(dd.dashboards.size).toBe(3);
    expect(writesAfterFirst).toBe(30);
    expect(second.code).toBe(EXIT.ok);
    expect(second.out).toContain('Nothing to apply.');
    expect(dd.writes().length).toBe(writesAfterFirst);
  });

  it('plan exits 0 when Datadog matches, although Datadog normalised what it stored', async () => {
    // GIVEN applied monitors that the fake stores the way Datadog does (metric alert, defaults, sorted tags)
    await run(['apply', '--env', 'prod'], env);
    const stored = dd.monitors.get(dd.monitorIdByTag('monitor-id:alb-5xx-rate'))!;
    expect(stored.type).toBe('metric alert');
    // AND someone's editor reflowed the query and the message whitespace
    stored.query = String(stored.query).replace('sum(last_5m):(', 'sum(last_5m): ( ').replace(' > ', '  >  ');
    stored.message = `${String(stored.message).replace(/\n/g, '\r\n')}\n\n`;
    // WHEN planning
    const { code, out } = await run(['plan', '--env', 'prod'], env);
    // THEN nothing shows as drift
    expect(out).toMatch(/0 to create, 0 to update, 0 to delete, 30 unchanged/);
    expect(code).toBe(EXIT.ok);
  });

  it('plan shows a changed owned field as an update, and apply puts it back', async () => {
    // GIVEN someone raised a threshold and removed the warning by hand
    await run(['apply', '--env', 'prod'], env);
    const id = dd.monitorIdByTag('monitor-id:db-cpu');
    const stored = dd.monitors.get(id)!;
    stored.options = { ...(stored.options as object), thresholds: { critical: 95 } };
    stored.tags = [...(stored.tags as string[]), 'team:db'];
    // WHEN planning, then applying
    const plan = await run(['plan', '--env', 'prod'], env);
    const apply = await run(['apply', '--env', 'prod'], env);
    // THEN the plan names the fields, and apply updates that monitor alone
    expect(plan.code).toBe(EXIT.changes);
    expect(plan.out).toContain('~ update  monitor  db-cpu');
    expect(plan.out).toContain('options.thresholds.critical: 95 → 90');
    expect(plan.out).toContain('options.thresholds.warning: null → 80');
    expect(plan.out).toContain('tags: -team:db');
    expect(apply.code).toBe(EXIT.ok);
    expect(dd.writes().at(-1)).toMatchObject({ method: 'PUT', path: `/api/v1/monitor/${id}` });
    expect((dd.monitors.get(id)!.options as { thresholds: unknown }).thresholds).toEqual({
      critical: 90,
      warning: 80,
    });
  });

  it('keeps a managed monitor that is no longer defined unless --prune, which deletes it', async () => {
    // GIVEN a managed monitor of prod that no definition has any more, and another environment's monitor
    await run(['apply', '--env', 'prod'], env);
    const old = dd.seedMonitor({
      name: '[prod] Old monitor',
      type: 'query alert',
      query: 'avg(last_5m):avg:system.load.1{*} > 10',
      tags: ['managed-by:wheelhouse', 'env:prod', 'monitor-id:old-monitor'],
      options: { thresholds: { critical: 10 } },
    });
    const stage = dd.seedMonitor({
      name: '[stage] Kept',
      type: 'query alert',
      query: 'avg(last_5m):avg:system.load.1{*} > 10',
      tags: ['managed-by:wheelhouse', 'env:stage', 'monitor-id:old-monitor'],
    });
    // WHEN planning without and with --prune, then applying with --prune
    const keep = await run(['plan', '--env', 'prod'], env);
    const prunePlan = await run(['plan', '--env', 'prod', '--prune'], env);
    const pruned = await run(['apply', '--env', 'prod', '--prune'], env);
    // THEN it is reported, then planned for deletion, then deleted; stage's is untouched
    expect(keep.code).toBe(EXIT.ok);
    expect(keep.out).toContain('! orphan');
    expect(prunePlan.code).toBe(EXIT.changes);
    expect(prunePlan.out).toContain('- delete  monitor  old-monitor');
    expect(pruned.code).toBe(EXIT.ok);
    expect(dd.monitors.has(old)).toBe(false);
    expect(dd.monitors.has(stage)).toBe(true);
  });

  it('defines nothing where Datadog is disabled, and --prune removes what was left there', async () => {
    // GIVEN dev (datadog.enabled: false) with a managed monitor left from before
    const left = dd.seedMonitor({
      name: '[dev] HTTP error rate',
      type: 'query alert',
      query: 'sum(last_5m):sum:wheelhouse.request.errors{env:dev}.as_count() > 1',
      tags: ['managed-by:wheelhouse', 'env:dev', 'monitor-id:app-http-error-rate'],
    });
    // WHEN planning, then applying with --prune
    const plan = await run(['plan', '--env', 'dev'], env);
    const prune = await run(['apply', '--env', 'dev', '--prune'], env);
    // THEN the plan changes nothing, and the prune deletes the leftover
    expect(plan.code).toBe(EXIT.ok);
    expect(plan.out).toContain('Datadog is disabled for dev');
    expect(prune.code).toBe(EXIT.ok);
    expect(dd.monitors.has(left)).toBe(false);
  });

  it('plan shows a dashboard edited by hand as an update', async () => {
    // GIVEN someone retitled a widget of the Traffic dashboard
    await run(['apply', '--env', 'prod'], env);
    const traffic = [...dd.dashboards.values()].find((d) => String(d.title).endsWith('Traffic'))!;
    const widgets = traffic.widgets as { definition: { content?: string } }[];
    widgets[0]!.definition.content = 'edited by hand';
    // WHEN planning
    const { code, out } = await run(['plan', '--env', 'prod'], env);
    // THEN the widget's text is the one change
    expect(code).toBe(EXIT.changes);
    expect(out).toContain('~ update  dashboard  traffic');
    expect(out).toContain('widgets.0.definition.content: "edited by hand" →');
    expect(out).toMatch(/0 to create, 1 to update, 0 to delete, 29 unchanged/);
  });

  it('plan without keys prints what would be created and exits 3', async () => {
    // WHEN no Datadog keys are set
    const { code, out } = await run(['plan', '--env', 'prod'], { DATADOG_API_URL: dd.url });
    // THEN the plan says so and lists the creates, without a request
    expect(code).toBe(EXIT.changes);
    expect(out).toContain('DD_API_KEY/DD_APP_KEY not set');
    expect(out).toContain('30 to create');
    expect(dd.http.requests).toEqual([]);
  });

  it('apply without keys is refused with exit 2 and names the missing key', async () => {
    const { code, err } = await run(['apply', '--env', 'prod'], { DD_API_KEY: 'x', DATADOG_API_URL: dd.url });
    expect(code).toBe(EXIT.refused);
    expect(err).toContain('DD_APP_KEY is not set');
  });

  it('is refused with exit 2 and a clear message when Datadog refuses the keys (403)', async () => {
    const { code, err } = await run(['plan', '--env', 'prod'], { ...env, DD_APP_KEY: 'wrong' });
    expect(code).toBe(EXIT.refused);
    expect(err).toContain('Datadog refused the credentials (403)');
    expect(err).not.toContain('wrong');
  });

  it('retries a 5xx and succeeds', async () => {
    // GIVEN Datadog fails the first request once
    dd.http.failNext(1, 503);
    // WHEN planning
    const { code } = await run(['plan', '--env', 'prod'], env);
    // THEN the retry made it through
    expect(code).toBe(EXIT.changes);
    expect(
      dd.http.requests.filter(
        (r) => r.path === '/api/v1/integration/pagerduty/configuration/services/wheelhouse-prod',
      ),
    ).toHaveLength(2);
  });

  it('refuses to apply when a route is missing, and applies with --allow-missing-routes', async () => {
    // GIVEN the Slack channel is not in Datadog's Slack integration
    dd.slackChannels.set('wheelhouse', new Set());
    // WHEN applying
    const refused = await run(['apply', '--env', 'prod'], env);
    const forced = await run(['apply', '--env', 'prod', '--allow-missing-routes'], env);
    // THEN the first wrote nothing and said what is missing; the second applied
    expect(refused.code).toBe(EXIT.failed);
    expect(refused.out).toContain('MISSING  Datadog Slack channel #wheelhouse-prod-alerts');
    expect(refused.err).toContain('--allow-missing-routes');
    expect(forced.code).toBe(EXIT.ok);
    expect(dd.monitors.size).toBe(26);
  });

  it('routes reports a missing PagerDuty service and escalation policy', async () => {
    // GIVEN PagerDuty knows neither
    pd.services.clear();
    pd.escalationPolicies.clear();
    // WHEN checking the routes
    const { code, out } = await run(['routes', '--env', 'prod'], env);
    // THEN both are reported missing
    expect(code).toBe(EXIT.failed);
    expect(out).toContain('MISSING  PagerDuty service PWHPROD01');
    expect(out).toContain('MISSING  PagerDuty escalation policy PWHESC001');
  });

  it.each([
    [['plan'], '--env is required.'],
    [['deploy', '--env', 'prod'], 'There is no monitors subcommand "deploy".'],
    [['plna', '--env', 'prod'], 'There is no monitors subcommand "plna"; did you mean "plan"?'],
    [['routes', '--env', 'prod', '--prune'], "Unknown option '--prune'."],
    [['plan', '--env', 'qa'], '; known: dev, stage, prod.'],
  ])('exits 2 for %j: %s', async (argv, message) => {
    const { code, err } = await run(argv, env);
    expect(code).toBe(EXIT.refused);
    expect(err).toContain(message);
  });
});
