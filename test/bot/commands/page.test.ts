import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { PAGE_ACKNOWLEDGE_ACTION, PAGE_RESOLVE_ACTION } from '../../../bot/commands/page';
import { AwsClients } from '../../../ops/aws-clients';
import { PagerDutyConnection } from '../../../ops/pagerduty-connection';
import { noCredentials, UNREACHABLE_AWS_ENDPOINT } from '../../support/aws-fakes';
import { PagerDutyFake } from '../../support/pagerduty-fake';
import { messageText, startTestBot, type TestBot } from '../../support/slack-bot-harness';
import { CHANNELS, PEOPLE, testConfig } from '../fixtures/test-config';

const config = testConfig();
const NOW = new Date('2026-11-26T12:00:00.000Z');
const SECRET_NAME = 'wheelhouse/prod/pagerduty-routing-key';

interface Button {
  readonly action_id: string;
  readonly value: string;
  readonly text: { readonly text: string };
}

/** The message a reply became in the channel, as Slack sends it back with a click. */
function asMessage(body: unknown): { text: string; blocks: unknown[] } {
  const { text, blocks } = body as { text: string; blocks: unknown[] };
  return { text, blocks };
}

function buttonsOf(body: unknown): Button[] {
  const blocks = (body as { blocks?: { type: string; elements?: Button[] }[] }).blocks ?? [];
  return blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);
}

/** Everything the bot said or wrote anywhere, to search for a leaked secret. */
function everythingSaid(bot: TestBot, ...bodies: unknown[]): string {
  return JSON.stringify([bodies, bot.logs, bot.recorder.calls]);
}

