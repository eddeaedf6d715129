import { readDatadogSettings } from '../../../clients/datadog-client';
import { loadGoldenConfig } from '../../../monitors/golden';
import { createDeployGuard } from '../../../ops/deploy/deploy-mute';
import { DatadogFake } from '../../support/datadog-fake';
import { runMonitorsCli } from '../../support/monitors-cli';

const config = loadGoldenConfig();

describe('deploy guard', () => {
  let dd: DatadogFake;

  beforeEach(async () => {
    dd = await DatadogFake.start();
  });

  afterEach(async () => {
    await dd.close();
  });

  /** Creates prod's monitors in the fake through the real apply. */
  async function applyProd(): Promise<void> {
    const { code } = await runMonitorsCli(['apply', '--env', 'prod', '--allow-missing-routes'], dd.env());
    expect(code).toBe(0);
  }

  it('mutes the deploy-sensitive monitors of the environment with a downtime, and unmutes them', async () => {
    // GIVEN a guard with Datadog keys
    const guard = createDeployGuard(config, readDatadogSettings(dd.env()));
    // WHEN muting prod for a deploy, then unmuting
    const handle = await guard.mute('prod', 'deploy v1.2.3 by U0PLATFORM1', 30);
    const downtime = structuredClone(dd.downtimes.get(handle.downtimeId!)!);
    const unmutedFrom = Math.floor(Date.now() / 1000) * 1000;
    await guard.unmute(handle);
    const unmutedBy = Date.now();
    // THEN the downtime targeted prod's deploy-sensitive monitors, every group, for 30 minutes
    expect(downtime.attributes).toMatchObject({
      scope: '*',
      monitor_identifier: { monitor_tags: ['managed-by:wheelhouse', 'env:prod', 'deploy-sensitive'] },
      message: 'Deploy in prod: deploy v1.2.3 by U0PLATFORM1',
      mute_first_recovery_notification: true,
    });
    const { start, end } = (downtime.attributes as { schedule: { start: string; end: string } }).schedule;
    expect(Date.parse(end) - Date.parse(start)).toBe(30 * 60_000);
    expect(handle.until).toBe(new Date(Date.parse(end)).toISOString());
    // AND the unmute did not lift it at once: it now ends when the muted monitors judge only data from
    // after the deploy, 30 minutes on (ecs-running-below-desired: 900 s delay + 15 min window)
    const after = dd.downtimes.get(handle.downtimeId!)!.attributes as {
      status: string;
      schedule: { start: string; end: string };
    };
    expect(after.status).toBe('active');
    expect(after.schedule.start).toBe(start);
    const newEnd = Date.parse(after.schedule.end);
    expect(newEnd).toBeGreaterThanOrEqual(unmutedFrom + 1800_000);
    expect(newEnd).toBeLessThanOrEqual(unmutedBy + 1800_000);
    expect(dd.writes().map((w) => w.method)).toEqual(['POST', 'PATCH']);
  });

  it('unmute of a downtime that is already gone succeeds', async () => {
    const guard = createDeployGuard(config, readDatadogSettings(dd.env()));
    await expect(
      guard.unmute({ env: 'prod', downtimeId: 'gone', until: new Date().toISOString() }),
    ).resolves.toBeUndefined();
  });

  it('lists the deploy-gate monitors in Alert or No Data, and no others', async () => {
    // GIVEN prod's monitors, one gate and one non-gate alerting
    await applyProd();
    dd.setMonitorState(dd.monitorIdByTag('monitor-id:app-http-error-rate'), 'Alert');
    dd.setMonitorState(dd.monitorIdByTag('monitor-id:db-cpu'), 'Alert');
    dd.setMonitorState(dd.monitorIdByTag('monitor-id:alb-5xx-rate'), 'Alert');
    dd.setMonitorState(dd.monitorIdByTag('monitor-id:app-grpc-error-rate'), 'Warn');
    dd.setMonitorState(dd.monitorIdByTag('monitor-id:app-grpc-latency-p99'), 'No Data');
    const guard = createDeployGuard(config, readDatadogSettings(dd.env()));
    // WHEN reading the gate
    const alerts = await guard.gateStatus('prod');
    // THEN the alerting gate and the gate without data are listed; alb-5xx-rate (900 s late) is no gate
    expect(alerts).toEqual([
      {
        monitorId: dd.monitorIdByTag('monitor-id:app-http-error-rate'),
        id: 'app-http-error-rate',
        name: '[prod] HTTP error rate',
        state: 'Alert',
        url: `https://app.datadoghq.com/monitors/${dd.monitorIdByTag('monitor-id:app-http-error-rate')}`,
      },
      {
        monitorId: dd.monitorIdByTag('monitor-id:app-grpc-latency-p99'),
        id: 'app-grpc-latency-p99',
        name: '[prod] gRPC latency p99',
        state: 'No Data',
        url: `https://app.datadoghq.com/monitors/${dd.monitorIdByTag('monitor-id:app-grpc-latency-p99')}`,
      },
    ]);
  });

  it('posts a deployment event that the dashboards overlay', async () => {
    const guard = createDeployGuard(config, readDatadogSettings(dd.env()));
    await guard.recordDeployment('prod', {
      version: 'v1.2.3',
      outcome: 'rolled-back',
      by: 'U0PLATFORM1',
      text: 'app-http-error-rate alerted.',
    });
    expect(dd.events).toEqual([
      expect.objectContaining({
        title: 'Deploy v1.2.3 to prod: rolled-back',
        text: 'By U0PLATFORM1. app-http-error-rate alerted.',
        alert_type: 'error',
        tags: ['deployment', 'managed-by:wheelhouse', 'env:prod', 'version:v1.2.3', 'outcome:rolled-back'],
      }),
    ]);
  });

  it.each([
    ['without Datadog keys', 'prod', {}],
    ['in an environment with Datadog disabled', 'dev', undefined],
  ])('is a no-op %s', async (_name, env, settingsEnv) => {
    // GIVEN a guard without keys, or an environment where Datadog is off
    const guard = createDeployGuard(config, readDatadogSettings(settingsEnv ?? dd.env()));
    // WHEN the deploy command uses it
    const handle = await guard.mute(env, 'deploy', 10);
    await guard.unmute(handle);
    const alerts = await guard.gateStatus(env);
    await guard.recordDeployment(env, { version: 'v1', outcome: 'succeeded', by: 'ci' });
    // THEN nothing reached Datadog, and the answers say all is well
    expect(guard.isActive(env)).toBe(false);
    expect(handle.downtimeId).toBeNull();
    expect(alerts).toEqual([]);
    expect(dd.http.requests).toEqual([]);
  });

  it('fails with a typed error when Datadog refuses the keys', async () => {
    const guard = createDeployGuard(config, readDatadogSettings({ ...dd.env(), DD_API_KEY: 'wrong' }));
    await expect(guard.mute('prod', 'deploy', 10)).rejects.toMatchObject({
      name: 'MonitoringError',
      code: 'unauthorized',
      status: 403,
    });
  });

  it('fails with a timeout error when Datadog does not answer in time', async () => {
    // GIVEN Datadog hangs longer than the timeout
    dd.http.delayNext(1, 1_000);
    const guard = createDeployGuard(config, readDatadogSettings({ ...dd.env(), DATADOG_TIMEOUT_MS: '100' }));
    // THEN the call fails as a timeout
    await expect(guard.gateStatus('prod')).rejects.toMatchObject({ code: 'timeout' });
  });

  it.each([0, -5, 1.5, 241])('fails when the duration is %p minutes', async (minutes) => {
    const guard = createDeployGuard(config, readDatadogSettings(dd.env()));
    await expect(guard.mute('prod', 'deploy', minutes)).rejects.toThrow(
      /durationMinutes must be a whole number from 1 to 240/,
    );
  });
});
