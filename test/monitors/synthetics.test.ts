/**
 * Synthetic API tests: what is sent to Datadog, where they point, and how plan/apply manage them.
 *
 * Datadog docs cited: API reference "Synthetics" (https://docs.datadoghq.com/api/latest/synthetics/:
 * create an API test, edit an API test, get an API test, get the list of all tests, delete tests),
 * "GRPC Testing" (https://docs.datadoghq.com/synthetics/api_tests/grpc_tests/: health checks with no
 * .proto), "Understanding Synthetic Monitor Alerting"
 * (https://docs.datadoghq.com/synthetics/guide/how-synthetics-monitors-trigger-alerts/:
 * `min_location_failed`, `min_failure_duration`, fast retries).
 */
import { join } from 'node:path';
import { EXIT } from '../../cli/exit-codes';
import { GOLDEN_CONFIG, loadGoldenConfig } from '../../monitors/golden';
import {
  configuredEndpoints,
  endpointsFromOutputs,
  GRPC_PORT,
  lookupEndpoints,
  type ServiceEndpoints,
} from '../../monitors/synthetics/endpoints';
import { stackEndpointReader } from '../../monitors/synthetics/stack-endpoints';
import {
  defineSynthetics,
  SYNTHETIC_LOCATIONS,
  SYNTHETIC_TIMING,
} from '../../monitors/synthetics/synthetic-tests';
import { syntheticToWire } from '../../monitors/synthetics/wire';
import { DatadogFake } from '../support/datadog-fake';
import { runMonitorsCli } from '../support/monitors-cli';
import { type MotoServer, startMotoServer } from '../support/moto-server';
import { PagerDutyFake } from '../support/pagerduty-fake';

/** The parts of a test's wire format the assertions read. */
type Wire = {
  type: string;
  subtype: string;
  locations: string[];
  options: { tick_every: number };
  config: { request: Record<string, unknown>; assertions: unknown[] };
};

const config = loadGoldenConfig();
const env = (name: string) => config.environments.find((e) => e.name === name)!;
const _CONFIG = join(__dirname, '../..', GOLDEN_CONFIG);
const ENDPOINTS: ServiceEndpoints = {
  httpUrl: 'http://wheelhouse-prod-alb-123.eu-west-1.elb.amazonaws.com/readyz',
  grpcHost: 'wheelhouse-prod-nlb-456.elb.eu-west-1.amazonaws.com',
  grpcPort: 9000,
  source: 'stack outputs',
};