describe('/page', () => {
  let pd: PagerDutyFake;
  let bot: TestBot;
  let routingKey: string;
  let secrets: ReturnType<typeof mockClient>;
  beforeAll(async () => {
    pd = await PagerDutyFake.start();
    bot = await startTestBot({ config, now: () => NOW, pagerDuty: new PagerDutyConnection(pd.env()) });
    bot.recorder.setGroupMembers('S0ONCALL001', [PEOPLE.oncall.userId]);
    bot.recorder.setGroupMembers('S0DEVELOPER', [PEOPLE.developer.userId]);
  });
  beforeEach(() => {
    routingKey = pd.newRoutingKey();
    secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand, { SecretId: SECRET_NAME }).callsFake(() => ({
      Name: SECRET_NAME,
      SecretString: routingKey,
    }));
  });
  afterEach(() => secrets.restore());
  afterAll(async () => {
    await bot.stop();
    await pd.close();
  });

  it('triggers an incident for the service with a deduplication key, and shows it in the channel with buttons', async () => {
    // WHEN
    const { ack } = await bot.command(
      PEOPLE.oncall.userId,
      CHANNELS.prod,
      'page',
      'prod checkout returns 500 for everyone',
    );

    // THEN
    expect(ack.body).toMatchObject({ response_type: 'in_channel' });
    const shown = messageText(ack.body);
    expect(shown).toContain(':rotating_light: *Paged prod*: checkout returns 500 for everyone');
    expect(shown).toContain(`Triggered by <@${PEOPLE.oncall.userId}> at 2026-11-26 13:00 CET`);
    const [incident, ...others] = [...pd.incidents.values()];
    expect(others).toHaveLength(0);
    expect(incident).toMatchObject({
      status: 'triggered',
      summary: 'checkout returns 500 for everyone',
      severity: 'critical',
      source: 'wheelhouse-prod',
      routingKey,
    });
    expect(incident!.dedupKey).toMatch(/^wheelhouse-prod\/[0-9a-f-]{36}$/);
    const buttons = buttonsOf(ack.body);
    expect(buttons.map((b) => [b.action_id, b.text.text, b.value])).toEqual([
      [PAGE_ACKNOWLEDGE_ACTION, 'Acknowledge', `prod ${incident!.dedupKey}`],
      [PAGE_RESOLVE_ACTION, 'Resolve', `prod ${incident!.dedupKey}`],
    ]);
    const [event] = pd.events().slice(-1);
    expect(event!.body).toMatchObject({
      event_action: 'trigger',
      dedup_key: incident!.dedupKey,
      payload: {
        custom_details: { environment: 'prod', requested_by: expect.stringContaining(PEOPLE.oncall.userId) },
      },
    });
    expect(everythingSaid(bot, ack.body)).not.toContain(routingKey);
    expect(bot.logs).toContainEqual(
      expect.objectContaining({
        audit: expect.objectContaining({
          command: '/page',
          args: 'prod checkout returns 500 for everyone',
          environment: 'prod',
          outcome: 'ok',
        }),
      }),
    );
  });

  it('acknowledges on PagerDuty when Acknowledge is clicked, and updates the message to offer Resolve', async () => {
    // GIVEN
    const paged = await bot.command(PEOPLE.oncall.userId, CHANNELS.prod, 'page', 'prod queue is backing up');
    const acknowledge = buttonsOf(paged.ack.body).find((b) => b.action_id === PAGE_ACKNOWLEDGE_ACTION)!;
    const dedupKey = acknowledge.value.split(' ')[1]!;

    // WHEN
    const { ack, responseUrlId } = await bot.click(
      PEOPLE.developer.userId,
      CHANNELS.prod,
      PAGE_ACKNOWLEDGE_ACTION,
      acknowledge.value,
      asMessage(paged.ack.body),
    );

    // THEN
    expect(ack.status).toBe(200);
    await bot.recorder.waitFor(
      () => bot.recorder.responsesTo(responseUrlId).length === 1,
      3000,
      'the update',
    );
    const update = bot.recorder.responsesTo(responseUrlId)[0]!;
    expect(update).toMatchObject({ replace_original: true });
    expect(messageText(update)).toContain(':rotating_light: *Paged prod*: queue is backing up');
    expect(messageText(update)).toContain(':eyes: *Acknowledged*: the page of *prod* is being handled.');
    expect(messageText(update)).toContain(
      `Acknowledged by <@${PEOPLE.developer.userId}> at 2026-11-26 13:00 CET`,
    );
    expect(buttonsOf(update).map((b) => b.action_id)).toEqual([PAGE_RESOLVE_ACTION]);
    expect(pd.incidents.get(dedupKey)?.status).toBe('acknowledged');
    expect(pd.events().slice(-1)[0]!.body).toMatchObject({
      event_action: 'acknowledge',
      dedup_key: dedupKey,
    });
    expect(everythingSaid(bot, update)).not.toContain(routingKey);
    expect(bot.logs).toContainEqual(
      expect.objectContaining({
        audit: expect.objectContaining({
          command: '/page',
          args: `prod acknowledge ${dedupKey}`,
          outcome: 'ok',
        }),
      }),
    );
  });

  it('resolves on PagerDuty when Resolve is clicked on the acknowledged page, and updates the message without buttons', async () => {
    // GIVEN
    const paged = await bot.command(PEOPLE.oncall.userId, CHANNELS.prod, 'page', 'prod disk full');
    const acknowledge = buttonsOf(paged.ack.body).find((b) => b.action_id === PAGE_ACKNOWLEDGE_ACTION)!;
    const dedupKey = acknowledge.value.split(' ')[1]!;
    const acknowledged = await bot.click(
      PEOPLE.oncall.userId,
      CHANNELS.prod,
      PAGE_ACKNOWLEDGE_ACTION,
      acknowledge.value,
      asMessage(paged.ack.body),
    );
    await bot.recorder.waitFor(
      () => bot.recorder.responsesTo(acknowledged.responseUrlId).length === 1,
      3000,
      'the acknowledgement',
    );
    const onPage = bot.recorder.responsesTo(acknowledged.responseUrlId)[0]!;
    const resolve = buttonsOf(onPage).find((b) => b.action_id === PAGE_RESOLVE_ACTION)!;

    // WHEN
    const { responseUrlId } = await bot.click(
      PEOPLE.oncall.userId,
      CHANNELS.prod,
      PAGE_RESOLVE_ACTION,
      resolve.value,
      asMessage(onPage),
    );

    // THEN
    await bot.recorder.waitFor(
      () => bot.recorder.responsesTo(responseUrlId).length === 1,
      3000,
      'the update',
    );
    const update = bot.recorder.responsesTo(responseUrlId)[0]!;
    expect(update).toMatchObject({ replace_original: true });
    expect(messageText(update)).toContain(':rotating_light: *Paged prod*: disk full');
    expect(messageText(update)).toContain(':white_check_mark: *Resolved*: the page of *prod* is closed.');
    expect(buttonsOf(update)).toEqual([]);
    expect(pd.incidents.get(dedupKey)?.status).toBe('resolved');
  });

  it('refuses a click by someone who may not page, answering them alone and leaving the page as it was', async () => {
    // GIVEN
    const paged = await bot.command(PEOPLE.oncall.userId, CHANNELS.prod, 'page', 'prod latency spike');
    const acknowledge = buttonsOf(paged.ack.body).find((b) => b.action_id === PAGE_ACKNOWLEDGE_ACTION)!;
    const dedupKey = acknowledge.value.split(' ')[1]!;
    const eventsBefore = pd.events().length;

    // WHEN
    const { responseUrlId } = await bot.click(
      PEOPLE.outsider.userId,
      CHANNELS.prod,
      PAGE_ACKNOWLEDGE_ACTION,
      acknowledge.value,
      asMessage(paged.ack.body),
    );

    // THEN
    await bot.recorder.waitFor(
      () => bot.recorder.responsesTo(responseUrlId).length === 1,
      3000,
      'the refusal',
    );
    const answer = bot.recorder.responsesTo(responseUrlId)[0]!;
    expect(answer).toMatchObject({ replace_original: false, response_type: 'ephemeral' });
    expect(messageText(answer)).toContain('You may not run /page in prod.');
    expect(pd.incidents.get(dedupKey)?.status).toBe('triggered');
    expect(pd.events()).toHaveLength(eventsBefore);
  });

  it('refuses /page to someone who may not page, and sends nothing', async () => {
    // WHEN
    const { ack } = await bot.command(PEOPLE.outsider.userId, CHANNELS.prod, 'page', 'prod it is down');

    // THEN
    const shown = messageText(ack.body);
    expect(shown).toContain('You may not run /page in prod.');
    expect(shown).toContain('It is for developers, platform or oncall: ask one of them.');
    expect(pd.events().filter((e) => JSON.stringify(e.body).includes('it is down'))).toHaveLength(0);
  });

  it('says how to enable paging for an environment that has PagerDuty off', async () => {
    // WHEN
    const { ack } = await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'page', 'dev the api is down');

    // THEN
    const shown = messageText(ack.body);
    expect(shown).toContain('PagerDuty is not enabled for dev: cannot page dev.');
    expect(shown).toContain('Set pagerduty.enabled: true and pagerduty.serviceId for dev in wheelhouse.yml');
    expect(pd.events().filter((e) => JSON.stringify(e.body).includes('the api is down'))).toHaveLength(0);
  });

  it('says that the routing key is wrong when PagerDuty rejects it, without showing it', async () => {
    // GIVEN
    routingKey = 'ffffffffffffffffffffffffffffffff';

    // WHEN
    const { ack } = await bot.command(PEOPLE.oncall.userId, CHANNELS.prod, 'page', 'prod wrong key');

    // THEN
    const shown = messageText(ack.body);
    expect(shown).toContain('PagerDuty rejected the request: cannot page prod.');
    expect(shown).toContain(`Check the routing key (the secret ${SECRET_NAME} in eu-west-1)`);
    expect(everythingSaid(bot, ack.body)).not.toContain(routingKey);
  });

  it('says what to create when the routing key secret does not exist', async () => {
    // GIVEN
    secrets.reset();
    secrets.on(GetSecretValueCommand).rejects(
      new ResourceNotFoundException({
        $metadata: {},
        message: "Secrets Manager can't find the specified secret.",
      }),
    );

    // WHEN
    const { ack } = await bot.command(PEOPLE.oncall.userId, CHANNELS.prod, 'page', 'prod no secret');

    // THEN
    const shown = messageText(ack.body);
    expect(shown).toContain(`The secret \`${SECRET_NAME}\` does not exist in eu-west-1: cannot page prod.`);
    expect(shown).toContain('Create it in Secrets Manager (eu-west-1)');
  });

  it('retries a page that PagerDuty answers 5xx, then says it is failing', async () => {
    // GIVEN
    pd.http.failNext(3, 502, { status: 'error', message: 'Bad Gateway' });

    // WHEN
    const { ack, responseUrlId } = await bot.command(
      PEOPLE.oncall.userId,
      CHANNELS.prod,
      'page',
      'prod failing',
    );

    // THEN
    expect(messageText(ack.body)).toContain('Working on `/page prod`');
    await bot.recorder.waitFor(() => bot.recorder.responsesTo(responseUrlId).length === 1, 5000, 'the reply');
    const shown = messageText(bot.recorder.responsesTo(responseUrlId)[0]);
    expect(shown).toContain('PagerDuty is failing (502): cannot page prod.');
    expect(shown).toContain('page from the PagerDuty app or by phone');
  });

  it('says that PagerDuty did not answer in time, without retrying', async () => {
    // GIVEN
    const slow = await startTestBot({
      config,
      now: () => NOW,
      pagerDuty: new PagerDutyConnection({ ...pd.env(), PAGERDUTY_TIMEOUT_MS: '200' }),
    });
    slow.recorder.setGroupMembers('S0ONCALL001', [PEOPLE.oncall.userId]);
    pd.http.delayNext(1, 500);
    const before = pd.events().length;
    try {
      // WHEN
      const { ack } = await slow.command(PEOPLE.oncall.userId, CHANNELS.prod, 'page', 'prod slow pagerduty');

      // THEN
      expect(messageText(ack.body)).toContain('PagerDuty did not answer in time: cannot page prod.');
      expect(pd.events().length - before).toBe(1);
    } finally {
      await slow.stop();
    }
  });

  it.each([
    ['no environment', '', 'Which environment? Name one of: dev, stage, prod.'],
    ['no summary', 'prod', 'Say what is wrong after prod.'],
    ['a summary first', 'the site is down', 'Name the environment first: there is no environment "the"'],
    ['a summary PagerDuty would cut', `prod ${'x'.repeat(1100)}`, 'The summary is 1100 characters'],
  ])('answers %s with the usage', async (_name, text, message) => {
    const { ack } = await bot.command(PEOPLE.oncall.userId, CHANNELS.free, 'page', text);
    const shown = messageText(ack.body);
    expect(shown).toContain(message);
    expect(shown).toContain('Usage: `/page <env> <summary>`');
  });

  it('keeps a secret pasted in a summary out of the audit log', async () => {
    // WHEN
    await bot.command(
      PEOPLE.oncall.userId,
      CHANNELS.prod,
      'page',
      'prod leaked password=hunter2hunter2 in logs',
    );

    // THEN
    expect(JSON.stringify(bot.logs)).not.toContain('hunter2hunter2');
  });
});

