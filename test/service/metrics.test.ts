import { createSocket, type Socket } from 'node:dgram';
import { createLogger } from '../../service/observability/logger';
import { Metrics } from '../../service/observability/metrics';

let agent: Socket;
const lines: string[] = [];

beforeAll(async () => {
  // A DogStatsD agent: every UDP packet's lines.
  agent = createSocket('udp4');
  agent.on('message', (message) => lines.push(...message.toString().split('\n').filter(Boolean)));
  await new Promise<void>((resolve) => agent.bind(0, '127.0.0.1', resolve));
});

afterAll(() => agent?.close());

/** Waits until some line matches, or 5 s. */
async function lineMatching(pattern: RegExp): Promise<string | undefined> {
  for (let i = 0; i < 500; i++) {
    const line = lines.find((l) => pattern.test(l));
    if (line !== undefined) return line;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return undefined;
}

it('sends every latency of a tag set in one multi-value line, and counts each in the client telemetry', async () => {
  // GIVEN metrics with hot-shots' Datadog client telemetry on (a DD_* variable turns it on, as on ECS)
  const before = process.env.DD_ENV;
  process.env.DD_ENV = 'test';
  const metrics = new Metrics(
    { agentHost: '127.0.0.1', port: agent.address().port, tags: { env: 'test' } },
    createLogger({ level: 'silent', destination: { write: () => undefined } }),
  );
  if (before === undefined) delete process.env.DD_ENV;
  else process.env.DD_ENV = before;

  // WHEN five calls of one tag set finish and the client closes
  for (const durationMs of [1.5, 2, 3.25, 4, 5.125]) {
    metrics.request({ protocol: 'grpc', method: 'GetNote', status: 'OK', code: 'ok', durationMs });
  }
  await metrics.close();

  // THEN the agent got the five values in one line with the request's tags (and hot-shots' origin field, where
  // it finds a container id)
  const durations = await lineMatching(/^wheelhouse\.request\.duration:/);
  expect(durations?.split('|c:')[0]).toBe(
    'wheelhouse.request.duration:1.5:2:3.25:4:5.125|d|#env:test,protocol:grpc,method:GetNote,status:OK,code:ok',
  );
  expect(await lineMatching(/^wheelhouse\.request\.count:5\|c\|.*method:GetNote/)).toBeDefined();
  // AND the client telemetry counted five distribution values, as hot-shots counts its own sends
  const telemetry = await lineMatching(/^datadog\.dogstatsd\.client\.metrics_by_type:\d+\|c\|.*distribution/);
  expect(telemetry).toMatch(/^datadog\.dogstatsd\.client\.metrics_by_type:5\|c\|/);
});

it("counts a method's requests by status and code through its recorder, as request() does", async () => {
  // GIVEN a recorder of one HTTP method (DogStatsD "Datagram Format and Shell Usage": `name:value|c|#tags`)
  lines.length = 0;
  const metrics = new Metrics(
    { agentHost: '127.0.0.1', port: agent.address().port, tags: {} },
    createLogger({ level: 'silent', destination: { write: () => undefined } }),
  );
  const record = metrics.recorder('http', 'CreateNote');

  // WHEN calls end in turn as created, invalid, created, and one is recorded through request()
  record(201, 'ok', 1);
  record(400, 'invalid_argument', 2);
  record(201, 'ok', 3);
  metrics.request({ protocol: 'http', method: 'CreateNote', status: '201', code: 'ok', durationMs: 4 });
  await metrics.close();

  // THEN one counter per status and code, with every request counted, and the error counted as one
  const tags = (status: number, code: string) =>
    `#protocol:http,method:CreateNote,status:${status},code:${code}`;
  const counter = (name: string, status: number, code: string) =>
    lineMatching(new RegExp(`^wheelhouse\\.request\\.${name}:\\d+\\|c\\|${tags(status, code)}`));
  expect((await counter('count', 201, 'ok'))?.split('|')[0]).toBe('wheelhouse.request.count:3');
  expect((await counter('count', 400, 'invalid_argument'))?.split('|')[0]).toBe('wheelhouse.request.count:1');
  expect((await counter('errors', 400, 'invalid_argument'))?.split('|')[0]).toBe(
    'wheelhouse.request.errors:1',
  );
  expect(lines.some((line) => line.startsWith('wheelhouse.request.errors') && line.includes('code:ok'))).toBe(
    false,
  );
});
