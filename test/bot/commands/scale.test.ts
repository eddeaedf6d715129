import { RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { APPROVAL_APPROVE_ACTION } from '../../../bot/commands/approval-buttons';
import { deployStateTableName } from '../../../config';
import { AwsClients } from '../../../ops/aws-clients';
import {
  exampleStackOutputs,
  fakeStacks,
  noCredentials,
  TEST_CREDENTIALS,
  UNREACHABLE_AWS_ENDPOINT,
} from '../../support/aws-fakes';
import { FakeServiceWorld } from '../../support/deploy-fakes';
import { type RunningDynalite, startDynalite } from '../../support/dynalite';
import { finalMessage } from '../../support/progress-threads';
import { messageText, startTestBot, type TestBot } from '../../support/slack-bot-harness';
import { CHANNELS, PEOPLE, testConfig } from '../fixtures/test-config';

const config = testConfig();
const NOW = new Date('2026-11-25T12:00:00Z');

describe('/scale', () => {
  let dynalite: RunningDynalite;
  let service: FakeServiceWorld;
  let cfn: { restore(): void };
  let bot: TestBot;
  beforeEach(async () => {
    dynalite = await startDynalite();
    for (const env of config.environments) await dynalite.createDeployStateTable(deployStateTableName(env));
    service = new FakeServiceWorld('v1.4.2', 2);
    cfn = fakeStacks(
      Object.fromEntries(config.environments.map((e) => [e.stackName, exampleStackOutputs(e)])),
    );
    bot = await startTestBot({
      config,
      now: () => NOW,
      aws: new AwsClients({
        credentials: TEST_CREDENTIALS,
        maxAttempts: 1,
        endpoint: dynalite.endpoint,
        watch: { pollIntervalMs: 10, scaleDeadlineMs: 300 },
      }),
    });
    bot.recorder.setGroupMembers('S0DEVELOPER', [PEOPLE.developer.userId]);
    bot.recorder.setGroupMembers('S0PLATFORM1', []);
    bot.recorder.setGroupMembers('S0ONCALL001', [PEOPLE.oncall.userId]);
  });
  afterEach(async () => {
    await bot.stop();
    service.restore();
    cfn.restore();
    await dynalite.close();
  });

  it('sets a count within the bounds, replies with before and after, and watches until it runs', async () => {
    // WHEN
    const { ack } = await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'scale', 'dev 4');

    // THEN
    expect(ack.body).toMatchObject({ response_type: 'in_channel' });
    const shown = messageText(ack.body);
    expect(shown).toContain('scaled *dev* to 4 tasks.');
    expect(shown).toContain('*Before*\n2 running / 2 desired / 0 pending · bounds 1–4');
    expect(shown).toMatch(/\*After\*\n\d running \/ 4 desired/);
    expect(service.ecs.commandCalls(UpdateServiceCommand)[0]!.args[0].input).toEqual({
      cluster: 'wheelhouse-dev',
      service: 'wheelhouse-dev-service',
      desiredCount: 4,
    });
    expect(await finalMessage(bot, /dev\*: 4 running \/ 4 desired/)).toContain(':white_check_mark:');
  });

  it('sets new autoscaling bounds', async () => {
    // WHEN
    const { ack } = await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'scale', 'dev 2-6');

    // THEN
    expect(messageText(ack.body)).toContain('*After*\n');
    expect(messageText(ack.body)).toContain('bounds 2–6');
    expect(service.scaling.commandCalls(RegisterScalableTargetCommand)[0]!.args[0].input).toEqual({
      ServiceNamespace: 'ecs',
      ResourceId: 'service/wheelhouse-dev/wheelhouse-dev-service',
      ScalableDimension: 'ecs:service:DesiredCount',
      MinCapacity: 2,
      MaxCapacity: 6,
    });
    await finalMessage(bot, /as desired/);
  });

  it.each([
    ['a count beyond the hard limit', 'dev 9', '9 tasks is beyond the hard limit of dev (8).'],
    ['bounds beyond the hard limit', 'dev 1-9', '9 tasks is beyond the hard limit of dev (8).'],
    ['a count outside the live bounds', 'dev 6', '6 tasks is outside the autoscaling bounds of dev (1–4)'],
    ['inverted bounds', 'dev 5-2', 'The minimum (5) is above the maximum (2).'],
    ['no count', 'dev', 'Say how many tasks, or new bounds.'],
    ['a word', 'dev lots', '"lots" is neither a count nor <min>-<max>.'],
  ])('refuses %s', async (_name, text, message) => {
    // WHEN
    const { ack } = await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'scale', text);

    // THEN
    expect(messageText(ack.body)).toContain(message);
    expect(service.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect(service.scaling.commandCalls(RegisterScalableTargetCommand)).toHaveLength(0);
  });

  it('needs an approval above the threshold in a protected environment, then scales', async () => {
    // GIVEN prod's live bounds allow 16
    service.bounds = { min: 3, max: 24 };

    // WHEN
    const { ack } = await bot.command(PEOPLE.oncall.userId, CHANNELS.prod, 'scale', 'prod 16');

    // THEN nothing changes until an approver approves
    expect(messageText(ack.body)).toContain('asks to scale *prod* to 16 tasks (above 12).');
    expect(service.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    const value = (ack.body as { blocks: { elements?: { action_id: string; value: string }[] }[] }).blocks
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === APPROVAL_APPROVE_ACTION)!.value;
    const { responseUrlId } = await bot.click(
      PEOPLE.platform.userId,
      CHANNELS.prod,
      APPROVAL_APPROVE_ACTION,
      value,
    );
    await bot.recorder.waitFor(
      () => bot.recorder.responsesTo(responseUrlId).length > 0,
      5000,
      'the click reply',
    );
    expect(messageText(bot.recorder.responsesTo(responseUrlId)[0])).toContain(
      `Approved by <@${PEOPLE.platform.userId}>: scale to 16 tasks in *prod*.`,
    );
    expect(service.ecs.commandCalls(UpdateServiceCommand)[0]!.args[0].input).toMatchObject({
      desiredCount: 16,
    });
    await finalMessage(bot, /16 running \/ 16 desired/);
  });

  it('scales a protected environment at or below the threshold without an approval', async () => {
    service.bounds = { min: 3, max: 24 };
    const { ack } = await bot.command(PEOPLE.oncall.userId, CHANNELS.prod, 'scale', 'prod 12');
    expect(messageText(ack.body)).toContain('scaled *prod* to 12 tasks.');
    await finalMessage(bot, /12 running \/ 12 desired|deadline passed/);
  });

  /** The value of the Approve button in a reply, or undefined when it has none. */
  function approveValue(body: unknown): string | undefined {
    return (body as { blocks?: { elements?: { action_id: string; value: string }[] }[] }).blocks
      ?.flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === APPROVAL_APPROVE_ACTION)?.value;
  }

  it.each([
    ['prod', CHANNELS.prod, PEOPLE.oncall.userId, 'prod 0-0'],
    ['prod', CHANNELS.prod, PEOPLE.oncall.userId, 'prod 0'],
    ['dev, which is not protected', CHANNELS.dev, PEOPLE.developer.userId, 'dev 0-0'],
  ])(
    'refuses to scale %s to zero without --to-zero, and names the flag',
    async (_env, channel, userId, text) => {
      // WHEN someone allowed to scale there asks for no task at all, without the explicit words
      const { ack } = await bot.command(userId, channel, 'scale', text);

      // THEN it is refused with the flag to say it, and nothing changes
      const shown = messageText(ack.body);
      expect(shown).toContain('the service would be down');
      expect(shown).toContain(`If that is meant, say so: /scale ${text} --to-zero.`);
      expect(approveValue(ack.body)).toBeUndefined();
      expect(service.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
      expect(service.scaling.commandCalls(RegisterScalableTargetCommand)).toHaveLength(0);
    },
  );

  it('asks for an approval to scale prod to zero with --to-zero, and scales once approved', async () => {
    // WHEN
    const { ack } = await bot.command(PEOPLE.oncall.userId, CHANNELS.prod, 'scale', 'prod 0-0 --to-zero');

    // THEN 0 is below prod's tasks.min (3): an approver must approve first
    expect(messageText(ack.body)).toContain(
      'asks to scale *prod* to bounds 0–0 tasks (below the minimum of 3)',
    );
    expect(service.scaling.commandCalls(RegisterScalableTargetCommand)).toHaveLength(0);
    const { responseUrlId } = await bot.click(
      PEOPLE.platform.userId,
      CHANNELS.prod,
      APPROVAL_APPROVE_ACTION,
      approveValue(ack.body)!,
    );
    await bot.recorder.waitFor(
      () => bot.recorder.responsesTo(responseUrlId).length > 0,
      5000,
      'the click reply',
    );
    expect(messageText(bot.recorder.responsesTo(responseUrlId)[0])).toContain(
      `Approved by <@${PEOPLE.platform.userId}>: scale to bounds 0–0 tasks in *prod*.`,
    );
    expect(service.scaling.commandCalls(RegisterScalableTargetCommand)[0]!.args[0].input).toMatchObject({
      MinCapacity: 0,
      MaxCapacity: 0,
    });
    await finalMessage(bot, /prod\*: 0 running \/ 0 desired|deadline passed/);
  });

  it.each([
    ['bounds', 'prod 1-1', 'bounds 1–1 tasks'],
    ['a count', 'prod 2', '2 tasks'],
  ])(
    'needs an approval for %s below tasks.min in a protected environment',
    async (_what, text, described) => {
      // GIVEN prod's live bounds let the count through (prod's tasks.min is 3)
      service.bounds = { min: 1, max: 12 };

      // WHEN
      const { ack } = await bot.command(PEOPLE.oncall.userId, CHANNELS.prod, 'scale', text);

      // THEN nothing changes until an approver approves
      expect(messageText(ack.body)).toContain(
        `asks to scale *prod* to ${described} (below the minimum of 3).`,
      );
      expect(approveValue(ack.body)).toBeDefined();
      expect(service.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
      expect(service.scaling.commandCalls(RegisterScalableTargetCommand)).toHaveLength(0);
    },
  );

  it('says when the running count did not match by the deadline', async () => {
    // GIVEN tasks that never start
    service.stuck = true;

    // WHEN
    await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'scale', 'dev 3');

    // THEN
    expect(await finalMessage(bot, /the deadline passed/)).toContain(
      'the deadline passed with 2 running / 3 desired / 1 pending',
    );
  });
});

describe('/scale without AWS credentials', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot({
      config,
      aws: new AwsClients({ credentials: noCredentials, endpoint: UNREACHABLE_AWS_ENDPOINT }),
    });
    bot.recorder.setGroupMembers('S0DEVELOPER', [PEOPLE.developer.userId]);
  });
  afterAll(() => bot.stop());

  it('shows the calls it would make', async () => {
    const { ack } = await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'scale', 'dev 3');
    const shown = messageText(ack.body);
    expect(shown).toContain('Plan only: no AWS credentials, nothing was changed.');
    expect(shown).toContain('ecs:UpdateService <ClusterName>/<ServiceName>\n   desiredCount=3');
    expect(shown).toContain(
      'application-autoscaling:DescribeScalableTargets service/<ClusterName>/<ServiceName>',
    );
  });
});
