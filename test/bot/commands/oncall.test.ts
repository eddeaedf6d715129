import type { Config } from '../../../config';
import { PagerDutyConnection } from '../../../ops/pagerduty-connection';
import { PagerDutyFake } from '../../support/pagerduty-fake';
import { messageText, startTestBot, type TestBot } from '../../support/slack-bot-harness';
import { CHANNELS, PEOPLE, testConfig } from '../fixtures/test-config';

const NOW = new Date('2026-11-26T12:00:00.000Z');

/** The fixture, with PagerDuty enabled for stage too (policy PWHESC002), and a channel-less check. */
function configWithStagePaging(): Config {
  const config = testConfig();
  return {
    ...config,
    environments: config.environments.map((e) =>
      e.name === 'stage'
        ? {
            ...e,
            pagerduty: {
              ...e.pagerduty,
              enabled: true,
              serviceId: 'PWHSTAGE1',
              escalationPolicyId: 'PWHESC002',
            },
          }
        : e,
    ),
  };
}

function addShifts(pd: PagerDutyFake): void {
  pd.addEscalationPolicy({ id: 'PWHESC001', name: 'Wheelhouse prod' });
  pd.addOnCall({
    escalationPolicyId: 'PWHESC001',
    level: 1,
    userId: 'PALICE1',
    userName: 'Alice Example',
    start: '2026-11-26T08:00:00.000Z',
    end: '2026-11-27T08:00:00.000Z',
    scheduleName: 'Primary',
  });
  pd.addOnCall({
    escalationPolicyId: 'PWHESC001',
    level: 2,
    userId: 'PBOB001',
    userName: 'Bob Example',
    start: null,
    end: null,
  });
  pd.addOnCall({
    escalationPolicyId: 'PWHESC001',
    level: 1,
    userId: 'PCAROL1',
    userName: 'Carol Example',
    start: '2026-11-27T08:00:00.000Z',
    end: '2026-11-28T08:00:00.000Z',
    scheduleName: 'Primary',
  });
  pd.addOnCall({
    escalationPolicyId: 'PWHESC002',
    level: 1,
    userId: 'PDAVE01',
    userName: 'Dave Example',
    start: '2026-11-26T00:00:00.000Z',
    end: '2026-11-27T00:00:00.000Z',
  });
}

