import { createPagerDutyClient, readPagerDutySettings } from '../../clients/pagerduty-client';
import { whoIsOnCall } from '../../clients/pagerduty-oncalls';
import { loadGoldenConfig } from '../../monitors/golden';
import { PagerDutyFake } from '../support/pagerduty-fake';

const config = loadGoldenConfig();
const env = (name: string) => config.environments.find((e) => e.name === name)!;
const NOW = new Date('2026-11-26T12:00:00Z');

describe('whoIsOnCall', () => {
  let pd: PagerDutyFake;

  beforeEach(async () => {
    pd = await PagerDutyFake.start();
    pd.addEscalationPolicy({ id: 'PWHESC001', name: 'Wheelhouse on-call' });
  });

  afterEach(async () => {
    await pd.close();
  });

  it('answers who is on call now and who is next, by escalation level', async () => {
    // GIVEN a primary rotation, a secondary, and another policy's on-call
    const shift = (userName: string, level: number, start: string, end: string, policy = 'PWHESC001') => ({
      escalationPolicyId: policy,
      level,
      userId: `P${userName.toUpperCase()}`,
      userName,
      start,
      end,
      scheduleName: `Level ${level}`,
    });
    pd.addOnCall(shift('ada', 1, '2026-11-26T09:00:00Z', '2026-11-27T09:00:00Z'));
    pd.addOnCall(shift('grace', 1, '2026-11-27T09:00:00Z', '2026-11-28T09:00:00Z'));
    pd.addOnCall(shift('linus', 2, '2026-11-20T09:00:00Z', '2026-12-04T09:00:00Z'));
    pd.addOnCall(shift('mallory', 1, '2026-11-26T09:00:00Z', '2026-11-27T09:00:00Z', 'POTHER01'));
    const client = createPagerDutyClient(readPagerDutySettings(pd.env()));
    // WHEN asking for prod
    const oncall = await whoIsOnCall(client, env('prod'), { now: NOW });
    // THEN ada and linus are on call, grace is next at level 1
    expect(oncall.now.map((s) => [s.level, s.name])).toEqual([
      [1, 'ada'],
      [2, 'linus'],
    ]);
    expect(oncall.next.map((s) => [s.level, s.name, s.start?.toISOString()])).toEqual([
      [1, 'grace', '2026-11-27T09:00:00.000Z'],
    ]);
    expect(oncall.now[0]).toMatchObject({
      schedule: 'Level 1',
      url: 'https://example.pagerduty.com/users/PADA',
    });
    // AND the query asked for prod's escalation policy
    expect(pd.http.requests.at(-1)?.query.getAll('escalation_policy_ids[]')).toEqual(['PWHESC001']);
  });

  it('follows PagerDuty pagination so that the next shift on a later page is not cut off', async () => {
    // PagerDuty REST API, "Pagination" (https://developer.pagerduty.com/docs/rest-api-v2/pagination/):
    // classic pagination returns `limit` entries from `offset`, and `more: true` while others follow.
    // GIVEN PagerDuty answers 2 entries a page, and the level-1 shift after the current one is on page 3
    pd.maxPageSize = 2;
    const shift = (userName: string, level: number, start: string, end: string) => ({
      escalationPolicyId: 'PWHESC001',
      level,
      userId: `P${userName.toUpperCase()}`,
      userName,
      start,
      end,
    });
    pd.addOnCall(shift('ada', 1, '2026-11-26T09:00:00Z', '2026-11-27T09:00:00Z'));
    pd.addOnCall(shift('linus', 2, '2026-11-20T09:00:00Z', '2026-11-28T09:00:00Z'));
    pd.addOnCall(shift('ken', 2, '2026-11-28T09:00:00Z', '2026-12-04T09:00:00Z'));
    pd.addOnCall(shift('barbara', 3, '2026-11-20T09:00:00Z', '2026-12-04T09:00:00Z'));
    pd.addOnCall(shift('grace', 1, '2026-11-27T09:00:00Z', '2026-11-28T09:00:00Z'));
    const client = createPagerDutyClient(readPagerDutySettings(pd.env()));
    // WHEN asking for prod
    const oncall = await whoIsOnCall(client, env('prod'), { now: NOW });
    // THEN grace, from the third page, is next at level 1
    expect(oncall.next.map((s) => [s.level, s.name])).toEqual([
      [1, 'grace'],
      [2, 'ken'],
    ]);
    expect(oncall.now.map((s) => s.name)).toEqual(['ada', 'linus', 'barbara']);
    // AND three pages were read, each from where the last ended
    const offsets = pd.http.requests.filter((r) => r.path === '/oncalls').map((r) => r.query.get('offset'));
    expect(offsets).toEqual(['0', '2', '4']);
  });

  it('fails with not-configured for an environment without PagerDuty', async () => {
    const client = createPagerDutyClient(readPagerDutySettings(pd.env()));
    await expect(whoIsOnCall(client, env('dev'))).rejects.toMatchObject({
      code: 'not-configured',
      message: expect.stringContaining('dev has no PagerDuty escalation policy'),
    });
  });

  it.each([
    ['without a token', { PAGERDUTY_TOKEN: '' }, 'missing-credentials', 'PAGERDUTY_TOKEN is not set'],
    [
      'with a wrong token',
      { PAGERDUTY_TOKEN: 'nope' },
      'unauthorized',
      'PagerDuty refused the credentials (401)',
    ],
  ])('fails %s', async (_name, override, code, message) => {
    const client = createPagerDutyClient(readPagerDutySettings({ ...pd.env(), ...override }));
    await expect(whoIsOnCall(client, env('prod'))).rejects.toMatchObject({
      code,
      message: expect.stringContaining(message),
    });
  });

  it('fails with unavailable on a 5xx and with timeout when PagerDuty hangs', async () => {
    // GIVEN PagerDuty fails, then hangs past the deadline
    const client = createPagerDutyClient(readPagerDutySettings({ ...pd.env(), PAGERDUTY_TIMEOUT_MS: '100' }));
    pd.http.failNext(1, 502, { error: { message: 'Bad Gateway' } });
    await expect(whoIsOnCall(client, env('prod'))).rejects.toMatchObject({
      code: 'unavailable',
      status: 502,
    });
    pd.http.delayNext(1, 1_000);
    await expect(whoIsOnCall(client, env('prod'))).rejects.toMatchObject({ code: 'timeout' });
  });
});