describe('/page without AWS credentials', () => {
  let pd: PagerDutyFake;
  beforeAll(async () => {
    pd = await PagerDutyFake.start();
  });
  afterAll(() => pd.close());

  it('shows the event it would send, with the routing key redacted, and sends nothing', async () => {
    // GIVEN
    const bot = await startTestBot({
      config,
      now: () => NOW,
      aws: new AwsClients({ credentials: noCredentials, endpoint: UNREACHABLE_AWS_ENDPOINT }),
      pagerDuty: new PagerDutyConnection(pd.env()),
    });
    try {
      // WHEN
      const { ack } = await bot.command(
        PEOPLE.platform.userId,
        CHANNELS.prod,
        'page',
        'prod database is down',
      );

      // THEN
      const shown = messageText(ack.body);
      expect(ack.body).toMatchObject({ response_type: 'ephemeral' });
      expect(shown).toContain('Plan only: no AWS credentials, nothing was changed.');
      expect(shown).toContain(`secretsmanager:GetSecretValue ${SECRET_NAME}`);
      expect(shown).toContain(`POST ${pd.url}/v2/enqueue`);
      expect(shown).toContain('"routing_key":"[redacted]"');
      expect(shown).toContain('"event_action":"trigger"');
      expect(shown).toContain('"summary":"database is down"');
      expect(shown).toMatch(/"dedup_key":"wheelhouse-prod\/[0-9a-f-]{36}"/);
      expect(pd.events()).toHaveLength(0);
    } finally {
      await bot.stop();
    }
  });

  it('pages with the PAGERDUTY_ROUTING_KEY_<ENV> override, which needs no AWS, and never shows it', async () => {
    // GIVEN
    const routingKey = pd.newRoutingKey();
    const bot = await startTestBot({
      config,
      now: () => NOW,
      aws: new AwsClients({ credentials: noCredentials, endpoint: UNREACHABLE_AWS_ENDPOINT }),
      pagerDuty: new PagerDutyConnection({ ...pd.env(), PAGERDUTY_ROUTING_KEY_PROD: routingKey }),
    });
    try {
      // WHEN
      const { ack } = await bot.command(PEOPLE.platform.userId, CHANNELS.prod, 'page', 'prod from the shell');
      const dedupKey = buttonsOf(ack.body)[0]!.value.split(' ')[1]!;
      const { responseUrlId } = await bot.click(
        PEOPLE.platform.userId,
        CHANNELS.prod,
        PAGE_RESOLVE_ACTION,
        `prod ${dedupKey}`,
      );
      await bot.recorder.waitFor(
        () => bot.recorder.responsesTo(responseUrlId).length === 1,
        3000,
        'the update',
      );

      // THEN
      expect(messageText(ack.body)).toContain('*Paged prod*: from the shell');
      expect(pd.incidents.get(dedupKey)).toMatchObject({ status: 'resolved', routingKey });
      expect(everythingSaid(bot, ack.body, bot.recorder.responsesTo(responseUrlId))).not.toContain(
        routingKey,
      );
    } finally {
      await bot.stop();
    }
  });
});
