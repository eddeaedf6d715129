import { createPagerDutyClient, readPagerDutySettings } from '../../clients/pagerduty-client';
import { acknowledgeIncident, resolveIncident, triggerIncident } from '../../clients/pagerduty-events';
import { loadGoldenConfig } from '../../monitors/golden';
import { PagerDutyFake } from '../support/pagerduty-fake';

const config = loadGoldenConfig();
const prod = config.environments.find((e) => e.name === 'prod')!;

describe('paging', () => {
  let pd: PagerDutyFake;

  beforeEach(async () => {
    pd = await PagerDutyFake.start();
  });

  afterEach(async () => {
    await pd.close();
  });

  it('triggers an incident, then acknowledges and resolves it by its deduplication key', async () => {
    // GIVEN prod's routing key, and no REST token (events need none)
    const routingKey = pd.newRoutingKey();
    const client = createPagerDutyClient(readPagerDutySettings({ ...pd.env(), PAGERDUTY_TOKEN: '' }));
    // WHEN paging, then acknowledging
    const handle = await triggerIncident(client, prod, {
      summary: 'Checkout returns 502 for everyone',
      routingKey,
      requestedBy: 'U0PLATFORM1',
      link: { href: 'https://slack.example/archives/C0PRODOPS01/p1', text: 'Slack thread' },
    });
    await acknowledgeIncident(client, routingKey, handle);
    // THEN one incident is open and acknowledged, with what the bot sent
    const incident = pd.incidents.get(handle.dedupKey)!;
    expect(handle).toEqual({ env: 'prod', dedupKey: expect.stringMatching(/^wheelhouse-prod\//) });
    expect(incident).toMatchObject({
      status: 'acknowledged',
      severity: 'critical',
      source: 'wheelhouse-prod',
    });
    expect(pd.events()[0]!.body).toMatchObject({
      event_action: 'trigger',
      payload: { custom_details: { environment: 'prod', requested_by: 'U0PLATFORM1' } },
      links: [{ href: 'https://slack.example/archives/C0PRODOPS01/p1', text: 'Slack thread' }],
    });
    // WHEN resolving
    await resolveIncident(client, routingKey, handle);
    // THEN it is resolved
    expect(incident.status).toBe('resolved');
  });

  it('opens one incident when the same deduplication key is paged twice', async () => {
    const routingKey = pd.newRoutingKey();
    const client = createPagerDutyClient(readPagerDutySettings(pd.env()));
    const request = { summary: 'DB down', routingKey, requestedBy: 'U1', dedupKey: 'prod/db-down' };
    await triggerIncident(client, prod, request);
    await triggerIncident(client, prod, request);
    expect(pd.incidents.size).toBe(1);
  });

  it.each([
    ['an unknown routing key', { routingKey: 'not-a-key' }, 'rejected', 'Invalid routing key'],
    ['an empty summary', { summary: '   ' }, 'rejected', 'a page needs a summary'],
  ])('fails with %s', async (_name, override, code, message) => {
    const client = createPagerDutyClient(readPagerDutySettings(pd.env()));
    const request = { summary: 'x', routingKey: pd.newRoutingKey(), requestedBy: 'U1', ...override };
    await expect(triggerIncident(client, prod, request)).rejects.toMatchObject({
      name: 'MonitoringError',
      code,
      message: expect.stringContaining(message),
    });
  });

  it('retries an Events API 5xx, and fails with unavailable when it persists', async () => {
    // GIVEN a client that retries without waiting long
    const client = createPagerDutyClient({ ...readPagerDutySettings(pd.env()), retryDelayMs: 1 });
    const request = { summary: 'x', routingKey: pd.newRoutingKey(), requestedBy: 'U1' };
    // WHEN the Events API fails once, then three times
    pd.http.failNext(1, 502, { status: 'error' });
    const handle = await triggerIncident(client, prod, request);
    pd.http.failNext(3, 500, { status: 'error' });
    const failure = triggerIncident(client, prod, request);
    // THEN the first page got through on the retry, the second gave up after two retries
    expect(pd.incidents.get(handle.dedupKey)?.status).toBe('triggered');
    await expect(failure).rejects.toMatchObject({ code: 'unavailable', status: 500 });
    expect(pd.events()).toHaveLength(2 + 3);
  });
});
