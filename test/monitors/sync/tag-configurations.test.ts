/**
 * `monitors plan` and `apply` enable percentiles on the distributions our queries use, through the
 * metrics tag configuration API, and stay idempotent.
 *
 * Datadog, "Distributions" (https://docs.datadoghq.com/metrics/distributions/): percentile
 * aggregations of a distribution are computed only once enabled for the metric. API reference,
 * Metrics, "Create a tag configuration" / "Update a tag configuration" / "List tag configuration by
 * name" (https://docs.datadoghq.com/api/latest/metrics/): `POST|PATCH|GET /api/v2/metrics/{metric_name}/tags`,
 * body `{data: {id, type: manage_tags, attributes: {tags, metric_type, include_percentiles}}}`. The
 * fake checks each body with the client's own v2 model.
 */
import { EXIT } from '../../../cli/exit-codes';
import { createDatadogClient, readDatadogSettings } from '../../../clients/datadog-client';
import type { DatadogFake } from '../../support/datadog-fake';
import { type RoutedFakes, runMonitorsCli, startRoutedFakes } from '../../support/monitors-cli';

const DURATION = 'wheelhouse.request.duration';
const TAGS = ['env', 'method', 'protocol', 'service'];

const run = runMonitorsCli;

describe('monitors plan/apply: metrics tag configurations', () => {
  let dd: DatadogFake;
  let env: NodeJS.ProcessEnv;

  let fakes: RoutedFakes;

  beforeEach(async () => {
    fakes = await startRoutedFakes();
    ({ dd, env } = fakes);
  });

  afterEach(() => fakes.close());

  const tagWrites = () => dd.writes().filter((w) => w.path.startsWith('/api/v2/metrics/'));

  it('plan shows the tag configuration to create, with exactly the tags our queries use', async () => {
    const { code, out } = await run(['plan', '--env', 'prod'], env);
    expect(code).toBe(EXIT.changes);
    expect(out).toContain(
      `+ create  tag-configuration  ${DURATION}  ${DURATION} (percentiles, tags ${TAGS.join(',')})`,
    );
    expect(tagWrites()).toEqual([]);
  });

  it('apply creates it with percentiles, and a second apply writes nothing', async () => {
    // WHEN applying twice
    const first = await run(['apply', '--env', 'prod'], env);
    const after = dd.writes().length;
    const second = await run(['apply', '--env', 'prod'], env);
    // THEN one POST enabled the percentiles with our tags, and the second apply wrote nothing at all
    expect(first.code).toBe(EXIT.ok);
    expect(first.out).toContain(`created tag-configuration ${DURATION} (${DURATION})`);
    expect(tagWrites().map((w) => `${w.method} ${w.path}`)).toEqual([
      `POST /api/v2/metrics/${DURATION}/tags`,
    ]);
    expect(tagWrites()[0]!.body).toEqual({
      data: {
        id: DURATION,
        type: 'manage_tags',
        attributes: { metric_type: 'distribution', tags: TAGS, include_percentiles: true },
      },
    });
    expect(dd.tagConfigurations.get(DURATION)?.attributes).toMatchObject({
      include_percentiles: true,
      tags: TAGS,
    });
    expect(second.code).toBe(EXIT.ok);
    expect(second.out).toContain('Nothing to apply.');
    expect(dd.writes().length).toBe(after);
  });

  it('another environment wants the same configuration (it belongs to the metric): no write there', async () => {
    await run(['apply', '--env', 'prod'], env);
    const { out } = await run(['plan', '--env', 'stage'], env);
    expect(out).not.toContain('tag-configuration');
  });

  it.each([
    [
      'percentiles were turned off by hand',
      { include_percentiles: false },
      'include_percentiles: false → true',
    ],
    [
      'a tag was dropped and another added',
      { tags: ['env', 'host', 'protocol'] },
      'tags: -host +method +service',
    ],
  ])('plan shows an update when %s, and apply puts it back with a PATCH', async (_name, edit, line) => {
    // GIVEN an applied configuration that someone changed in the Metrics Summary
    await run(['apply', '--env', 'prod'], env);
    const stored = dd.tagConfigurations.get(DURATION)!;
    Object.assign(stored.attributes as Record<string, unknown>, edit);
    // WHEN planning, then applying
    const plan = await run(['plan', '--env', 'prod'], env);
    const apply = await run(['apply', '--env', 'prod'], env);
    // THEN the plan names the field, the apply sends one PATCH, and the stored configuration is ours again
    expect(plan.code).toBe(EXIT.changes);
    expect(plan.out).toContain(`~ update  tag-configuration  ${DURATION}`);
    expect(plan.out).toContain(line);
    expect(apply.code).toBe(EXIT.ok);
    expect(tagWrites().map((w) => w.method)).toEqual(['POST', 'PATCH']);
    expect(dd.tagConfigurations.get(DURATION)?.attributes).toMatchObject({
      include_percentiles: true,
      tags: TAGS,
    });
  });

  it('fails with a clear message when Datadog has not received the metric yet (404 on create)', async () => {
    dd.knownMetrics.clear();
    const { code, err } = await run(['apply', '--env', 'prod'], env);
    expect(code).toBe(EXIT.failed);
    expect(err).toContain(`create tag-configuration ${DURATION}`);
    expect(err).toContain('not found (404)');
  });

  it('the fake answers the client as the API reference says: list, and a create without metric_type refused', async () => {
    // GIVEN the applied configuration
    await run(['apply', '--env', 'prod'], env);
    const client = createDatadogClient(readDatadogSettings(dd.env()));
    // WHEN listing the configured metrics with the client, and posting a body the model refuses
    const listed = await client.metrics().listTagConfigurations({ filterConfigured: true });
    const refused = await fetch(`${dd.url}/api/v2/metrics/other.metric/tags`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'dd-api-key': dd.apiKey,
        'dd-application-key': dd.appKey,
      },
      body: JSON.stringify({
        data: { id: 'other.metric', type: 'manage_tags', attributes: { tags: ['env'] } },
      }),
    });
    // THEN the list has our metric with its attributes, and the bad body is a 400 naming the field
    expect(listed.data?.map((d) => (d as { id?: string }).id)).toEqual([DURATION]);
    expect(refused.status).toBe(400);
    expect(JSON.stringify(await refused.json())).toContain('metricType');
  });
});
