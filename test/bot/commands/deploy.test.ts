import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { APPROVAL_APPROVE_ACTION, APPROVAL_REJECT_ACTION } from '../../../bot/commands/approval-buttons';
import type { Config, EnvironmentConfig } from '../../../config';
import { AwsClients } from '../../../ops/aws-clients';
import { DeployStateStore } from '../../../ops/deploy/deploy-state';
import { noCredentials, UNREACHABLE_AWS_ENDPOINT } from '../../support/aws-fakes';
import { DatadogFake } from '../../support/datadog-fake';
import { ACCESS_DENIED_REASON, CIRCUIT_BREAKER_REASON } from '../../support/deploy-fakes';
import {
  BRANCH_ONLY_TAG,
  type DeployWorld,
  frozenAllWeek,
  startDeployWorld,
} from '../../support/deploy-world';
import { type LbHealthServers, startLbHealthServers } from '../../support/lb-health-servers';
import { finalMessage, threadTexts } from '../../support/progress-threads';
import { messageText, startTestBot, type TestBot } from '../../support/slack-bot-harness';
import { CHANNELS, PEOPLE, testConfig } from '../fixtures/test-config';

const baseConfig = testConfig();
/** A Wednesday, 13:00 in Berlin: no freeze window. */
const WEDNESDAY = new Date('2026-11-25T12:00:00Z');
/** A Friday, 16:30 in Berlin: inside prod's "no prod deploys on Friday afternoon". */
const FRIDAY_AFTERNOON = new Date('2026-11-27T15:30:00Z');
const SECOND_APPROVER = 'U0PLATFORM2';

/** The repositories the image checks asked ECR about, in order. */
function describedRepositories(world: DeployWorld): (string | undefined)[] {
  return world.ecr.commandCalls(DescribeImagesCommand).map((call) => call.args[0].input.repositoryName);
}

function environment(config: Config, name: string): EnvironmentConfig {
  return config.environments.find((e) => e.name === name)!;
}

/** Everything one test deploys against: one AWS world shared by every bot instance. */
interface World extends DeployWorld {
  now: Date;
  bot(config?: Config): Promise<TestBot>;
}

/** The shared deploy world, plus bots on it that know the test's people. */
async function startWorld(health: LbHealthServers, config: Config = baseConfig): Promise<World> {
  const base = await startDeployWorld(config, health);
  const bots: TestBot[] = [];
  const world: World = {
    ...base,
    now: WEDNESDAY,
    async bot(botConfig = config) {
      const bot = await startTestBot({ config: botConfig, aws: world.aws(), now: () => world.now });
      for (const group of ['S0PLATFORM1', 'S0DEVELOPER', 'S0ONCALL001'])
        bot.recorder.setGroupMembers(group, []);
      bot.recorder.setGroupMembers('S0DEVELOPER', [PEOPLE.developer.userId]);
      bots.push(bot);
      return bot;
    },
    async close() {
      for (const bot of bots) await bot.stop();
      await base.close();
    },
  };
  return world;
}

/** Clicks and waits for the click's reply. */
async function click(
  bot: TestBot,
  userId: string,
  actionId: string,
  value: string,
): Promise<Record<string, unknown>> {
  const { responseUrlId } = await bot.click(userId, CHANNELS.prod, actionId, value);
  await bot.recorder.waitFor(
    () => bot.recorder.responsesTo(responseUrlId).length > 0,
    10_000,
    'the click reply',
  );
  return bot.recorder.responsesTo(responseUrlId)[0]!;
}

/** The value of the Approve button in a reply. */
function approveValue(body: unknown): string {
  const blocks = (body as { blocks: { type: string; elements?: { action_id: string; value: string }[] }[] })
    .blocks;
  const button = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === APPROVAL_APPROVE_ACTION);
  if (!button) throw new Error(`no Approve button in ${JSON.stringify(body)}`);
  return button.value;
}

