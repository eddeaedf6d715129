import { readDatadogSettings } from '../../clients/datadog-client';
import { deployStateTableName } from '../../config';
import { AwsClients } from '../../ops/aws-clients';
import type { DeployEvent } from '../../ops/deploy/deploy-events';
import { createDeployGuard } from '../../ops/deploy/deploy-mute';
import { DeployStateStore } from '../../ops/deploy/deploy-state';
import { beginDeploy } from '../../ops/deploy/run-deploy';
import { testConfig } from '../bot/fixtures/test-config';
import {
  exampleStackOutputs,
  fakeStacks,
  type StackOutputValues,
  TEST_CREDENTIALS,
} from '../support/aws-fakes';
import { DatadogFake } from '../support/datadog-fake';
import { ACCESS_DENIED_REASON, FakeServiceWorld, FakeStackDeployer } from '../support/deploy-fakes';
import { type RunningDynalite, startDynalite } from '../support/dynalite';
import { type LbHealthServers, startLbHealthServers } from '../support/lb-health-servers';

const config = testConfig();
const dev = config.environments.find((e) => e.name === 'dev')!;
const NOW = new Date('2026-11-25T12:00:00Z');

describe('the deploy op (what /deploy, the CLI and CI share)', () => {
  let dynalite: RunningDynalite;
  let health: LbHealthServers;
  let aws: AwsClients;
  let service: FakeServiceWorld;
  let deployer: FakeStackDeployer;
  let cfn: { restore(): void };
  let outputs: StackOutputValues;
  beforeEach(async () => {
    dynalite = await startDynalite();
    await dynalite.createDeployStateTable(deployStateTableName(dev));
    health = await startLbHealthServers();
    outputs = exampleStackOutputs(dev, {
      imageTag: 'v1.4.2',
      httpEndpoint: health.httpEndpoint,
      grpcEndpoint: health.grpcEndpoint,
    });
    service = new FakeServiceWorld('v1.4.2', 2, outputs);
    cfn = fakeStacks({ [dev.stackName]: outputs });
    deployer = new FakeStackDeployer(service);
    aws = new AwsClients({
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
      endpoint: dynalite.endpoint,
      stackDeployer: deployer,
      watch: { pollIntervalMs: 10, healthDeadlineMs: 1_000 },
    });
  });
  afterEach(async () => {
    service.restore();
    cfn.restore();
    await aws.destroy();
    await health.close();
    await dynalite.close();
  });

  async function deploy(version: string | null): Promise<{ outcome: unknown; events: DeployEvent[] }> {
    const guard = createDeployGuard(config, readDatadogSettings({}));
    const locked = await beginDeploy(
      { aws, guard, now: () => NOW },
      {
        config,
        environment: dev,
        version,
        kind: 'deploy',
        by: { id: 'ci', name: 'ci' },
        freezeOverride: null,
      },
    );
    const events: DeployEvent[] = [];
    const outcome = await locked.run((e) => events.push(e));
    return { outcome, events };
  }

  it('keeps the running version in a deploy without one (infrastructure only)', async () => {
    // WHEN
    const { outcome } = await deploy(null);

    // THEN the stack was deployed with no ImageTag (toolkit-lib keeps the previous value)
    expect(deployer.calls.map((c) => c.version)).toEqual([null]);
    expect(outcome).toMatchObject({ status: 'succeeded', version: null, previousVersion: 'v1.4.2' });
    expect(service.version).toBe('v1.4.2');
    const [entry] = await new DeployStateStore(aws, dev).listHistory(1);
    expect(entry).toMatchObject({ version: null, previousVersion: 'v1.4.2', by: 'ci', outcome: 'succeeded' });
  });

  it('reports typed events in order: phases, stack events, ECS rollout, health', async () => {
    // WHEN
    const { events } = await deploy('v1.5.0');

    // THEN
    expect(events.filter((e) => e.type === 'phase').map((e) => e.type === 'phase' && e.phase)).toEqual([
      'deploying',
      'health-check',
      'finished',
    ]);
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'stack',
        logicalId: 'ServiceFargateService',
        status: 'UPDATE_COMPLETE',
      }),
    );
    expect(events).toContainEqual(expect.objectContaining({ type: 'service', rolloutState: 'IN_PROGRESS' }));
    expect(
      events
        .filter((e) => e.type === 'health')
        .map((e) => e.type === 'health' && [e.check, e.protocol, e.status]),
    ).toEqual([
      ['rollout', null, 'ok'],
      ['targets', 'http', 'ok'],
      ['targets', 'grpc', 'ok'],
      ['end-to-end', 'http', 'ok'],
      ['end-to-end', 'grpc', 'ok'],
    ]);
    // The new deployment's two tasks, by their private IPs, in each target group.
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'health',
        check: 'targets',
        protocol: 'http',
        detail: '2 new task(s) of 2: 10.0.2.10 healthy, 10.0.2.11 healthy',
      }),
    );
  });

  it('checks the endpoints and target groups the stack update left, not those read before it', async () => {
    // GIVEN a stack from before the target-group outputs, whose HTTP endpoint the update changes
    const before = { ...outputs };
    delete outputs.httpTargetGroupArn;
    delete outputs.grpcTargetGroupArn;
    outputs.httpEndpoint = 'http://127.0.0.1:9';
    const release = deployer.hold();

    // WHEN the update gives the stack its new outputs
    const running = deploy('v1.5.0');
    // The deployer is called (and held) after the deploy read the outputs.
    while (deployer.calls.length === 0) await new Promise((resolve) => setImmediate(resolve));
    Object.assign(outputs, {
      httpEndpoint: before.httpEndpoint,
      httpTargetGroupArn: before.httpTargetGroupArn,
      grpcTargetGroupArn: before.grpcTargetGroupArn,
    });
    release();
    const { outcome, events } = await running;

    // THEN
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'health',
        check: 'end-to-end',
        protocol: 'http',
        status: 'ok',
        detail: `GET ${before.httpEndpoint}/healthz: 200`,
      }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'health', check: 'targets', protocol: 'grpc', status: 'ok' }),
    );
    expect(outcome).toMatchObject({ status: 'succeeded' });
  });

  it('rolls back when the load balancer never sees the new tasks healthy, though every request still succeeds (old tasks answering)', async () => {
    // GIVEN the new tasks fail the target group's health checks; the endpoints answer 200
    service.targetState = 'unhealthy';

    // WHEN
    const { outcome, events } = await deploy('v1.5.0');

    // THEN
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'health',
        check: 'targets',
        protocol: 'grpc',
        status: 'failed',
        detail: expect.stringContaining('10.0.2.10 unhealthy (Target.ResponseCodeMismatch)'),
      }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'health', check: 'end-to-end', protocol: 'http', status: 'ok' }),
    );
    expect(outcome).toMatchObject({
      status: 'rolled-back',
      rollback: { by: 'health-check', to: 'v1.4.2' },
    });
  });

  it("does not fail a deploy for an end-to-end request this place cannot make (the bot's egress ports)", async () => {
    // WHEN the deploy runs with only port 443 allowed out (the local servers are on other ports)
    const guard = createDeployGuard(config, readDatadogSettings({}));
    const locked = await beginDeploy(
      { aws, guard, now: () => NOW, endToEnd: { egressPorts: [443] } },
      {
        config,
        environment: dev,
        version: 'v1.5.0',
        kind: 'deploy',
        by: { id: 'U1', name: 'ana' },
        freezeOverride: null,
      },
    );
    const events: DeployEvent[] = [];
    const outcome = await locked.run((e) => events.push(e));

    // THEN
    expect(
      events
        .filter((e) => e.type === 'health' && e.check === 'end-to-end')
        .map((e) => e.type === 'health' && e.status),
    ).toEqual(['not-checked', 'not-checked']);
    expect(outcome).toMatchObject({ status: 'succeeded' });
  });

  it('fails (without a rollback to run) when the service is unhealthy after an infrastructure-only deploy', async () => {
    // GIVEN
    health.setHealthy(false);

    // WHEN
    const { outcome } = await deploy(null);

    // THEN
    expect(outcome).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('health check failed: GET'),
    });
    expect(await new DeployStateStore(aws, dev).readLock(NOW)).toBeNull();
  });

  it('reports a deploy that failed before CloudFormation changed the stack as such, with the reason, not as a rollback', async () => {
    // GIVEN CloudFormation refuses the change set (AccessDenied): the stack is never touched
    deployer.mode = 'access-denied';

    // WHEN
    const { outcome, events } = await deploy('v1.5.0');

    // THEN
    expect(outcome).toMatchObject({
      status: 'failed-before-change',
      version: 'v1.5.0',
      previousVersion: 'v1.4.2',
      reason: ACCESS_DENIED_REASON,
      rollback: null,
    });
    // no health check of a version that never ran, and no rollback
    expect(events.filter((e) => e.type === 'phase').map((e) => e.type === 'phase' && e.phase)).toEqual([
      'deploying',
      'finished',
    ]);
    expect(events).toContainEqual({ type: 'phase', phase: 'finished', detail: 'failed-before-change' });
    expect(deployer.calls.map((c) => c.version)).toEqual(['v1.5.0']);
    expect(service.version).toBe('v1.4.2');
    const store = new DeployStateStore(aws, dev);
    const [entry] = await store.listHistory(5);
    expect(entry).toMatchObject({
      version: 'v1.5.0',
      outcome: 'failed-before-change',
      reason: ACCESS_DENIED_REASON,
    });
    expect(await store.listHistory(5)).toHaveLength(1);
    expect(await store.readLock(NOW)).toBeNull();
  });

  it('ends as interrupted at once when its signal aborts during the bake, and still unmutes, records and unlocks', async () => {
    // GIVEN Datadog, and a bake of half an hour
    const dd = await DatadogFake.start();
    try {
      const baking = { ...dev, datadog: { ...dev.datadog, enabled: true, bakeMinutes: 30 } };
      const bakingConfig = {
        ...config,
        environments: config.environments.map((e) => (e.name === 'dev' ? baking : e)),
      };
      const guard = createDeployGuard(bakingConfig, readDatadogSettings(dd.env()));
      const locked = await beginDeploy(
        { aws, guard, now: () => NOW },
        {
          config: bakingConfig,
          environment: baking,
          version: 'v1.5.0',
          kind: 'deploy',
          by: { id: 'ci', name: 'ci' },
          freezeOverride: null,
        },
      );
      const stop = new AbortController();
      let abortedAt = 0;
      const events: DeployEvent[] = [];

      // WHEN the process must stop a moment into the bake
      const outcome = await locked.run(
        (event) => {
          events.push(event);
          if (event.type === 'phase' && event.phase === 'baking') {
            setTimeout(() => {
              abortedAt = Date.now();
              stop.abort();
            }, 50);
          }
        },
        { signal: stop.signal },
      );

      // THEN it stopped baking at once and says where it was
      expect(Date.now() - abortedAt).toBeLessThan(1000);
      expect(outcome).toMatchObject({
        status: 'interrupted',
        interruptedIn: 'baking',
        version: 'v1.5.0',
        previousVersion: 'v1.4.2',
        reason: 'the bot instance stopped during the bake, after the stack update',
        rollback: null,
      });
      expect(events.filter((e) => e.type === 'phase').map((e) => e.type === 'phase' && e.phase)).toEqual([
        'muting',
        'deploying',
        'health-check',
        'baking',
        'finished',
        'unmuting',
      ]);
      // AND it gave back what it held
      // (the downtime stays until dev's muted monitors judge only data from after the rollout: 30 min)
      const [downtime] = [...dd.downtimes.values()];
      expect(
        dd.writes().map((w) => `${w.method} ${w.path.replace(/downtime\/.+$/, 'downtime/:id')}`),
      ).toEqual(['POST /api/v2/downtime', 'PATCH /api/v2/downtime/:id', 'POST /api/v1/events']);
      expect((downtime!.attributes as { status: string }).status).toBe('active');
      const store = new DeployStateStore(aws, dev);
      expect(await store.readLock(NOW)).toBeNull();
      const [entry] = await store.listHistory(1);
      expect(entry).toMatchObject({ version: 'v1.5.0', outcome: 'interrupted', by: 'ci' });
    } finally {
      await dd.close();
    }
  });

  describe('when the deploy loses its lock (an admin’s `/unlock --force`)', () => {
    let dd: DatadogFake;
    let bakingConfig: typeof config;
    let baking: typeof dev;
    beforeEach(async () => {
      dd = await DatadogFake.start();
      baking = { ...dev, datadog: { ...dev.datadog, enabled: true, bakeMinutes: 30 } };
      bakingConfig = {
        ...config,
        environments: config.environments.map((e) => (e.name === 'dev' ? baking : e)),
      };
    });
    afterEach(() => dd.close());

    function begin(
      deployConfig: typeof config,
      environment: typeof dev,
      version: string,
      guard = createDeployGuard(deployConfig, readDatadogSettings(dd.env())),
      lockHeartbeatMs?: number,
    ) {
      return beginDeploy(
        { aws, guard, now: () => NOW, ...(lockHeartbeatMs ? { lockHeartbeatMs } : {}) },
        {
          config: deployConfig,
          environment,
          version,
          kind: 'deploy',
          by: { id: 'ci', name: 'ci' },
          freezeOverride: null,
        },
      );
    }

    // The release is a DynamoDB delete, and the renewal an update conditional on the token
    // (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html):
    // once the item is gone (or another deploy's), the renewal fails with ConditionalCheckFailedException.
    it('stops before its automatic rollback and never redeploys its old version over the deploy that took the lock', async () => {
      // GIVEN deploy A of v1.5.0 baking for 30 minutes against a deploy-gate monitor
      const monitor = dd.seedMonitor({
        name: 'App HTTP error rate',
        type: 'query alert',
        query: 'avg(last_5m):avg:trace.http.request.errors{env:dev} > 0.05',
        message: 'errors',
        tags: ['managed-by:wheelhouse', 'env:dev', 'deploy-gate', 'monitor-id:app-http-error-rate'],
      });
      const store = new DeployStateStore(aws, dev);
      const a = await begin(bakingConfig, baking, 'v1.5.0');
      let second: Promise<{ lock: { token: string }; outcome: unknown }> | null = null;
      const events: DeployEvent[] = [];

      // WHEN, while A bakes, an admin releases A's lock, deploy B of v1.5.1 takes it and deploys
      // (without a bake), and then A's gate monitor alerts
      const outcome = await a.run((event) => {
        events.push(event);
        if (event.type === 'phase' && event.phase === 'baking' && !second) {
          second = (async () => {
            await store.releaseLock({}, { id: 'UADMIN', name: 'pat' });
            const b = await begin(config, dev, 'v1.5.1', createDeployGuard(config, readDatadogSettings({})));
            const bOutcome = await b.run(() => {}, {});
            await store.acquireLock({ owner: 'UB', ownerName: 'b', reason: 'after B' }, 'manual', NOW);
            dd.setMonitorState(monitor, 'Alert');
            return { lock: (await store.readLock(NOW))!, outcome: bOutcome };
          })();
        }
      });
      const b = await second!;

      // THEN A stopped without rolling back: B's version runs, the lock taken after B is untouched
      expect(b.outcome).toMatchObject({ status: 'succeeded', version: 'v1.5.1' });
      expect(deployer.calls.map((c) => c.version)).toEqual(['v1.5.0', 'v1.5.1']);
      expect(service.version).toBe('v1.5.1');
      expect(outcome).toMatchObject({
        status: 'lock-lost',
        version: 'v1.5.0',
        rollback: null,
        reason: expect.stringContaining(
          // By the time A looked (before its rollback) the lock was another's:
          'the lock on dev was taken over by b (after B); this deploy stopped and did not roll back, since another deploy may be running',
        ),
      });
      expect(
        events.filter((e) => e.type === 'phase').map((e) => e.type === 'phase' && e.phase),
      ).not.toContain('rolling-back');
      expect(await store.readLock(NOW)).toMatchObject({ owner: 'UB', token: b.lock.token });
      const history = await store.listHistory(5);
      expect(history.find((h) => h.version === 'v1.5.0')).toMatchObject({ outcome: 'lock-lost' });
      expect(history.some((h) => h.kind === 'auto-rollback')).toBe(false);
      // AND A still ended its mute
      expect(dd.writes().some((w) => w.method === 'PATCH' && w.path.startsWith('/api/v2/downtime/'))).toBe(
        true,
      );
    });

    it('stops its bake at the next heartbeat that finds the lock released', async () => {
      // GIVEN deploy A baking for 3 s, with a heartbeat every 50 ms; its monitors stay OK
      baking = { ...baking, datadog: { ...baking.datadog, bakeMinutes: 0.05 } };
      bakingConfig = {
        ...config,
        environments: config.environments.map((e) => (e.name === 'dev' ? baking : e)),
      };
      const store = new DeployStateStore(aws, dev);
      const a = await begin(bakingConfig, baking, 'v1.5.0', undefined, 50);
      let releasedAt = 0;

      // WHEN an admin releases its lock a moment into the bake
      const outcome = await a.run((event) => {
        if (event.type === 'phase' && event.phase === 'baking') {
          setTimeout(() => {
            void store.releaseLock({}, { id: 'UADMIN', name: 'pat' }).then(() => {
              releasedAt = Date.now();
            });
          }, 20);
        }
      });

      // THEN it stopped within a few beats, during the bake, and says so
      expect(releasedAt).toBeGreaterThan(0);
      expect(Date.now() - releasedAt).toBeLessThan(1_000);
      expect(outcome).toMatchObject({
        status: 'lock-lost',
        interruptedIn: 'baking',
        rollback: null,
        reason: expect.stringMatching(
          /^the lock on dev was released by pat; this deploy stopped and did not roll back/,
        ),
      });
      expect(deployer.calls.map((c) => c.version)).toEqual(['v1.5.0']);
    });
  });

  it('starts no stack update once its signal has aborted', async () => {
    // GIVEN a deploy whose process is already stopping
    const locked = await beginDeploy(
      { aws, guard: createDeployGuard(config, readDatadogSettings({})), now: () => NOW },
      {
        config,
        environment: dev,
        version: 'v1.5.0',
        kind: 'deploy',
        by: { id: 'ci', name: 'ci' },
        freezeOverride: null,
      },
    );

    // WHEN
    const outcome = await locked.run(() => {}, { signal: AbortSignal.abort() });

    // THEN
    expect(outcome).toMatchObject({
      status: 'interrupted',
      interruptedIn: null,
      reason: 'the bot instance stopped during its start (nothing was deployed)',
    });
    expect(deployer.calls).toHaveLength(0);
    expect(await new DeployStateStore(aws, dev).readLock(NOW)).toBeNull();
  });
});
