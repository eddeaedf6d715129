import { DescribeScalableTargetsCommand } from '@aws-sdk/client-application-auto-scaling';
import { ECSClient } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { deployStateTableName } from '../../../config';
import { AwsClients } from '../../../ops/aws-clients';
import {
  exampleStackOutputs,
  fakeRunningService,
  fakeStacks,
  noCredentials,
  TEST_CREDENTIALS,
  UNREACHABLE_AWS_ENDPOINT,
} from '../../support/aws-fakes';
import { startDynalite } from '../../support/dynalite';
import { messageText, startTestBot, type TestBot } from '../../support/slack-bot-harness';
import { CHANNELS, PEOPLE, testConfig } from '../fixtures/test-config';

const config = testConfig();
const dev = config.environments.find((e) => e.name === 'dev')!;

describe('/status', () => {
  let bot: TestBot;
  let mocks: { restore(): void }[] = [];
  beforeAll(async () => {
    bot = await startTestBot({ config });
  });
  afterEach(() => {
    for (const m of mocks) m.restore();
    mocks = [];
  });
  afterAll(() => bot.stop());

  it('shows the service, its rollout and version, autoscaling, the database and recent deployments', async () => {
    // GIVEN
    const service = fakeRunningService({ running: 2, version: 'v1.4.2' });
    mocks.push(
      fakeStacks({ 'wheelhouse-dev': exampleStackOutputs(dev) }),
      service.ecs,
      service.scaling,
      service.rds,
    );

    // WHEN
    const { ack } = await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'status', 'dev');

    // THEN
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ response_type: 'in_channel' });
    const shown = messageText(ack.body);
    expect(shown).toContain('dev · wheelhouse-dev');
    expect(shown).toContain('2 running / 2 desired / 0 pending');
    expect(shown).toContain('COMPLETED');
    expect(shown).toContain('`v1.4.2`');
    expect(shown).toContain('1–4 tasks');
    expect(shown).toContain('wheelhouse-dev-db (available)');
    expect(shown).toContain('0.5–2 ACU');
    expect(shown).toContain('wheelhouse-dev-db-reader1');
    expect(shown).toContain('ROLLBACK_SUCCESSFUL (circuit breaker: tasks failed to start)');
    expect(
      service.ecs.commandCalls((await import('@aws-sdk/client-ecs')).DescribeServicesCommand)[0]!.args[0]
        .input,
    ).toEqual({ cluster: 'wheelhouse-dev', services: ['wheelhouse-dev-service'] });
  });

  it('takes the environment from a channel bound to one', async () => {
    // GIVEN
    const service = fakeRunningService();
    mocks.push(
      fakeStacks({ 'wheelhouse-dev': exampleStackOutputs(dev) }),
      service.ecs,
      service.scaling,
      service.rds,
    );

    // WHEN
    const { ack } = await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'status', '');

    // THEN
    expect(messageText(ack.body)).toContain('dev · wheelhouse-dev');
  });

  it('says which stack is missing when the environment is not deployed', async () => {
    // GIVEN
    mocks.push(fakeStacks({}));

    // WHEN
    const { ack } = await bot.command(PEOPLE.developer.userId, CHANNELS.stage, 'status', 'stage');

    // THEN
    expect(ack.body).toMatchObject({ response_type: 'ephemeral' });
    expect(messageText(ack.body)).toContain(
      'Stack wheelhouse-stage does not exist in 333333333333/eu-west-1.',
    );
  });

  it('turns an unexpected AWS failure into a short reply with a correlation id', async () => {
    // GIVEN
    mocks.push(fakeStacks({ 'wheelhouse-dev': exampleStackOutputs(dev) }));
    const ecs = mockClient(ECSClient);
    ecs.onAnyCommand().rejects(new Error('socket hang up'));
    mocks.push(ecs);

    // WHEN
    const { ack } = await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'status', 'dev');

    // THEN
    const shown = messageText(ack.body);
    expect(shown).toMatch(/Something went wrong on our side\. The error is logged with id `wh-[0-9a-z]{12}`/);
    expect(shown).not.toContain('socket hang up');
  });
});

describe('/status without AWS credentials', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot({
      config,
      aws: new AwsClients({ credentials: noCredentials, endpoint: UNREACHABLE_AWS_ENDPOINT }),
    });
  });
  afterAll(() => bot.stop());

  it('says clearly that credentials are missing and how to provide them', async () => {
    // WHEN
    const { ack } = await bot.command(PEOPLE.platform.userId, CHANNELS.dev, 'status', 'dev');

    // THEN
    const shown = messageText(ack.body);
    expect(shown).toContain('AWS credentials are missing: cannot read the outputs of stack wheelhouse-dev.');
    expect(shown).toContain('Set AWS_PROFILE');
  });
});

describe('/status with a deploy lock and bounds changed by /scale', () => {
  it('shows who holds the lock, and when the live bounds differ from the stack', async () => {
    // GIVEN dev locked by a developer, and live bounds 2–6 where the stack configures 1–4
    const dynalite = await startDynalite();
    await dynalite.createDeployStateTable(deployStateTableName(dev));
    const service = fakeRunningService();
    service.scaling.reset();
    service.scaling
      .on(DescribeScalableTargetsCommand)
      .resolves({ ScalableTargets: [{ MinCapacity: 2, MaxCapacity: 6 } as never] });
    const mocks = [
      fakeStacks({ 'wheelhouse-dev': exampleStackOutputs(dev) }),
      service.ecs,
      service.scaling,
      service.rds,
    ];
    const bot = await startTestBot({
      config,
      aws: new AwsClients({ credentials: TEST_CREDENTIALS, maxAttempts: 1, endpoint: dynalite.endpoint }),
    });
    try {
      bot.recorder.setGroupMembers('S0DEVELOPER', [PEOPLE.developer.userId]);
      await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'lock', 'dev load test until 16:00');

      // WHEN
      const { ack } = await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'status', 'dev');

      // THEN
      const shown = messageText(ack.body);
      expect(shown).toContain(`*Deploy lock*\n:lock: <@${PEOPLE.developer.userId}> since`);
      expect(shown).toContain(': load test until 16:00');
      expect(shown).toContain('2–6 tasks :warning: the stack configures 1–4');
    } finally {
      await bot.stop();
      for (const m of mocks) m.restore();
      await dynalite.close();
    }
  });
});