describe('/deploy', () => {
  let health: LbHealthServers;
  let world: World;
  const savedEnv = { ...process.env };
  beforeAll(async () => {
    health = await startLbHealthServers();
  });
  beforeEach(async () => {
    // The Datadog guard is a no-op unless a test gives it keys.
    for (const key of ['DD_API_KEY', 'DD_APP_KEY', 'DATADOG_API_URL']) delete process.env[key];
    world = await startWorld(health);
  });
  afterEach(async () => {
    health.setHealthy(true);
    await world.close();
    process.env = { ...savedEnv };
  });
  afterAll(() => health.close());

  it('deploys a version, reports stack events, tasks and health in the thread, and records it', async () => {
    // GIVEN
    const bot = await world.bot();

    // WHEN
    const { ack } = await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'deploy', 'dev v1.5.0');

    // THEN the person is pointed at the thread, which ends with the outcome
    expect(messageText(ack.body)).toContain('Deploying v1.5.0 in dev: follow the thread.');
    const final = await finalMessage(bot, /Deployed v1\.5\.0 to dev in \d+s\./);
    expect(final).toContain('`v1.4.2`');
    expect(final).toMatch(/HTTP GET http:\/\/127\.0\.0\.1:\d+\/healthz: 200/);
    expect(final).toMatch(/GRPC grpc\.health\.v1\.Health\/Check 127\.0\.0\.1:\d+: SERVING/);
    const progress = threadTexts(bot).join('\n');
    expect(progress).toContain('ServiceFargateService (AWS::ECS::Service) UPDATE_IN_PROGRESS');
    expect(progress).toMatch(/\d running, \d pending of 2; \d draining · IN_PROGRESS/);
    const parent = bot.recorder.callsOf('chat.postMessage')[0]!;
    expect(messageText(parent.args)).toContain(`Deploying \`v1.5.0\` to dev (<@${PEOPLE.developer.userId}>)`);
    // AND the stack was deployed once with ImageTag=v1.5.0, and the service runs it
    expect(world.deployer.calls.map((c) => c.version)).toEqual(['v1.5.0']);
    expect(world.service.version).toBe('v1.5.0');
    // AND the lock is free again and the history has it
    const store = new DeployStateStore(world.aws(), environment(baseConfig, 'dev'));
    expect(await store.readLock(world.now)).toBeNull();
    const history = await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'deploy', 'history dev');
    expect(messageText(history.ack.body)).toContain(
      `\`v1.5.0\` · deploy by <@${PEOPLE.developer.userId}> · succeeded`,
    );
  });

  it('reports a rollout that the ECS circuit breaker failed and rolled back', async () => {
    // GIVEN
    const bot = await world.bot();
    world.deployer.mode = 'circuit-breaker';

    // WHEN
    await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'deploy', 'dev v1.5.0');

    // THEN
    const final = await finalMessage(bot, /The deploy of v1\.5\.0 to dev failed after/);
    expect(final).toContain(CIRCUIT_BREAKER_REASON);
    expect(final).toContain('by the ECS deployment circuit breaker, to `v1.4.2`');
    expect(threadTexts(bot).join('\n')).toContain('3 failed');
    expect(world.service.version).toBe('v1.4.2');
    const history = await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'deploy', 'history dev');
    expect(messageText(history.ack.body)).toContain('`v1.5.0` · deploy by');
    expect(messageText(history.ack.body)).toContain('rolled-back (ECS deployment circuit breaker');
  });

  it('reports a deploy that failed before any change to the stack as such, not as a rollback', async () => {
    // GIVEN CloudFormation refuses the change set
    const bot = await world.bot();
    world.deployer.mode = 'access-denied';

    // WHEN
    await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'deploy', 'dev v1.5.0');

    // THEN the thread says what happened, with CloudFormation's reason, and what still runs
    const final = await finalMessage(
      bot,
      /The deploy of v1\.5\.0 to dev failed before any change to the stack, after \d+s: /,
    );
    expect(final).toContain('is not authorized to perform: cloudformation:CreateChangeSet');
    expect(final).toContain('Nothing was deployed and nothing rolled back');
    expect(final).toContain('so dev still runs `v1.4.2`');
    expect(final).toContain('failed-before-change');
    expect(final).not.toContain('Rolled back');
    expect(world.service.version).toBe('v1.4.2');
    const history = await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'deploy', 'history dev');
    expect(messageText(history.ack.body)).toMatch(
      /:no_entry_sign: .* · `v1\.5\.0` · deploy by <@\w+> · failed-before-change \(wheelhouse-dev failed: AccessDenied: /,
    );
    expect(final).toContain(ACCESS_DENIED_REASON.slice(0, 60));
  });

  it('refuses a version that is not in the registry, naming the closest tags', async () => {
    // GIVEN
    const bot = await world.bot();

    // WHEN
    const { ack } = await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'deploy', 'dev v1.5');

    // THEN
    expect(messageText(ack.body)).toContain('There is no image `v1.5` in wheelhouse/service-branches.');
    expect(messageText(ack.body)).toContain('Closest tags: `v1.5.0`, `v1.5.1`, `v1.4.2`.');
    expect(world.deployer.calls).toHaveLength(0);
  });

  it.each([
    ['stage', CHANNELS.stage],
    ['prod', CHANNELS.prod],
  ])(
    "refuses a branch's image for %s: it asks the release repository, where no branch can push",
    async (env, channel) => {
      // GIVEN an image that a branch pushed: in the branch repository only
      const bot = await world.bot();

      // WHEN
      const { ack } = await bot.command(
        PEOPLE.platform.userId,
        channel,
        'deploy',
        `${env} ${BRANCH_ONLY_TAG}`,
      );

      // THEN
      expect(messageText(ack.body)).toContain(
        `There is no image \`${BRANCH_ONLY_TAG}\` in wheelhouse/service.`,
      );
      expect(describedRepositories(world)).toEqual(['wheelhouse/service']);
      expect(world.deployer.calls).toHaveLength(0);
    },
  );

  it("deploys a branch's image to dev, found in dev's repository, the branch repository", async () => {
    // GIVEN
    const bot = await world.bot();

    // WHEN
    await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'deploy', `dev ${BRANCH_ONLY_TAG}`);

    // THEN
    await finalMessage(
      bot,
      new RegExp(`Deployed ${BRANCH_ONLY_TAG.replaceAll('.', '\\.')} to dev in \\d+s\\.`),
    );
    expect(describedRepositories(world)).toEqual(['wheelhouse/service-branches']);
    expect(world.deployer.calls.map((c) => c.version)).toEqual([BRANCH_ONLY_TAG]);
  });

  it('refuses to deploy while someone else holds the lock, and says who and why', async () => {
    // GIVEN
    const bot = await world.bot();
    const locked = await bot.command(
      PEOPLE.developer.userId,
      CHANNELS.dev,
      'lock',
      'dev migrating the database',
    );
    expect(messageText(locked.ack.body)).toContain('locked *dev*: migrating the database');

    // WHEN
    const { ack } = await bot.command(PEOPLE.platform.userId, CHANNELS.dev, 'deploy', 'dev v1.5.0');

    // THEN
    expect(messageText(ack.body)).toContain(
      `dev is locked by <@${PEOPLE.developer.userId}> since 2026-11-25 13:00 CET: migrating the database.`,
    );
    expect(world.deployer.calls).toHaveLength(0);
  });

  it.each([
    ['its holder', PEOPLE.developer.userId, 'released their lock on *dev* (testing).'],
    ['an admin', PEOPLE.platform.userId, `released <@${PEOPLE.developer.userId}>'s lock on *dev* (testing).`],
    ['someone else', 'U0DEVELOP02', 'only they or an admin may unlock it'],
  ])('lets %s unlock', async (_who, userId, message) => {
    // GIVEN
    const bot = await world.bot();
    bot.recorder.setGroupMembers('S0DEVELOPER', [PEOPLE.developer.userId, 'U0DEVELOP02']);
    await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'lock', 'dev testing');

    // WHEN
    const { ack } = await bot.command(userId, CHANNELS.dev, 'unlock', 'dev');

    // THEN
    expect(messageText(ack.body)).toContain(message);
  });

  it('refuses a stale lock past its time-to-live (a wall clock decides nothing), says so, and deploys once an admin force-released it', async () => {
    // GIVEN a lock taken two hours ago by a deploy that crashed (TTL 60 minutes)
    const bot = await world.bot();
    const store = new DeployStateStore(world.aws(), environment(baseConfig, 'dev'));
    await store.acquireLock(
      { owner: 'U0CRASHED01', ownerName: 'crashed-bot', reason: 'deploy v1.4.9' },
      'deploy',
      new Date(WEDNESDAY.getTime() - 2 * 3600_000),
    );

    // WHEN
    const refused = await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'deploy', 'dev v1.5.0');

    // THEN
    expect(messageText(refused.ack.body)).toContain(
      'dev is locked by <@U0CRASHED01> since 2026-11-25 11:00 CET: deploy v1.4.9.',
    );
    expect(messageText(refused.ack.body)).toContain(
      'The lock looks stale: it expired 2026-11-25 12:00 CET without a renewal',
    );
    expect(messageText(refused.ack.body)).toContain('`/unlock dev --force`');
    expect(world.deployer.calls).toHaveLength(0);

    // WHEN an admin releases it, and the deploy is asked for again
    const unlocked = await bot.command(PEOPLE.platform.userId, CHANNELS.dev, 'unlock', 'dev --force');
    expect(messageText(unlocked.ack.body)).toContain("released <@U0CRASHED01>'s lock on *dev*");
    const { ack } = await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'deploy', 'dev v1.5.0');

    // THEN
    expect(messageText(ack.body)).toContain('follow the thread');
    await finalMessage(bot, /Deployed v1\.5\.0 to dev/);
  });

  describe('/unlock of a lock a running deploy holds', () => {
    async function deployLock(): Promise<DeployStateStore> {
      const store = new DeployStateStore(world.aws(), environment(baseConfig, 'dev'));
      await store.acquireLock(
        { owner: PEOPLE.developer.userId, ownerName: 'dana', reason: 'deploy v1.5.0' },
        'deploy',
        WEDNESDAY,
      );
      return store;
    }

    it('refuses without --force, even to an admin, and the lock stays', async () => {
      // GIVEN
      const bot = await world.bot();
      const store = await deployLock();

      // WHEN
      const { ack } = await bot.command(PEOPLE.platform.userId, CHANNELS.dev, 'unlock', 'dev');

      // THEN
      expect(messageText(ack.body)).toContain('dev is locked by a running deploy');
      expect(messageText(ack.body)).toContain('/unlock dev --force');
      expect(await store.readLock(WEDNESDAY)).toMatchObject({
        owner: PEOPLE.developer.userId,
        kind: 'deploy',
      });
    });

    it('releases it with --force for an admin, and says the deploy will stop before its next step', async () => {
      // GIVEN
      const bot = await world.bot();
      const store = await deployLock();

      // WHEN
      const { ack } = await bot.command(PEOPLE.platform.userId, CHANNELS.dev, 'unlock', 'dev --force');

      // THEN
      expect(messageText(ack.body)).toContain(
        `released <@${PEOPLE.developer.userId}>'s lock on *dev* (deploy v1.5.0)`,
      );
      expect(messageText(ack.body)).toContain(
        'The deploy holding it stops before its next step (at its next heartbeat) and does not roll back.',
      );
      expect(await store.readLock(WEDNESDAY)).toBeNull();
    });

    it.each([
      ['a developer who is not its holder', 'U0DEVELOP02'],
      ['its holder, who is not an admin', PEOPLE.developer.userId],
    ])('refuses --force to %s, and the lock stays', async (_who, userId) => {
      // GIVEN
      const bot = await world.bot();
      bot.recorder.setGroupMembers('S0DEVELOPER', [PEOPLE.developer.userId, 'U0DEVELOP02']);
      const store = await deployLock();

      // WHEN
      const { ack } = await bot.command(userId, CHANNELS.dev, 'unlock', 'dev --force');

      // THEN
      expect(messageText(ack.body)).toContain('Only an admin may force-release');
      expect(await store.readLock(WEDNESDAY)).toMatchObject({ owner: PEOPLE.developer.userId });
    });
  });

  it('starts exactly one deploy from 20 simultaneous requests to two bot instances; the rest hear who holds the lock', async () => {
    // GIVEN two replicas sharing AWS
    const first = await world.bot();
    const second = await world.bot();
    const release = world.deployer.hold();

    // WHEN
    const acks = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 === 0 ? first : second).command(PEOPLE.developer.userId, CHANNELS.dev, 'deploy', 'dev v1.5.0'),
      ),
    );

    // THEN
    const texts = acks.map((a) => messageText(a.ack.body));
    expect(texts.filter((t) => t.includes('follow the thread'))).toHaveLength(1);
    expect(texts.filter((t) => t.includes(`dev is locked by <@${PEOPLE.developer.userId}>`))).toHaveLength(
      19,
    );
    release();
    const winner = texts.findIndex((t) => t.includes('follow the thread')) % 2 === 0 ? first : second;
    await finalMessage(winner, /Deployed v1\.5\.0 to dev/);
    expect(world.deployer.calls).toHaveLength(1);
  });

  it('asks for an approval in a protected environment, and deploys once approved by another approver', async () => {
    // GIVEN
    const bot = await world.bot();
    world.outputs['wheelhouse-prod']!.imageTag = 'v1.4.2';

    // WHEN the deploy is requested
    const { ack } = await bot.command(PEOPLE.platform.userId, CHANNELS.prod, 'deploy', 'prod v1.5.0');

    // THEN the channel sees the request with its buttons, and nothing is deployed yet
    expect(ack.body).toMatchObject({ response_type: 'in_channel' });
    expect(messageText(ack.body)).toContain(
      'asks to deploy `v1.5.0` to *prod*. *prod* is protected: it needs an approval.',
    );
    expect(messageText(ack.body)).toContain('must decide by 2026-11-25 13:30 CET');
    expect(world.deployer.calls).toHaveLength(0);

    // WHEN another approver approves
    const reply = await click(bot, SECOND_APPROVER, APPROVAL_APPROVE_ACTION, approveValue(ack.body));

    // THEN the request is replaced and the deploy runs
    expect(reply).toMatchObject({ replace_original: true });
    expect(messageText(reply)).toContain(`Approved by <@${SECOND_APPROVER}>: deploy \`v1.5.0\` in *prod*.`);
    await finalMessage(bot, /Deployed v1\.5\.0 to prod/);
    expect(world.deployer.calls.map((c) => [c.environment.name, c.version])).toEqual([['prod', 'v1.5.0']]);
  });

  it('starts exactly one deploy when the approval is double-clicked and clicked by two approvers at once', async () => {
    // GIVEN
    const bot = await world.bot();
    bot.recorder.setGroupMembers('S0PLATFORM1', ['U0PLATFORM3']);
    const { ack } = await bot.command(PEOPLE.platform.userId, CHANNELS.prod, 'deploy', 'prod v1.5.0');
    const value = approveValue(ack.body);

    // WHEN
    const replies = await Promise.all([
      click(bot, SECOND_APPROVER, APPROVAL_APPROVE_ACTION, value),
      click(bot, SECOND_APPROVER, APPROVAL_APPROVE_ACTION, value),
      click(bot, 'U0PLATFORM3', APPROVAL_APPROVE_ACTION, value),
    ]);

    // THEN
    const texts = replies.map((r) => messageText(r));
    expect(texts.filter((t) => t.includes('Approved by'))).toHaveLength(1);
    expect(texts.filter((t) => t.includes('This request was already approved by'))).toHaveLength(2);
    await finalMessage(bot, /Deployed v1\.5\.0 to prod/);
    expect(world.deployer.calls).toHaveLength(1);
  });

  it('deploys nothing when the request is rejected, and a later approval is refused', async () => {
    // GIVEN
    const bot = await world.bot();
    bot.recorder.setGroupMembers('S0PLATFORM1', ['U0PLATFORM3']);
    const { ack } = await bot.command(PEOPLE.platform.userId, CHANNELS.prod, 'deploy', 'prod v1.5.0');

    // WHEN
    const rejected = await click(bot, SECOND_APPROVER, APPROVAL_REJECT_ACTION, approveValue(ack.body));
    const late = await click(bot, 'U0PLATFORM3', APPROVAL_APPROVE_ACTION, approveValue(ack.body));

    // THEN
    expect(messageText(rejected)).toContain(
      `Rejected by <@${SECOND_APPROVER}>: the deploy in *prod*. Nothing was changed.`,
    );
    expect(messageText(late)).toContain(`This request was already rejected by <@${SECOND_APPROVER}>.`);
    expect(late).toMatchObject({ replace_original: false });
    expect(world.deployer.calls).toHaveLength(0);
  });

  it('refuses an expired approval', async () => {
    // GIVEN a request made 31 minutes ago (approvals expire after 30)
    const bot = await world.bot();
    const { ack } = await bot.command(PEOPLE.platform.userId, CHANNELS.prod, 'deploy', 'prod v1.5.0');
    world.now = new Date(WEDNESDAY.getTime() + 31 * 60_000);

    // WHEN
    const reply = await click(bot, SECOND_APPROVER, APPROVAL_APPROVE_ACTION, approveValue(ack.body));

    // THEN
    expect(messageText(reply)).toContain('This request expired at 2026-11-25 13:30 CET.');
    expect(world.deployer.calls).toHaveLength(0);
  });

  it.each([
    ['the requester', PEOPLE.platform.userId, 'You cannot decide on your own request.'],
    ['someone who is not an approver', PEOPLE.oncall.userId, 'You may not'],
  ])('refuses an approval by %s', async (_who, userId, message) => {
    // GIVEN
    const bot = await world.bot();
    bot.recorder.setGroupMembers('S0ONCALL001', [PEOPLE.oncall.userId]);
    const { ack } = await bot.command(PEOPLE.platform.userId, CHANNELS.prod, 'deploy', 'prod v1.5.0');

    // WHEN
    const reply = await click(bot, userId, APPROVAL_APPROVE_ACTION, approveValue(ack.body));

    // THEN
    expect(messageText(reply)).toContain(message);
    expect(world.deployer.calls).toHaveLength(0);
  });

  it('refuses a deploy inside a freeze window, and lets an admin override it with an audited reason', async () => {
    // GIVEN Friday afternoon in Berlin
    const bot = await world.bot();
    world.now = FRIDAY_AFTERNOON;

    // WHEN
    const frozen = await bot.command(PEOPLE.platform.userId, CHANNELS.prod, 'deploy', 'prod v1.5.0');
    const overridden = await bot.command(
      PEOPLE.platform.userId,
      CHANNELS.prod,
      'deploy',
      'prod v1.5.0 --override-freeze "hotfix for INC-12"',
    );

    // THEN
    expect(messageText(frozen.ack.body)).toContain(
      'prod is in a deploy freeze (no prod deploys on Friday afternoon, 15:00–24:00).',
    );
    expect(messageText(frozen.ack.body)).toContain('--override-freeze');
    expect(messageText(overridden.ack.body)).toContain('(overriding the freeze: hotfix for INC-12)');
    await click(bot, SECOND_APPROVER, APPROVAL_APPROVE_ACTION, approveValue(overridden.ack.body));
    await finalMessage(bot, /Deployed v1\.5\.0 to prod/);
    const history = await bot.command(PEOPLE.platform.userId, CHANNELS.prod, 'deploy', 'history prod');
    expect(messageText(history.ack.body)).toContain('freeze overridden: hotfix for INC-12');
    await bot.recorder.waitFor(
      () => bot.logs.some((l) => JSON.stringify(l).includes('--override-freeze')),
      3000,
    );
    expect(bot.logs).toContainEqual(
      expect.objectContaining({
        audit: expect.objectContaining({
          args: 'prod v1.5.0 --override-freeze "hotfix for INC-12"',
          outcome: 'ok',
        }),
      }),
    );
  });

  /** The id of the request behind an Approve button (`<kind> <env> <id>`). */
  const requestId = (body: unknown) => approveValue(body).split(' ')[2]!;

  it('judges an approval by the time of the click: asked before the freeze window, approved inside it, it is refused and stays pending', async () => {
    // GIVEN a deploy asked for on Friday at 14:50 in Berlin, ten minutes before prod's freeze window
    const bot = await world.bot();
    const store = new DeployStateStore(world.aws(), environment(baseConfig, 'prod'));
    world.now = new Date('2026-11-27T13:50:00Z');
    const { ack } = await bot.command(PEOPLE.platform.userId, CHANNELS.prod, 'deploy', 'prod v1.5.0');
    expect(messageText(ack.body)).toContain('it needs an approval');

    // WHEN another approver clicks Approve at 15:05, inside the window
    world.now = new Date('2026-11-27T14:05:00Z');
    const refused = await click(bot, SECOND_APPROVER, APPROVAL_APPROVE_ACTION, approveValue(ack.body));

    // THEN the click is refused by the window, the request keeps its buttons and stays pending, nothing runs
    expect(messageText(refused)).toContain(
      'prod is in a deploy freeze (no prod deploys on Friday afternoon, 15:00–24:00).',
    );
    expect(refused).toMatchObject({ replace_original: false });
    expect((await store.readApproval(requestId(ack.body)))?.status).toBe('pending');
    expect(world.deployer.calls).toHaveLength(0);
  });

  it('lets an admin approver carry a freeze override given before the window opened', async () => {
    // GIVEN a deploy with an override reason asked for before the window by an approver who is no admin
    const config = testConfig();
    const prod = environment(config, 'prod') as { permissions: { admins: unknown } };
    prod.permissions.admins = { users: [SECOND_APPROVER], groups: [] };
    await world.close();
    world = await startWorld(health, config);
    const bot = await world.bot(config);
    world.now = new Date('2026-11-27T13:50:00Z');
    const { ack } = await bot.command(
      PEOPLE.platform.userId,
      CHANNELS.prod,
      'deploy',
      'prod v1.5.0 --override-freeze "hotfix for INC-12"',
    );

    // WHEN the admin approves inside the window
    world.now = new Date('2026-11-27T14:05:00Z');
    const reply = await click(bot, SECOND_APPROVER, APPROVAL_APPROVE_ACTION, approveValue(ack.body));

    // THEN the override stands on the admin's word, and the deploy says it overrides the window
    expect(messageText(reply)).toContain(`Approved by <@${SECOND_APPROVER}>: deploy \`v1.5.0\` in *prod*.`);
    expect(messageText(reply)).toContain(
      'Overriding the freeze window (no prod deploys on Friday afternoon): hotfix for INC-12',
    );
    await finalMessage(bot, /Deployed v1\.5\.0 to prod/);
  });

  it('refuses an approval when someone took the lock after the request, and the request stays pending', async () => {
    // GIVEN a deploy asked for, then the lock taken by someone else
    const bot = await world.bot();
    const store = new DeployStateStore(world.aws(), environment(baseConfig, 'prod'));
    const { ack } = await bot.command(PEOPLE.platform.userId, CHANNELS.prod, 'deploy', 'prod v1.5.0');
    await store.acquireLock(
      { owner: PEOPLE.oncall.userId, ownerName: 'oncall', reason: 'investigating INC-7' },
      'manual',
      world.now,
    );

    // WHEN
    const refused = await click(bot, SECOND_APPROVER, APPROVAL_APPROVE_ACTION, approveValue(ack.body));

    // THEN
    expect(messageText(refused)).toContain(
      `prod is locked by <@${PEOPLE.oncall.userId}> since 2026-11-25 13:00 CET: investigating INC-7.`,
    );
    expect((await store.readApproval(requestId(ack.body)))?.status).toBe('pending');
    expect(world.deployer.calls).toHaveLength(0);
  });

  it('rolls prod back inside a freeze window (the way out of a bad deploy), saying so in the request and the thread', async () => {
    // GIVEN prod running v1.5.0 after a good v1.4.2, on Friday afternoon
    const bot = await world.bot();
    const store = new DeployStateStore(world.aws(), environment(baseConfig, 'prod'));
    world.outputs['wheelhouse-prod']!.imageTag = 'v1.5.0';
    await store.recordHistory({
      id: 'good',
      kind: 'deploy',
      version: 'v1.4.2',
      previousVersion: 'v1.4.1',
      by: PEOPLE.platform.userId,
      outcome: 'succeeded',
      reason: null,
      startedAt: new Date('2026-11-20T10:00:00Z'),
      finishedAt: new Date('2026-11-20T10:05:00Z'),
      freezeOverride: null,
    });
    world.now = FRIDAY_AFTERNOON;

    // WHEN
    const { ack } = await bot.command(PEOPLE.platform.userId, CHANNELS.prod, 'rollback', 'prod');

    // THEN the request says it is inside the window, and once approved it rolls back
    expect(messageText(ack.body)).toContain(
      'roll *prod* back from `v1.5.0` to `v1.4.2` (Rolling back inside the freeze window (no prod deploys on Friday afternoon, 15:00–24:00).)',
    );
    const reply = await click(bot, SECOND_APPROVER, APPROVAL_APPROVE_ACTION, approveValue(ack.body));
    expect(messageText(reply)).toContain(
      `Approved by <@${SECOND_APPROVER}>: roll back to \`v1.4.2\` in *prod*.`,
    );
    expect(messageText(reply)).toContain('Rolling back inside the freeze window');
    await finalMessage(bot, /Deployed v1\.4\.2 to prod/);
    expect(world.deployer.calls.map((c) => c.version)).toEqual(['v1.4.2']);
  });

  it('refuses a freeze override by someone who is not an admin', async () => {
    // GIVEN dev frozen all week
    const frozenDev = frozenAllWeek(baseConfig, 'dev');
    const bot = await world.bot(frozenDev);

    // WHEN
    const developer = await bot.command(
      PEOPLE.developer.userId,
      CHANNELS.dev,
      'deploy',
      'dev v1.5.0 --override-freeze "I want to"',
    );
    const admin = await bot.command(
      PEOPLE.platform.userId,
      CHANNELS.dev,
      'deploy',
      'dev v1.5.0 --override-freeze "hotfix"',
    );

    // THEN
    expect(messageText(developer.ack.body)).toContain(
      'Only dev admins may override the deploy freeze (code freeze).',
    );
    expect(messageText(admin.ack.body)).toContain('follow the thread');
    await finalMessage(bot, /Deployed v1\.5\.0 to dev/);
  });

  it('rolls back automatically when a deploy-gate monitor alerts during the bake, and says which', async () => {
    // GIVEN Datadog with an alerting gate monitor on stage, and a short bake
    const dd = await DatadogFake.start();
    try {
      Object.assign(process.env, dd.env());
      const monitor = dd.seedMonitor({
        name: 'App HTTP error rate',
        type: 'query alert',
        query: 'avg(last_5m):avg:trace.http.request.errors{env:stage} > 0.05',
        message: 'errors',
        tags: ['managed-by:wheelhouse', 'env:stage', 'deploy-gate', 'monitor-id:app-http-error-rate'],
      });
      dd.setMonitorState(monitor, 'Alert');
      const config: Config = {
        ...baseConfig,
        environments: baseConfig.environments.map((e) =>
          e.name === 'stage' ? { ...e, datadog: { ...e.datadog, bakeMinutes: 0.01 } } : e,
        ),
      };
      const bot = await world.bot(config);

      // WHEN
      await bot.command(PEOPLE.developer.userId, CHANNELS.stage, 'deploy', 'stage v1.5.0');

      // THEN
      const final = await finalMessage(bot, /The deploy of v1\.5\.0 to stage failed/).catch(
        (error: Error) => {
          throw new Error(`${error.message}; thread: ${threadTexts(bot).join('\n---\n')}`);
        },
      );
      expect(final).toContain('deploy-gate monitor alerted: App HTTP error rate');
      expect(final).toContain('by Wheelhouse, because App HTTP error rate alerted, to `v1.4.2`');
      expect(world.deployer.calls.map((c) => c.version)).toEqual(['v1.5.0', 'v1.4.2']);
      // (the downtime is not cancelled: it ends once the muted monitors judge only data from after the rollback)
      const [downtime] = [...dd.downtimes.values()];
      expect((downtime!.attributes as { status: string }).status).toBe('active');
      expect(dd.writes().some((w) => w.method === 'PATCH' && w.path.startsWith('/api/v2/downtime/'))).toBe(
        true,
      );
      expect(dd.events.map((e) => e.title)).toContain('Deploy v1.5.0 to stage: rolled-back');
    } finally {
      await dd.close();
    }
  });

  it('rolls back to the previous good version with /rollback', async () => {
    // GIVEN v1.5.0 deployed after v1.4.2
    const bot = await world.bot();
    const store = new DeployStateStore(world.aws(), environment(baseConfig, 'dev'));
    await store.recordHistory({
      id: 'old',
      kind: 'deploy',
      version: 'v1.4.2',
      previousVersion: 'v1.4.1',
      by: PEOPLE.developer.userId,
      outcome: 'succeeded',
      reason: null,
      startedAt: new Date('2026-11-20T10:00:00Z'),
      finishedAt: new Date('2026-11-20T10:05:00Z'),
      freezeOverride: null,
    });
    await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'deploy', 'dev v1.5.0');
    await finalMessage(bot, /Deployed v1\.5\.0 to dev/);

    // WHEN
    const { ack } = await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'rollback', 'dev');

    // THEN
    expect(messageText(ack.body)).toContain('Rolling back v1.4.2 in dev: follow the thread.');
    await finalMessage(bot, /Deployed v1\.4\.2 to dev/);
    expect(world.deployer.calls.map((c) => c.version)).toEqual(['v1.5.0', 'v1.4.2']);
  });

  it.each([
    ['no version', 'dev', 'Say which version (an image tag) to deploy.'],
    ['a bad tag', 'dev v1/2', 'is not an image tag'],
    ['an unknown option', 'dev v1.5.0 --force', 'The only option is `--override-freeze "<reason>"`'],
    ['an override without a reason', 'dev v1.5.0 --override-freeze', 'it needs a reason'],
  ])('answers %s with what to do', async (_name, text, message) => {
    const bot = await world.bot();
    const { ack } = await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'deploy', text);
    expect(messageText(ack.body)).toContain(message);
  });
});

