import { AwsClients } from '../../../ops/aws-clients';
import {
  exampleStackOutputs,
  FakeSsm,
  fakeStacks,
  noCredentials,
  UNREACHABLE_AWS_ENDPOINT,
} from '../../support/aws-fakes';
import { messageText, startTestBot, type TestBot } from '../../support/slack-bot-harness';
import { sshKeygenFingerprint, TestKeys } from '../../support/ssh-keys';
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
    expect(shown).toContain('psql "host=127.0.0.1 port=15433 dbname=wheelhouse user=<you> sslmode=require"');
  });

  it('says plainly that the host key is not yet published when the bastion has not written it', async () => {
    // GIVEN the person has a key (previous test) and no host-keys parameter exists
    expect(ssm.parameters.has(prod.bastion.hostKeysParameterName)).toBe(false);

    // WHEN
    const { ack } = await bot.command(PEOPLE.oncall.userId, CHANNELS.prod, 'tunnel', 'prod');

    // THEN
    const shown = messageText(ack.body);
    expect(shown).toContain('ssh -N');
    expect(shown).toContain(
      'Bastion host key not yet published (the bastion writes it to `/wheelhouse/prod/bastion/host-keys` when it boots)',
    );
  });

  // The bastion publishes `cut -d' ' -f1,2` of its /etc/ssh/ssh_host_*_key.pub (stacks/bastion/bastion.ts).
  // The fingerprint must be what OpenSSH prints (`ssh-keygen -lf`, and ssh's first-connection prompt).
  it("shows the bastion's host key fingerprints as ssh-keygen prints them, and known_hosts lines", async () => {
    // GIVEN real host keys, published as the bastion's user data does
    const hostKeys = [keys.generate('ed25519'), keys.generate('ecdsa'), keys.generate('rsa', { bits: 3072 })];
    const published = hostKeys.map((k) => k.publicLine.split(' ').slice(0, 2).join(' '));
    ssm.putRaw(prod.bastion.hostKeysParameterName, published.join('\n'));

    // WHEN
    const { ack } = await bot.command(PEOPLE.oncall.userId, CHANNELS.prod, 'tunnel', 'prod');

    // THEN
    const shown = messageText(ack.body);
    for (const [i, key] of hostKeys.entries()) {
      const fingerprint = sshKeygenFingerprint(key.publicLine);
      expect(fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
      expect(shown).toContain(`\`${fingerprint}\``);
      expect(shown).toContain(
        `echo 'ec2-203-0-113-10.eu-west-1.compute.amazonaws.com ${published[i]}' >> ~/.ssh/known_hosts`,
      );
    }
    expect(shown).toContain('ssh-keygen -R ec2-203-0-113-10.eu-west-1.compute.amazonaws.com');
    expect(shown).not.toContain('not yet published');
    ssm.parameters.delete(prod.bastion.hostKeysParameterName);
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
