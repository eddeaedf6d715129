import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { type Config, resolveConfig } from '../../../config';
import { DeployStateStore } from '../../../ops/deploy/deploy-state';
import { BRANCH_ONLY_TAG, type DeployWorld, startDeployWorld } from '../../support/deploy-world';
import { type LbHealthServers, startLbHealthServers } from '../../support/lb-health-servers';
import { messageText, startTestBot, type TestBot } from '../../support/slack-bot-harness';
import { CHANNELS, PEOPLE, testConfig } from '../fixtures/test-config';

const baseConfig = testConfig();
/** A Wednesday, 13:00 in Berlin. */
const WEDNESDAY = new Date('2026-11-25T12:00:00Z');

/**
 * Prod's approvers are oncall only, resolved from the fixture file so that `/signoff`, left out of
 * the permissions, follows them; its admins (platform) may still run everything else there.
 */
function oncallApproves(): Config {
  const raw = parse(readFileSync(join(__dirname, '..', 'fixtures', 'wheelhouse.yml'), 'utf8'));
  raw.environments.prod.permissions.approvers = ['oncall'];
  return resolveConfig(raw, 'wheelhouse.yml').config;
}

describe('/signoff', () => {
  let health: LbHealthServers;
  let world: DeployWorld;
  let bot: TestBot | null = null;
  beforeAll(async () => {
    health = await startLbHealthServers();
  });
  beforeEach(async () => {
    world = await startDeployWorld(baseConfig, health);
  });
  afterEach(async () => {
    await bot?.stop();
    bot = null;
    await world.close();
  });
  afterAll(() => health.close());

  async function startBot(config: Config = baseConfig): Promise<TestBot> {
    bot = await startTestBot({ config, aws: world.aws(), now: () => WEDNESDAY });
    for (const group of ['S0PLATFORM1', 'S0DEVELOPER', 'S0ONCALL001'])
      bot.recorder.setGroupMembers(group, []);
    bot.recorder.setGroupMembers('S0DEVELOPER', [PEOPLE.developer.userId]);
    bot.recorder.setGroupMembers('S0ONCALL001', [PEOPLE.oncall.userId]);
    return bot;
  }

  async function findSignOff(version: string) {
    const aws = world.aws();
    try {
      return await new DeployStateStore(aws, world.environment('prod')).findSignOff(version, WEDNESDAY);
    } finally {
      await aws.destroy();
    }
  }

  it('records a sign-off by an approver, tells the channel until when, and the audit keeps it', async () => {
    // GIVEN
    const slack = await startBot();

    // WHEN
    const { ack } = await slack.command(PEOPLE.platform.userId, CHANNELS.prod, 'signoff', 'prod v1.5.0');

    // THEN the channel sees it
    expect(ack.body).toMatchObject({ response_type: 'in_channel' });
    expect(messageText(ack.body)).toContain(
      `<@${PEOPLE.platform.userId}> signed off \`v1.5.0\` for *prod*: the command line (CI) may deploy it there until 2026-12-02 13:00 CET.`,
    );
    // AND the deploy state has who and when
    expect(await findSignOff('v1.5.0')).toEqual({
      status: 'valid',
      signOff: {
        version: 'v1.5.0',
        by: PEOPLE.platform.userId,
        byName: 'u0platform1',
        signedAt: WEDNESDAY,
        expiresAt: new Date('2026-12-02T12:00:00Z'),
      },
    });
    await slack.recorder.waitFor(() => slack.logs.some((l) => JSON.stringify(l).includes('/signoff')), 3000);
    expect(slack.logs).toContainEqual(
      expect.objectContaining({
        audit: expect.objectContaining({ command: '/signoff', args: 'prod v1.5.0', outcome: 'ok' }),
      }),
    );
  });

  it.each([
    [
      'a developer (not allowed the command)',
      baseConfig,
      PEOPLE.developer.userId,
      'You may not run /signoff in prod.',
    ],
    [
      'an admin who is not an approver',
      oncallApproves(),
      PEOPLE.platform.userId,
      'Only prod approvers may sign a release off.',
    ],
  ])('refuses %s and records nothing', async (_who, config, userId, message) => {
    // GIVEN
    const slack = await startBot(config);

    // WHEN
    const { ack } = await slack.command(userId, CHANNELS.prod, 'signoff', 'prod v1.5.0');

    // THEN
    expect(messageText(ack.body)).toContain(message);
    expect(await findSignOff('v1.5.0')).toEqual({ status: 'missing' });
  });

  it('lets the approvers sign off when they are not admins', async () => {
    // GIVEN
    const slack = await startBot(oncallApproves());

    // WHEN
    const { ack } = await slack.command(PEOPLE.oncall.userId, CHANNELS.prod, 'signoff', 'prod v1.5.0');

    // THEN
    expect(messageText(ack.body)).toContain('signed off `v1.5.0` for *prod*');
    expect(await findSignOff('v1.5.0')).toMatchObject({
      status: 'valid',
      signOff: { by: PEOPLE.oncall.userId },
    });
  });

  it.each([
    ['a tag that is not a release', 'prod v2.0.0-rc1', 'v2.0.0-rc1 is not a release tag of prod'],
    [
      'a release that is not in the registry',
      'prod v9.9.9',
      'There is no image `v9.9.9` in wheelhouse/service.',
    ],
    [
      "a release tag that only a branch pushed (into the branch repository, which prod's check never asks)",
      `prod ${BRANCH_ONLY_TAG}`,
      `There is no image \`${BRANCH_ONLY_TAG}\` in wheelhouse/service.`,
    ],
    [
      'an unprotected environment',
      'dev v1.5.0',
      'dev is not protected: the command line deploys any version there',
    ],
    ['no version', 'prod', 'Say which release tag to sign off.'],
    ['two versions', 'prod v1.5.0 v1.5.1', 'Unexpected argument "v1.5.1".'],
  ])('refuses %s', async (_name, text, message) => {
    // GIVEN
    const slack = await startBot();
    const channel = text.startsWith('dev') ? CHANNELS.dev : CHANNELS.prod;

    // WHEN
    const { ack } = await slack.command(PEOPLE.platform.userId, channel, 'signoff', text);

    // THEN
    expect(messageText(ack.body)).toContain(message);
  });

  it('keeps a sign-off for deploy.signOffExpiryDays', async () => {
    // GIVEN sign-offs of one day in prod
    const config: Config = {
      ...baseConfig,
      environments: baseConfig.environments.map((e) =>
        e.name === 'prod' ? { ...e, deploy: { ...e.deploy, signOffExpiryDays: 1 } } : e,
      ),
    };
    const slack = await startBot(config);

    // WHEN
    const { ack } = await slack.command(PEOPLE.platform.userId, CHANNELS.prod, 'signoff', 'prod v1.5.0');

    // THEN
    expect(messageText(ack.body)).toContain('until 2026-11-26 13:00 CET');
  });

  it('shows a valid sign-off in the approval request of /deploy', async () => {
    // GIVEN
    const slack = await startBot();
    await slack.command(PEOPLE.platform.userId, CHANNELS.prod, 'signoff', 'prod v1.5.0');

    // WHEN
    const signed = await slack.command(PEOPLE.platform.userId, CHANNELS.prod, 'deploy', 'prod v1.5.0');
    const unsigned = await slack.command(PEOPLE.platform.userId, CHANNELS.prod, 'deploy', 'prod v1.5.1');

    // THEN
    expect(messageText(signed.ack.body)).toContain(
      `asks to deploy \`v1.5.0\` to *prod* (signed off by <@${PEOPLE.platform.userId}> until 2026-12-02 13:00 CET).`,
    );
    expect(messageText(unsigned.ack.body)).toContain(
      'asks to deploy `v1.5.1` to *prod*. *prod* is protected',
    );
    expect(world.deployer.calls).toHaveLength(0);
  });
});