describe('/deploy without AWS credentials', () => {
  let bot: TestBot;
  beforeAll(async () => {
    // The built-in CloudFormation validation costs ~10 s of CPU per synth and is not what this checks.
    process.env.CDK_VALIDATION = 'false';
    bot = await startTestBot({
      config: baseConfig,
      aws: new AwsClients({ credentials: noCredentials, endpoint: UNREACHABLE_AWS_ENDPOINT }),
      ackBudgetMs: 60_000,
    });
    bot.recorder.setGroupMembers('S0DEVELOPER', [PEOPLE.developer.userId]);
  });
  afterAll(() => bot.stop());

  it('synthesizes the real stack with the version and shows the image the task definition would run', async () => {
    // WHEN
    const { ack } = await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'deploy', 'dev v1.5.0');

    // THEN
    const shown = messageText(ack.body);
    expect(shown).toContain('Plan only: no AWS credentials, nothing was deployed.');
    expect(shown).toContain('Synthesized wheelhouse-dev with `ImageTag=v1.5.0`.');
    expect(shown).toContain(
      'The service would run `111111111111.dkr.ecr.eu-west-1.amazonaws.com/wheelhouse/service-branches:v1.5.0`.',
    );
    expect(shown).toMatch(/\d+ AWS::EC2::Subnet/);
  }, 60_000);
});
