/**
 * The bot's AWS calls are made for the Slack user who ran the command, and an approved change for its
 * requester with the approver in a tag: signed slash commands and clicks through the HTTP bot, the
 * operator roles assumed in moto_server. moto keeps neither SourceIdentity nor Tags (its AssumeRole answer
 * has no SourceIdentity), so the requests are read as they went over the wire, through a recording proxy in
 * front of moto. STS's parameters: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html;
 * what CloudTrail shows of them: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html.
 */
import {
  ApplicationAutoScalingClient,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { APPROVAL_APPROVE_ACTION } from '../../bot/commands/approval-buttons';
import { type EnvironmentConfig, operatorRoleArn } from '../../config';
import { AwsClients } from '../../ops/aws-clients';
import { TEST_CREDENTIALS } from '../support/aws-fakes';
import { decodeQuery, type QueryValue } from '../support/aws-wire';
import { seedDeployedEnvironment } from '../support/moto-environment';
import { type MotoServer, startMotoServer } from '../support/moto-server';
import { finalMessage } from '../support/progress-threads';
import { RecordingProxy } from '../support/recording-proxy';
import { messageText, startTestBot, type TestBot } from '../support/slack-bot-harness';
import { CHANNELS, PEOPLE, testConfig } from './fixtures/test-config';

jest.setTimeout(60_000);

const config = testConfig();
const environment = (name: string) => config.environments.find((e) => e.name === name)!;
const dev = environment('dev');
const prod = environment('prod');

let moto: MotoServer;
let proxy: RecordingProxy;
let bot: TestBot;

/** A session of `env`'s operator role straight from moto: what is created with it lands in `env`'s account. */
async function operatorSession(env: EnvironmentConfig) {
  const sts = new STSClient({ region: env.region, endpoint: moto.endpoint, credentials: TEST_CREDENTIALS });
  const { Credentials: c } = await sts.send(
    new AssumeRoleCommand({ RoleArn: operatorRoleArn(env), RoleSessionName: 'seed' }),
  );
  sts.destroy();
  return {
    accessKeyId: c!.AccessKeyId!,
    secretAccessKey: c!.SecretAccessKey!,
    sessionToken: c!.SessionToken!,
  };
}

/** The AssumeRole requests the bot sent, decoded, with the access key moto answered each with. */
function assumeRoles(): { params: Record<string, QueryValue>; issuedKey: string | null }[] {
  return proxy.exchanges
    .filter((e) => e.body.startsWith('Action=AssumeRole&'))
    .map((e) => ({
      params: decodeQuery(e.body).params,
      issuedKey: /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(e.answer)?.[1] ?? null,
    }));
}

/** The access keys that signed the calls whose `x-amz-target` ends with `operation`. */
function signersOf(operation: string): (string | null)[] {
  return proxy.exchanges
    .filter((e) => String(e.headers['x-amz-target'] ?? '').endsWith(`.${operation}`))
    .map((e) => /Credential=([^/]+)\//.exec(String(e.headers.authorization ?? ''))?.[1] ?? null);
}

beforeAll(async () => {
  moto = await startMotoServer();
  proxy = await RecordingProxy.start(moto.endpoint);
});
afterAll(async () => {
  await proxy.close();
  await moto.stop();
});
beforeEach(async () => {
  await moto.reset();
  await seedDeployedEnvironment(moto.endpoint, dev, 'v2.0.1', await operatorSession(dev));
  const prodSession = await operatorSession(prod);
  await seedDeployedEnvironment(moto.endpoint, prod, 'v2.0.1', prodSession);
  // prod's live bounds allow 16 tasks, above its approval threshold (12).
  const scaling = new ApplicationAutoScalingClient({
    region: prod.region,
    endpoint: moto.endpoint,
    credentials: prodSession,
  });
  await scaling.send(
    new RegisterScalableTargetCommand({
      ServiceNamespace: 'ecs',
      ResourceId: 'service/wheelhouse-prod/wheelhouse-prod-service',
      ScalableDimension: 'ecs:service:DesiredCount',
      MinCapacity: 3,
      MaxCapacity: 24,
    }),
  );
  scaling.destroy();
  proxy.exchanges.length = 0;
  bot = await startTestBot({
    config,
    aws: new AwsClients({
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
      endpoint: proxy.url,
      assumeOperatorRole: true,
      watch: { pollIntervalMs: 10, scaleDeadlineMs: 200 },
    }),
  });
  bot.recorder.setGroupMembers('S0DEVELOPER', [PEOPLE.developer.userId]);
  bot.recorder.setGroupMembers('S0PLATFORM1', []);
  bot.recorder.setGroupMembers('S0ONCALL001', [PEOPLE.oncall.userId]);
});
afterEach(async () => {
  await bot.stop();
});

describe('who the bot acts for in AWS', () => {
  it('assumes the operator role for each Slack user who runs a command, with their user id as the source identity', async () => {
    // WHEN two people run /status in dev, the first one twice
    const first = await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'status', 'dev');
    await bot.command(PEOPLE.platform.userId, CHANNELS.dev, 'status', 'dev');
    await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'status', 'dev');

    // THEN each reads dev with a session of their own, made once
    expect(messageText(first.ack.body)).toContain('wheelhouse-dev-service (ACTIVE)');
    const assumed = assumeRoles();
    expect(assumed.map((a) => a.params)).toEqual([
      {
        RoleArn: operatorRoleArn(dev),
        RoleSessionName: `slack-${PEOPLE.developer.userId}-u0develop01`,
        SourceIdentity: `slack-${PEOPLE.developer.userId}`,
        Tags: [
          { Key: 'wheelhouse:actor', Value: 'u0develop01' },
          { Key: 'wheelhouse:via', Value: 'slack' },
        ],
      },
      expect.objectContaining({ SourceIdentity: `slack-${PEOPLE.platform.userId}` }),
    ]);
    const [developerKey, platformKey] = assumed.map((a) => a.issuedKey);
    const signers = new Set(signersOf('DescribeServices'));
    expect(signers).toEqual(new Set([developerKey, platformKey]));
  });

  it('makes an approved change for its requester, with the approver in a session tag', async () => {
    // GIVEN on-call asks to scale prod above its approval threshold
    const { ack } = await bot.command(PEOPLE.oncall.userId, CHANNELS.prod, 'scale', 'prod 16');
    expect(messageText(ack.body)).toContain('asks to scale *prod* to 16 tasks (above 12).');
    const value = (ack.body as { blocks: { elements?: { action_id: string; value: string }[] }[] }).blocks
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === APPROVAL_APPROVE_ACTION)!.value;

    // WHEN platform approves
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

    // THEN three sessions: the request (on-call's), the decision (platform's), the change (on-call's, approved by platform)
    expect(messageText(bot.recorder.responsesTo(responseUrlId)[0])).toContain(
      `Approved by <@${PEOPLE.platform.userId}>: scale to 16 tasks in *prod*.`,
    );
    const assumed = assumeRoles();
    expect(assumed.map((a) => [a.params.SourceIdentity, a.params.Tags])).toEqual([
      [
        `slack-${PEOPLE.oncall.userId}`,
        [
          { Key: 'wheelhouse:actor', Value: 'u0oncall001' },
          { Key: 'wheelhouse:via', Value: 'slack' },
        ],
      ],
      [
        `slack-${PEOPLE.platform.userId}`,
        [
          { Key: 'wheelhouse:actor', Value: 'u0platform1' },
          { Key: 'wheelhouse:via', Value: 'slack' },
        ],
      ],
      [
        `slack-${PEOPLE.oncall.userId}`,
        [
          { Key: 'wheelhouse:actor', Value: PEOPLE.oncall.userId },
          { Key: 'wheelhouse:via', Value: 'slack' },
          { Key: 'wheelhouse:approved-by', Value: PEOPLE.platform.userId },
        ],
      ],
    ]);
    // AND the decision is written by the approver, the scaling made by the requester's approved session
    const [, approverKey, changeKey] = assumed.map((a) => a.issuedKey);
    expect(signersOf('UpdateItem')).toContain(approverKey);
    expect(signersOf('UpdateService')).toEqual([changeKey]);
    // The scale watch outlives the click reply: the test waits for its last message, or the bot would be
    // stopped under it and its Slack Web API call would retry (p-retry) against the closed recorder for
    // minutes, keeping jest from exiting (why this test hung before).
    await finalMessage(bot, /16 desired|deadline passed/);
  });
});
