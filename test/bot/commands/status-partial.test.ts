/**
 * `/status` when some of its reads fail, against moto_server (an independent implementation of the AWS APIs).
 * moto answers ecs:ListServiceDeployments with HTTP 500 (NotImplementedError), a read that fails on its own;
 * AWS documents the error codes in https://docs.aws.amazon.com/AmazonECS/latest/APIReference/CommonErrors.html
 * and the call in https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListServiceDeployments.html.
 * Access denied is a mock (moto does not enforce IAM by default): AccessDeniedException as ECS names it.
 */
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { AwsClients } from '../../../ops/aws-clients';
import { TEST_CREDENTIALS } from '../../support/aws-fakes';
import { seedDeployedEnvironment } from '../../support/moto-environment';
import { type MotoServer, startMotoServer } from '../../support/moto-server';
import { messageText, startTestBot, type TestBot } from '../../support/slack-bot-harness';
import { CHANNELS, PEOPLE, testConfig } from '../fixtures/test-config';

const config = testConfig();
const dev = config.environments.find((e) => e.name === 'dev')!;

jest.setTimeout(60_000);

let moto: MotoServer;
let bot: TestBot;
let aws: AwsClients;

beforeAll(async () => {
  moto = await startMotoServer();
  aws = new AwsClients({ credentials: TEST_CREDENTIALS, maxAttempts: 1, endpoint: moto.endpoint });
  bot = await startTestBot({ config, aws });
});
afterAll(async () => {
  await bot.stop();
  await moto.stop();
});
beforeEach(async () => {
  await moto.reset();
  await seedDeployedEnvironment(moto.endpoint, dev, 'v2.0.1');
});

describe('/status when some reads fail', () => {
  it('shows what moto could answer and says that the recent deployments are not available', async () => {
    // WHEN
    const { ack } = await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'status', 'dev');

    // THEN what could be read is shown
    expect(ack.body).toMatchObject({ response_type: 'in_channel' });
    const shown = messageText(ack.body);
    expect(shown).toContain('dev · wheelhouse-dev');
    expect(shown).toContain('wheelhouse-dev-service (ACTIVE)');
    expect(shown).toContain('/ 2 desired /');
    expect(shown).toContain('`v2.0.1`');
    expect(shown).toContain('1–4 tasks');
    expect(shown).toContain('*Deploy lock*\nfree');
    // AND the one read that failed has its own line
    expect(shown).toContain('*Recent deployments*\n_could not be read_');
    expect(shown).toContain(
      ':warning: *Could not read*\n• Recent deployments: not available right now: AWS answered ecs:ListServiceDeployments with HTTP 500',
    );
    expect(shown).not.toContain('Something went wrong');
  });

  it('names the permission that AWS denied, and still shows the rest', async () => {
    // GIVEN Application Auto Scaling denies the bot's role (a mock: moto does not enforce IAM here)
    const { mockClient } = await import('aws-sdk-client-mock');
    const scaling = mockClient(ApplicationAutoScalingClient);
    const { ApplicationAutoScalingServiceException } = await import(
      '@aws-sdk/client-application-auto-scaling'
    );
    scaling.onAnyCommand().rejects(
      new ApplicationAutoScalingServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message:
          'User: arn:aws:sts::222222222222:assumed-role/wheelhouse-bot/abc is not authorized to perform: application-autoscaling:DescribeScalableTargets',
      }),
    );
    try {
      // WHEN
      const { ack } = await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'status', 'dev');

      // THEN
      const shown = messageText(ack.body);
      expect(shown).toContain('wheelhouse-dev-service (ACTIVE)');
      expect(shown).toContain('*Autoscaling*\n_could not be read_');
      expect(shown).toContain(
        "• Autoscaling: access denied: the bot's role lacks application-autoscaling:DescribeScalableTargets",
      );
      expect(shown).not.toContain('arn:aws:sts');
    } finally {
      scaling.restore();
    }
  });
});