describe('synthetic test definitions', () => {
  const [http, grpc] = defineSynthetics(config.project.name, env('prod'), ENDPOINTS);

  it("pass the client's SyntheticsAPITest model both ways (what the API accepts)", () => {
    const {
      ObjectSerializer,
    } = require('@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/models/ObjectSerializer');
    for (const d of [http!, grpc!]) {
      const wire = syntheticToWire(d.test);
      const back = ObjectSerializer.deserialize(wire, 'SyntheticsAPITest', '');
      expect(syntheticToWire(back)).toEqual(wire);
    }
  });

  it('checks /readyz over HTTP and the gRPC health service, every minute from managed locations', () => {
    const h = syntheticToWire(http!.test) as Wire;
    const g = syntheticToWire(grpc!.test) as Wire;
    expect([h.type, h.subtype, g.type, g.subtype]).toEqual(['api', 'http', 'api', 'grpc']);
    expect(h.config.request).toMatchObject({ method: 'GET', url: ENDPOINTS.httpUrl });
    expect(h.config.assertions).toContainEqual({ type: 'statusCode', operator: 'is', target: 200 });
    expect(g.config.request).toMatchObject({
      host: ENDPOINTS.grpcHost,
      port: 9000,
      // The wire name is camelCase here (the client's SyntheticsTestRequest: baseName "callType").
      callType: 'healthcheck',
    });
    // 1 is SERVING in grpc.health.v1.HealthCheckResponse.ServingStatus.
    expect(g.config.assertions).toEqual([{ type: 'grpcHealthcheckStatus', operator: 'is', target: 1 }]);
    for (const t of [h, g]) {
      expect(t.options.tick_every).toBe(60);
      expect(t.locations).toEqual([...SYNTHETIC_LOCATIONS]);
      for (const l of t.locations) expect(l).toMatch(/^aws:[a-z]+-[a-z]+-\d$/);
    }
  });

  it('alerts on a full outage within 5 minutes, and not for one flaky location', () => {
    const t = SYNTHETIC_TIMING;
    // A location fails only after its fast retries failed; the test alerts when min_location_failed
    // locations have failed for min_failure_duration.
    const worst =
      t.tickEverySeconds +
      t.requestTimeoutSeconds +
      (t.retryCount * t.retryIntervalMs) / 1000 +
      t.minFailureDurationSeconds;
    expect(worst).toBeLessThanOrEqual(300);
    expect(t.minLocationFailed).toBeGreaterThanOrEqual(2);
    expect(t.minLocationFailed).toBeLessThanOrEqual(SYNTHETIC_LOCATIONS.length);
    expect(t.retryCount).toBeGreaterThanOrEqual(1);
  });

  it('pages in prod and goes to Slack elsewhere, like the monitors', () => {
    expect(http!.test.message).toContain('{{#is_alert}}@pagerduty-wheelhouse-prod{{/is_alert}}');
    expect(http!.test.message).toContain('{{#is_recovery}}@pagerduty-wheelhouse-prod{{/is_recovery}}');
    const [stageHttp] = defineSynthetics(config.project.name, env('stage'), ENDPOINTS);
    expect(stageHttp!.test.message).toContain('{{#is_alert}}@slack-wheelhouse-stage-alerts{{/is_alert}}');
    expect(stageHttp!.test.message).not.toContain('@pagerduty');
    expect(http!.test.tags).toEqual(
      expect.arrayContaining(['managed-by:wheelhouse', 'env:prod', 'monitor-id:synthetics-http']),
    );
  });
});

describe('synthetic test endpoints', () => {
  it('uses the domain when one is configured', () => {
    const prod = env('prod');
    const withDomain = {
      ...prod,
      domain: {
        name: 'api.example.com',
        certificateArn: 'arn:aws:acm:eu-west-1:444444444444:certificate/x',
        hostedZoneId: null,
      },
    };
    expect(configuredEndpoints(withDomain)).toEqual({
      httpUrl: 'https://api.example.com/readyz',
      grpcHost: 'api.example.com',
      grpcPort: 9000,
      source: 'domain',
    });
    expect(configuredEndpoints(prod)).toBeNull();
  });

  it('listens where the load balancers do', () => {
    const { GRPC_LISTENER_PORT } = require('../../stacks/load-balancing') as { GRPC_LISTENER_PORT: number };
    expect(GRPC_PORT).toBe(GRPC_LISTENER_PORT);
  });

  it.each([
    ['http://a.elb.amazonaws.com', 'b.elb.amazonaws.com:9000', true],
    ['https://a.elb.amazonaws.com/', 'a.elb.amazonaws.com:9000', true],
    [null, 'b:9000', false],
    ['http://a', null, false],
    ['a.elb.amazonaws.com', 'b:9000', false],
    ['http://a', 'b', false],
  ])('reads the outputs %s and %s (usable: %s)', (http, grpc, usable) => {
    expect(endpointsFromOutputs(http, grpc) !== null).toBe(usable);
  });

  it('skips, and says why, when the stack cannot be read', async () => {
    const lookup = await lookupEndpoints(env('prod'), stackEndpointReader({}));
    expect(lookup.endpoints).toBeNull();
    expect(lookup.reason).toContain('no AWS credentials');
    expect(lookup.reason).toContain('set domain in wheelhouse.yml');
  });

  describe('from a deployed stack (moto_server as CloudFormation)', () => {
    let moto: MotoServer;
    beforeAll(async () => {
      moto = await startMotoServer();
    });
    afterAll(async () => {
      await moto.stop();
    });

    it('reads HttpEndpoint and GrpcEndpoint of the stack', async () => {
      const vars = {
        AWS_ACCESS_KEY_ID: 'AKIDTEST',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_ENDPOINT_URL: moto.endpoint,
      };
      const { CloudFormationClient, CreateStackCommand } = await import('@aws-sdk/client-cloudformation');
      const cfn = new CloudFormationClient({
        region: 'eu-west-1',
        endpoint: moto.endpoint,
        credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
      });
      await cfn.send(
        new CreateStackCommand({
          StackName: 'wheelhouse-prod',
          TemplateBody: JSON.stringify({
            Resources: {
              Marker: { Type: 'AWS::CloudFormation::WaitConditionHandle' },
            },
            Outputs: {
              HttpEndpoint: { Value: 'http://wheelhouse-prod-alb-123.eu-west-1.elb.amazonaws.com' },
              GrpcEndpoint: { Value: 'wheelhouse-prod-nlb-456.elb.eu-west-1.amazonaws.com:9000' },
            },
          }),
        }),
      );
      cfn.destroy();
      const lookup = await lookupEndpoints(env('prod'), stackEndpointReader(vars));
      expect(lookup).toEqual({ endpoints: { ...ENDPOINTS } });
      // AND a stack that is not deployed is a skip with its reason
      const stage = await lookupEndpoints(env('stage'), stackEndpointReader(vars));
      expect(stage.endpoints).toBeNull();
      expect(stage.reason).toContain('wheelhouse-stage');
    });
  });
});

