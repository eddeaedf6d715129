import { connect } from 'node:net';
import { Client, credentials, type MethodDefinition, type ServiceError } from '@grpc/grpc-js';
import type { Template } from 'aws-cdk-lib/assertions';
import type { NotesServiceClient } from '../../service/gen/wheelhouse/notes/v1/NotesService';
import { loadProtos } from '../../service/grpc/server';
import { SERVICE_CONTAINER_NAME } from '../../stacks/service';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../support/embedded-postgres';
import { exampleConfig } from '../support/example-config';
import { synthTemplates } from '../support/synth';
import { notesClient, status, unary } from './grpc-client';
import { startTestService, type TestService } from './start-test-service';

let pg: EmbeddedPostgres;
let app: TestService;
let client: NotesServiceClient;
let noteId: string;

beforeAll(async () => {
  pg = await startEmbeddedPostgres();
  app = await startTestService({ DATABASE_URL: pg.url });
  client = notesClient(app.grpcTarget);
  const created = await fetch(`${app.baseUrl}/v1/notes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'before the outage' }),
  });
  noteId = ((await created.json()) as { id: string }).id;
}, 60_000);

afterAll(async () => {
  client?.close();
  await app?.stop();
  await pg?.stop();
});

async function timed<T>(call: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = Date.now();
  const result = await call();
  return { result, ms: Date.now() - started };
}

const http = (method: string, path: string, body?: unknown) =>
  fetch(`${app.baseUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe('with the database stopped', () => {
  beforeAll(async () => {
    await pg.cluster.stop('fast');
  });

  it.each([
    ['GET one', 'GET', () => `/v1/notes/${noteId}`, undefined],
    ['GET list', 'GET', () => '/v1/notes', undefined],
    ['POST', 'POST', () => '/v1/notes', { title: 'during' }],
    ['PUT', 'PUT', () => `/v1/notes/${noteId}`, { title: 'during', body: '', version: 1 }],
    ['DELETE', 'DELETE', () => `/v1/notes/${noteId}`, undefined],
  ])('answers HTTP %s with 503 within 1 s', async (_name, method, path, body) => {
    const { result, ms } = await timed(() => http(method, path(), body));
    expect(result.status).toBe(503);
    expect(((await result.json()) as { error: { code: string } }).error.code).toBe('unavailable');
    expect(ms).toBeLessThan(1000);
  });

  it.each([
    ['GetNote', () => ({ id: noteId })],
    ['ListNotes', () => ({})],
    ['CreateNote', () => ({ title: 'during' })],
    ['UpdateNote', () => ({ id: noteId, title: 'during', body: '', version: 1 })],
    ['DeleteNote', () => ({ id: noteId })],
  ] as const)('answers gRPC %s with UNAVAILABLE within 1 s', async (method, request) => {
    const { result, ms } = await timed(() => unary(client, method, request() as never));
    expect(!result.ok && result.error.code).toBe(status.UNAVAILABLE);
    expect(ms).toBeLessThan(1000);
  });

  it('reports not ready', async () => {
    expect((await http('GET', '/readyz')).status).toBe(503);
    expect((await http('GET', '/healthz')).status).toBe(200);
  });

  describe("answers healthy to the synthesized stacks' load balancer health checks", () => {
    // GIVEN the health checks exactly as CloudFormation gets them: stage has a certificate (an ALB gRPC
    // target group checked with grpc.health.v1), prod has none (gRPC through an NLB, checked over HTTP).
    const config = exampleConfig();
    const templates = synthTemplates(config, ['stage', 'prod']);
    const checks = Object.entries(templates).flatMap(([env, template]) =>
      targetGroupHealthChecks(env, template),
    );
    const { httpPort, grpcPort } = config.environments[0]!.service;
    /** The task's port as the template names it, to the port the running test service listens on. */
    const runningPort = (port: number): number => {
      if (port === httpPort) return app.service.httpPort;
      if (port === grpcPort) return app.service.grpcPort;
      throw new Error(`a target group checks port ${port}, which the service does not listen on`);
    };

    it('checks both kinds: HTTP and gRPC', () => {
      expect(checks.map((c) => `${c.name}: ${c.kind}`).sort()).toEqual([
        expect.stringMatching(/^prod \w*GrpcTargets\w*: http$/),
        expect.stringMatching(/^prod \w*HttpTargets\w*: http$/),
        expect.stringMatching(/^stage \w*GrpcTargets\w*: grpc$/),
        expect.stringMatching(/^stage \w*HttpTargets\w*: http$/),
      ]);
    });

    it.each(checks.map((c) => [`${c.name} (${c.kind} ${c.path ?? ''} on ${c.port}, healthy ${c.codes})`, c]))(
      '%s',
      async (_name, check) => {
        // WHEN the load balancer's health check reaches the task while the database is down
        const answered = await runHealthCheck(check, runningPort(check.port));

        // THEN it is healthy, and the service still says it is not ready for traffic
        expect({ answered, healthy: matches(check.codes, answered) }).toEqual({ answered, healthy: true });
        expect((await http('GET', '/readyz')).status).toBe(503);
      },
    );

    it('gives ECS no container health check that asks the database', () => {
      // Amazon ECS Developer Guide, "Determine Amazon ECS task health using container health checks", and
      // the API reference's HealthCheck: a service's task whose essential containers report UNHEALTHY is
      // stopped and replaced; only checks in the task definition count (not the image's HEALTHCHECK), and
      // a non-essential container's check counts when no essential container has one. The service
      // container has none, so ECS judges it by the target groups above and by the Datadog agent's check,
      // which asks the agent about itself, never the database.
      for (const template of Object.values(templates)) {
        const containers = Object.values(template.findResources('AWS::ECS::TaskDefinition')).flatMap(
          (r) =>
            (r as { Properties: { ContainerDefinitions: ContainerDefinition[] } }).Properties
              .ContainerDefinitions,
        );
        const service = containers.find((c) => c.Name === SERVICE_CONTAINER_NAME);
        expect(service).toBeDefined();
        expect(service?.HealthCheck).toBeUndefined();
        const others = containers.filter((c) => c.HealthCheck).map((c) => [c.Name, c.HealthCheck?.Command]);
        expect(others).toEqual(others.map(() => ['datadog-agent', ['CMD-SHELL', 'agent health']]));
      }
    });
  });
});

describe('when the database is back', () => {
  it('serves again without a restart', async () => {
    // GIVEN the database started again
    await pg.cluster.start();

    // WHEN called on both protocols
    const read = await http('GET', `/v1/notes/${noteId}`);
    const write = await unary(client, 'CreateNote', { title: 'after the outage' });

    // THEN both succeed at once
    expect(read.status).toBe(200);
    expect(write.ok).toBe(true);
    expect((await http('GET', '/readyz')).status).toBe(200);
  });
});

interface ContainerDefinition {
  readonly Name: string;
  readonly HealthCheck?: { readonly Command: readonly string[] };
}

/** One target group's health check, as the load balancer runs it. */
interface TargetGroupHealthCheck {
  /** Environment and target group's logical id, e.g. `prod LoadBalancingGrpcTargetsE011A497`. */
  readonly name: string;
  readonly kind: 'http' | 'grpc' | 'tcp';
  /** The port in the task, as the template gives it. */
  readonly port: number;
  /** HTTP path, or the gRPC method's path; null for TCP. */
  readonly path: string | null;
  /** The Matcher: HTTP status codes or gRPC status codes, `200`, `200,202` or `0-5`. */
  readonly codes: string;
}

/**
 * The health checks of `template`'s target groups, with the defaults the load balancers apply where the
 * template leaves a setting out: Elastic Load Balancing User Guide, "Health checks for Application Load
 * Balancer target groups" and "Health checks for Network Load Balancer target groups", and the
 * CloudFormation reference of AWS::ElasticLoadBalancingV2::TargetGroup Matcher (HttpCode: 200 for an
 * ALB, 200-399 for an NLB; GrpcCode: 12; the port `traffic-port`; an ALB gRPC check's path
 * `/AWS.ALB/healthcheck`).
 */
function targetGroupHealthChecks(env: string, template: Template): TargetGroupHealthCheck[] {
  const groups = template.findResources('AWS::ElasticLoadBalancingV2::TargetGroup') as Record<
    string,
    { Properties: Record<string, unknown> }
  >;
  return Object.entries(groups).map(([logicalId, group]) => {
    const p = group.Properties;
    const nlb = ['TCP', 'UDP', 'TCP_UDP', 'TLS'].includes(String(p.Protocol));
    const grpc = p.ProtocolVersion === 'GRPC';
    const protocol = String(p.HealthCheckProtocol ?? (nlb ? 'TCP' : p.Protocol));
    const port =
      p.HealthCheckPort === undefined || p.HealthCheckPort === 'traffic-port'
        ? Number(p.Port)
        : Number(p.HealthCheckPort);
    const matcher = (p.Matcher ?? {}) as { HttpCode?: string; GrpcCode?: string };
    if (protocol === 'HTTPS')
      throw new Error(`${env} ${logicalId}: HTTPS health checks are not run by this test`);
    const kind = grpc ? 'grpc' : protocol === 'TCP' ? 'tcp' : 'http';
    return {
      name: `${env} ${logicalId}`,
      kind,
      port,
      path: kind === 'tcp' ? null : String(p.HealthCheckPath ?? (grpc ? '/AWS.ALB/healthcheck' : '/')),
      codes: grpc ? (matcher.GrpcCode ?? '12') : (matcher.HttpCode ?? (nlb ? '200-399' : '200')),
    };
  });
}

/** Whether `code` is in a Matcher's list (`200,202`) or ranges (`200-299`). */
function matches(codes: string, code: number | string): boolean {
  if (typeof code !== 'number') return false;
  return codes.split(',').some((part) => {
    const [low, high = low] = part.trim().split('-').map(Number);
    return low !== undefined && high !== undefined && code >= low && code <= high;
  });
}

/**
 * Runs `check` against 127.0.0.1:`port` as the load balancer does, and returns the HTTP or gRPC status
 * code it got (for TCP, 0 once connected), or what went wrong.
 */
async function runHealthCheck(check: TargetGroupHealthCheck, port: number): Promise<number | string> {
  if (check.kind === 'http') {
    return (await fetch(`http://127.0.0.1:${port}${check.path}`)).status;
  }
  if (check.kind === 'tcp') {
    return new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(0);
      });
      socket.on('error', (error) => resolve(error.message));
    });
  }
  // The gRPC method the ALB calls, found by its path among those the server loads: a health check path
  // naming no method of the service gets UNIMPLEMENTED from a real server, so it is called anyway.
  const { packageDefinition } = loadProtos();
  const method = Object.values(packageDefinition)
    .flatMap((definition) => Object.values(definition as Record<string, MethodDefinition<object, object>>))
    .find((m) => m.path === check.path);
  const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
  try {
    return await new Promise((resolve) => {
      client.makeUnaryRequest(
        check.path!,
        (request: object) => (method ? method.requestSerialize(request) : Buffer.alloc(0)),
        (bytes: Buffer) => (method ? method.responseDeserialize(bytes) : bytes),
        // The ALB's request body is not documented; an empty message asks grpc.health.v1 ("GRPC Health
        // Checking Protocol", grpc/grpc doc/health-checking.md) for the server's overall health.
        {},
        { deadline: new Date(Date.now() + 10_000) },
        (error: ServiceError | null) => resolve(error ? error.code : status.OK),
      );
    });
  } finally {
    client.close();
  }
}
