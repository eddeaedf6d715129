/**
 * `/status` when some of its reads fail, against moto_server (an independent implementation of the AWS APIs).
 * moto answers ecs:ListServiceDeployments with HTTP 500 (NotImplementedError), a read that fails on its own;
 * AWS documents the error codes in https://docs.aws.amazon.com/AmazonECS/latest/APIReference/CommonErrors.html
 * and the call in https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListServiceDeployments.html.
 * Access denied is a mock (moto does not enforce IAM by default): AccessDeniedException as ECS names it.
 */
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { deployStateTableName, STACK_OUTPUTS } from '../../../config';
import { AwsClients } from '../../../ops/aws-clients';
import { TEST_CREDENTIALS } from '../../support/aws-fakes';
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
  await seedDev();
});

/** dev as its stack leaves it: the outputs, the ECS service, its scalable target and the deploy-state table. */
async function seedDev(): Promise<void> {
  const region = dev.region;
  const clientConfig = { region, endpoint: moto.endpoint, credentials: TEST_CREDENTIALS };
  const ecsSdk = await import('@aws-sdk/client-ecs');
  const ecs = new ecsSdk.ECSClient(clientConfig);
  await ecs.send(new ecsSdk.CreateClusterCommand({ clusterName: 'wheelhouse-dev' }));
  const image = `111111111111.dkr.ecr.${region}.amazonaws.com/${dev.images.repositoryName}:v2.0.1`;
  const registered = await ecs.send(
    new ecsSdk.RegisterTaskDefinitionCommand({
      family: 'wheelhouse-dev',
      containerDefinitions: [{ name: 'service', image, memory: 512 }],
    }),
  );
  await ecs.send(
    new ecsSdk.CreateServiceCommand({
      cluster: 'wheelhouse-dev',
      serviceName: 'wheelhouse-dev-service',
      taskDefinition: registered.taskDefinition?.taskDefinitionArn,
      desiredCount: 2,
    }),
  );
  const scalingSdk = await import('@aws-sdk/client-application-auto-scaling');
  await new scalingSdk.ApplicationAutoScalingClient(clientConfig).send(
    new scalingSdk.RegisterScalableTargetCommand({
      ServiceNamespace: 'ecs',
      ResourceId: 'service/wheelhouse-dev/wheelhouse-dev-service',
      ScalableDimension: 'ecs:service:DesiredCount',
      MinCapacity: 1,
      MaxCapacity: 4,
    }),
  );
  const ddb = await import('@aws-sdk/client-dynamodb');
  await new ddb.DynamoDBClient(clientConfig).send(
    new ddb.CreateTableCommand({
      TableName: deployStateTableName(dev),
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  const cfn = await import('@aws-sdk/client-cloudformation');
  const output = (key: string, value: string) => ({ [key]: { Value: value } });
  await new cfn.CloudFormationClient(clientConfig).send(
    new cfn.CreateStackCommand({
      StackName: dev.stackName,
      TemplateBody: JSON.stringify({
        Resources: { Handle: { Type: 'AWS::CloudFormation::WaitConditionHandle' } },
        Outputs: {
          ...output(STACK_OUTPUTS.clusterName, 'wheelhouse-dev'),
          ...output(STACK_OUTPUTS.serviceName, 'wheelhouse-dev-service'),
          ...output(STACK_OUTPUTS.imageTag, 'v2.0.1'),
        },
      }),
    }),
  );
}

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