describe('npm run monitors with synthetic tests', () => {
  let dd: DatadogFake;
  let pd: PagerDutyFake;
  let vars: NodeJS.ProcessEnv;
  const withEndpoints = async () => ({
    http: 'http://wheelhouse-prod-alb-123.eu-west-1.elb.amazonaws.com',
    grpc: 'wheelhouse-prod-nlb-456.elb.eu-west-1.amazonaws.com:9000',
  });
  const notDeployed = async (): Promise<never> => {
    throw new Error('Stack with id wheelhouse-prod does not exist');
  };

  function run(argv: readonly string[], stackEndpoints = withEndpoints) {
    return runMonitorsCli(argv, vars, { stackEndpoints });
  }

  beforeEach(async () => {
    dd = await DatadogFake.start();
    pd = await PagerDutyFake.start();
    dd.pagerDutyServices.add('wheelhouse-prod');
    dd.slackChannels.set('wheelhouse', new Set(['#wheelhouse-prod-alerts']));
    pd.addService({ id: 'PWHPROD01', name: 'Wheelhouse prod', escalationPolicyId: 'PWHESC001' });
    pd.addEscalationPolicy({ id: 'PWHESC001', name: 'Wheelhouse on-call' });
    vars = { ...dd.env(), ...pd.env() };
  });

  afterEach(async () => {
    await dd.close();
    await pd.close();
  });

  it('plans them, applies them, and a second apply writes nothing', async () => {
    const plan = await run(['plan', '--env', 'prod']);
    expect(plan.code).toBe(EXIT.changes);
    expect(plan.out).toContain('+ create  synthetic  synthetics-http  [prod] HTTP endpoint down');
    expect(plan.out).toContain(
      'Synthetic tests for prod: 2 to create, 0 to update, 0 to delete, 0 unchanged.',
    );
    const first = await run(['apply', '--env', 'prod']);
    expect(first.code).toBe(EXIT.ok);
    expect(dd.synthetics.size).toBe(2);
    const writes = dd.writes().length;
    const again = await run(['plan', '--env', 'prod']);
    const second = await run(['apply', '--env', 'prod']);
    expect(again.code).toBe(EXIT.ok);
    expect(again.out).toContain(
      'Synthetic tests for prod: 0 to create, 0 to update, 0 to delete, 2 unchanged.',
    );
    expect(second.out).toContain('Nothing to apply.');
    // AND the monitors Datadog keeps behind the tests are theirs, not orphaned monitors
    expect([...dd.monitors.values()].filter((m) => m.type === 'synthetics alert')).toHaveLength(2);
    expect(again.out).not.toContain('orphan');
    expect(dd.writes().length).toBe(writes);
  });

  it('puts back a test edited by hand, and deletes one no longer defined with --prune', async () => {
    await run(['apply', '--env', 'prod']);
    const [publicId, stored] = [...dd.synthetics.entries()].find(([, t]) =>
      (t.tags as string[]).includes('monitor-id:synthetics-http'),
    )!;
    (stored.options as Record<string, unknown>).tick_every = 900;
    const plan = await run(['plan', '--env', 'prod']);
    expect(plan.out).toContain('~ update  synthetic  synthetics-http');
    expect(plan.out).toContain('options.tick_every: 900 → 60');
    await run(['apply', '--env', 'prod']);
    expect((dd.synthetics.get(publicId)!.options as Record<string, unknown>).tick_every).toBe(60);
    // GIVEN a managed test whose id is no longer defined
    dd.synthetics.set('old-old-old', {
      ...stored,
      public_id: 'old-old-old',
      monitor_id: 999_999,
      tags: ['env:prod', 'managed-by:wheelhouse', 'monitor-id:old-check'],
    });
    const keep = await run(['plan', '--env', 'prod']);
    expect(keep.out).toContain('! orphan  synthetic  old-check');
    const pruned = await run(['apply', '--env', 'prod', '--prune']);
    expect(pruned.code).toBe(EXIT.ok);
    expect(dd.synthetics.has('old-old-old')).toBe(false);
    expect(dd.synthetics.size).toBe(2);
    expect([...dd.monitors.values()].filter((m) => m.type === 'synthetics alert')).toHaveLength(2);
  });

  it('skips them with a reason when the stack is not deployed, and applies the monitors', async () => {
    const { code, out } = await run(['apply', '--env', 'prod'], notDeployed);
    expect(code).toBe(EXIT.ok);
    expect(out).toContain(
      'Synthetic tests for prod: skipped, no domain is configured and the outputs of stack wheelhouse-prod could not be read',
    );
    expect(dd.synthetics.size).toBe(0);
    expect(dd.monitors.size).toBeGreaterThan(0);
  });

  it('creates each monitor once when Datadog stores a create but answers 5xx', async () => {
    // GIVEN Datadog stores the first create and loses the answer
    dd.failAfterNextCreate(1, 500);
    // WHEN applying
    const { code } = await run(['apply', '--env', 'prod'], notDeployed);
    // THEN every managed id exists exactly once
    expect(code).toBe(EXIT.ok);
    const ids = [...dd.monitors.values()].map((m) =>
      (m.tags as string[]).find((t) => t.startsWith('monitor-id:')),
    );
    expect(ids.length).toBe(new Set(ids).size);
    expect(dd.writes().filter((w) => w.method === 'POST' && w.path === '/api/v1/monitor')).toHaveLength(
      ids.length,
    );
    // AND the next plan has nothing to do
    expect((await run(['plan', '--env', 'prod'], notDeployed)).code).toBe(EXIT.ok);
  });

  it('creates each synthetic test once when Datadog stores a create but answers 5xx', async () => {
    await run(['apply', '--env', 'prod'], notDeployed);
    dd.failAfterNextCreate(2, 503);
    const { code } = await run(['apply', '--env', 'prod']);
    expect(code).toBe(EXIT.ok);
    expect(dd.synthetics.size).toBe(2);
    expect(dd.writes().filter((w) => w.path === '/api/v1/synthetics/tests/api')).toHaveLength(2);
    expect((await run(['plan', '--env', 'prod'])).code).toBe(EXIT.ok);
  });
});