describe('/oncall', () => {
  let pd: PagerDutyFake;
  let bot: TestBot;
  beforeAll(async () => {
    pd = await PagerDutyFake.start();
    addShifts(pd);
    bot = await startTestBot({
      config: configWithStagePaging(),
      now: () => NOW,
      pagerDuty: new PagerDutyConnection({ ...pd.env(), PAGERDUTY_TIMEOUT_MS: '300' }),
    });
  });
  afterAll(async () => {
    await bot.stop();
    await pd.close();
  });

  it('answers in the channel who is on call now at each level, and who is next', async () => {
    // WHEN
    const { ack } = await bot.command(PEOPLE.outsider.userId, CHANNELS.free, 'oncall', 'prod');

    // THEN
    expect(ack.body).toMatchObject({ response_type: 'in_channel' });
    const shown = messageText(ack.body);
    expect(shown).toContain('*On call for prod*');
    expect(shown).toContain(
      '• <https://example.pagerduty.com/users/PALICE1|Alice Example> (level 1, Primary) until 2026-11-27 09:00 CET',
    );
    expect(shown).toContain('• <https://example.pagerduty.com/users/PBOB001|Bob Example> (level 2) always');
    expect(shown).toContain(
      '*Next*\n• <https://example.pagerduty.com/users/PCAROL1|Carol Example> (level 1, Primary) from 2026-11-27 09:00 CET until 2026-11-28 09:00 CET',
    );
    const [request] = pd.http.requests.filter((r) => r.path === '/oncalls').slice(-1);
    expect(request!.query.getAll('escalation_policy_ids[]')).toEqual(['PWHESC001']);
    expect(request!.headers.authorization).toBe(`Token token=${pd.token}`);
  });

  it('uses the environment of the channel when none is named', async () => {
    // WHEN
    const { ack } = await bot.command(PEOPLE.developer.userId, CHANNELS.prod, 'oncall', '');

    // THEN
    const shown = messageText(ack.body);
    expect(shown).toContain('*On call for prod*');
    expect(shown).not.toContain('stage');
  });

  it('lists every environment with PagerDuty enabled when none is named and the channel is bound to none', async () => {
    // WHEN
    const { ack } = await bot.command(PEOPLE.developer.userId, CHANNELS.free, 'oncall', '');

    // THEN
    const shown = messageText(ack.body);
    expect(shown).toContain('*On call for stage*');
    expect(shown).toContain('Dave Example');
    expect(shown).toContain('*On call for prod*');
    expect(shown).not.toContain('for dev');
    expect(bot.logs).toContainEqual(
      expect.objectContaining({
        audit: expect.objectContaining({ command: '/oncall', args: '', environment: null, outcome: 'ok' }),
      }),
    );
  });

  it('says how to enable PagerDuty for an environment that has it off', async () => {
    // WHEN
    const { ack } = await bot.command(PEOPLE.developer.userId, CHANNELS.free, 'oncall', 'dev');

    // THEN
    const shown = messageText(ack.body);
    expect(ack.body).toMatchObject({ response_type: 'ephemeral' });
    expect(shown).toContain('PagerDuty is not enabled for dev');
    expect(shown).toContain(
      'Set pagerduty.enabled: true and pagerduty.escalationPolicyId for dev in wheelhouse.yml.',
    );
  });

  it('says that PagerDuty is failing when it answers 5xx', async () => {
    // GIVEN
    pd.http.failNext(1, 503, { error: { message: 'Service Unavailable' } });

    // WHEN
    const { ack } = await bot.command(PEOPLE.developer.userId, CHANNELS.free, 'oncall', 'prod');

    // THEN
    const shown = messageText(ack.body);
    expect(shown).toContain('PagerDuty is failing (503): cannot look up who is on call for prod.');
    expect(shown).toContain('Try again in a minute');
  });

  it('says that PagerDuty did not answer in time when it hangs', async () => {
    // GIVEN
    pd.http.delayNext(1, 600);

    // WHEN
    const { ack } = await bot.command(PEOPLE.developer.userId, CHANNELS.free, 'oncall', 'prod');

    // THEN
    expect(messageText(ack.body)).toContain(
      'PagerDuty did not answer in time: cannot look up who is on call for prod.',
    );
  });

  it.each([
    ['an unknown environment', 'nowhere', 'There is no environment "nowhere"; known: dev, stage, prod.'],
    ['two arguments', 'prod now', 'Unexpected argument "now".'],
  ])('answers %s with the usage', async (_name, text, message) => {
    const { ack } = await bot.command(PEOPLE.developer.userId, CHANNELS.free, 'oncall', text);
    const shown = messageText(ack.body);
    expect(shown).toContain(message);
    expect(shown).toContain('Usage: `/oncall [env]`');
  });
});

describe('/oncall without a usable PagerDuty token', () => {
  let pd: PagerDutyFake;
  beforeAll(async () => {
    pd = await PagerDutyFake.start();
    addShifts(pd);
  });
  afterAll(() => pd.close());

  it('says which variable to set when PAGERDUTY_TOKEN is not set, and calls nothing', async () => {
    // GIVEN
    const { PAGERDUTY_TOKEN: _token, ...withoutToken } = pd.env();
    const bot = await startTestBot({
      config: testConfig(),
      now: () => NOW,
      pagerDuty: new PagerDutyConnection(withoutToken),
    });
    try {
      // WHEN
      const { ack } = await bot.command(PEOPLE.developer.userId, CHANNELS.prod, 'oncall', '');

      // THEN
      const shown = messageText(ack.body);
      expect(shown).toContain('PagerDuty is not connected: cannot look up who is on call for prod.');
      expect(shown).toContain('Set PAGERDUTY_TOKEN in the bot’s environment to a PagerDuty REST API key');
      expect(pd.http.requests).toHaveLength(0);
    } finally {
      await bot.stop();
    }
  });

  it('says the token was refused when PagerDuty answers 401, without showing it', async () => {
    // GIVEN
    const bot = await startTestBot({
      config: testConfig(),
      now: () => NOW,
      pagerDuty: new PagerDutyConnection({ ...pd.env(), PAGERDUTY_TOKEN: 'u+revokedtokenvalue1' }),
    });
    try {
      // WHEN
      const { ack } = await bot.command(PEOPLE.developer.userId, CHANNELS.prod, 'oncall', 'prod');

      // THEN
      const shown = messageText(ack.body);
      expect(shown).toContain("PagerDuty refused the bot's credentials (401)");
      expect(shown).toContain('PAGERDUTY_TOKEN is wrong, revoked or lacks access');
      expect(JSON.stringify(ack.body)).not.toContain('revokedtokenvalue');
      expect(JSON.stringify(bot.logs)).not.toContain('revokedtokenvalue');
    } finally {
      await bot.stop();
    }
  });
});
