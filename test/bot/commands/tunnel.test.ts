import { AwsClients } from '../../../bot/ops/aws-clients';
import {
  exampleStackOutputs,
  FakeSsm,
  fakeStacks,
  noCredentials,
  UNREACHABLE_AWS_ENDPOINT,
} from '../../support/aws-fakes';
import { messageText, startTestBot, type TestBot } from '../../support/slack-bot-harness';
import { TestKeys } from '../../support/ssh-keys';
import { CHANNELS, PEOPLE, testConfig } from '../fixtures/test-config';

const config = testConfig();
const prod = config.environments.find((e) => e.name === 'prod')!;

describe('/tunnel', () => {
  let bot: TestBot;
  let ssm: FakeSsm;
  let cfn: { restore(): void };
  const keys = new TestKeys();
  beforeAll(async () => {
    bot = await startTestBot({ config });
    bot.recorder.setGroupMembers('S0ONCALL001', [PEOPLE.oncall.userId]);
    cfn = fakeStacks({ 'wheelhouse-prod': exampleStackOutputs(prod) });
    ssm = new FakeSsm();
  });
  afterAll(async () => {
    ssm.mock.restore();
    cfn.restore();
    keys.cleanup();
    await bot.stop();
  });

  it('refuses the SSH variant to someone with no registered key, says how to add one, and still gives the SSM variant', async () => {
    // WHEN
    const { ack } = await bot.command(PEOPLE.oncall.userId, CHANNELS.prod, 'tunnel', 'prod');

    // THEN
    expect(ack.body).toMatchObject({ response_type: 'ephemeral' });
    const shown = messageText(ack.body);
    expect(shown).not.toContain('ssh -N');
    expect(shown).toContain('you have no registered key in prod');
    expect(shown).toContain('`/bastion-key prod add <public key>`');
    expect(shown).toContain(
      `aws ssm start-session --region eu-west-1 --target i-0123456789abcdef0 --document-name AWS-StartPortForwardingSessionToRemoteHost --parameters '{"host":["wheelhouse-prod.cluster-abc.eu-west-1.rds.amazonaws.com"],"portNumber":["5432"],"localPortNumber":["15432"]}'`,
    );
  });

  it('gives the SSH port-forward through the bastion to the reader once the person has a key', async () => {
    // GIVEN
    await bot.command(
      PEOPLE.oncall.userId,
      CHANNELS.prod,
      'bastion-key',
      `add ${keys.generate('ed25519').publicLine}`,
    );

    // WHEN
    const { ack } = await bot.command(PEOPLE.oncall.userId, CHANNELS.prod, 'tunnel', 'reader');

    // THEN
    const shown = messageText(ack.body);
    expect(shown).toContain(
      'ssh -N -o ExitOnForwardFailure=yes -o ServerAliveInterval=30 -L 127.0.0.1:15433:wheelhouse-prod.cluster-ro-abc.eu-west-1.rds.amazonaws.com:5432 tunnel@ec2-203-0-113-10.eu-west-1.compute.amazonaws.com',
    );
    expect(shown).toContain('Uses your registered key `SHA256:');
    expect(shown).toContain('psql "host=127.0.0.1 port=15433 dbname=wheelhouse user=<you>"');
  });

  it("refuses people outside the environment's tunnel permission, naming who may", async () => {
    const { ack } = await bot.command(PEOPLE.developer.userId, CHANNELS.prod, 'tunnel', 'prod');
    expect(messageText(ack.body)).toContain('You may not run /tunnel in prod.');
    expect(messageText(ack.body)).toContain('It is for platform or oncall: ask one of them.');
  });
});

describe('/tunnel without AWS credentials', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot({
      config,
      aws: new AwsClients({ credentials: noCredentials, endpoint: UNREACHABLE_AWS_ENDPOINT }),
    });
  });
  afterAll(() => bot.stop());

  it('says that credentials are missing', async () => {
    const { ack } = await bot.command(PEOPLE.platform.userId, CHANNELS.prod, 'tunnel', 'prod');
    expect(messageText(ack.body)).toContain(
      'AWS credentials are missing: cannot read the tunnel endpoints of prod.',
    );
  });
});
