import { BASTION_KEY_REMOVE_ACTION } from '../../../bot/commands/bastion-key';
import { AwsClients } from '../../../ops/aws-clients';
import { parseAuthorizedKeyLine } from '../../../ops/keys/authorized-key-line';
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
const dev = config.environments.find((e) => e.name === 'dev')!;
const NOW = new Date('2026-11-26T12:00:00Z');
const keys = new TestKeys();
const mine = keys.generate('ed25519');
const theirs = keys.generate('ecdsa', { bits: 256 });

describe('/bastion-key', () => {
  let bot: TestBot;
  let ssm: FakeSsm;
  let cfn: { restore(): void };
  beforeAll(async () => {
    bot = await startTestBot({ config, now: () => NOW });
    cfn = fakeStacks({ 'wheelhouse-dev': exampleStackOutputs(dev) });
  });
  beforeEach(() => {
    ssm = new FakeSsm();
    bot.recorder.setGroupMembers('S0DEVELOPER', [PEOPLE.developer.userId, 'U0DEVELOP02']);
  });
  afterEach(() => ssm.mock.restore());
  afterAll(async () => {
    cfn.restore();
    keys.cleanup();
    await bot.stop();
  });

  it('stores an added key as one restricted authorized_keys line, tagged with owner and expiry', async () => {
    // WHEN
    const { ack } = await bot.command(
      PEOPLE.developer.userId,
      CHANNELS.dev,
      'bastion-key',
      `dev add ${mine.publicLine}`,
    );

    // THEN
    const shown = messageText(ack.body);
    expect(ack.body).toMatchObject({ response_type: 'ephemeral' });
    expect(shown).toContain('Added your ssh-ed25519 key `SHA256:');
    expect(shown).toContain('It expires 2026-12-26 13:00 CET.');
    const [parameter] = [...ssm.parameters.values()];
    expect(parameter!.name).toMatch(
      /^\/wheelhouse\/dev\/bastion\/authorized-keys\/SHA256-[A-Za-z0-9_-]{43}$/,
    );
    const base64 = mine.publicLine.split(' ')[1];
    expect(parameter!.value).toBe(
      `restrict,port-forwarding,permitopen="wheelhouse-dev.cluster-abc.eu-west-1.rds.amazonaws.com:5432",permitopen="wheelhouse-dev.cluster-ro-abc.eu-west-1.rds.amazonaws.com:5432",expiry-time="202612261200" ssh-ed25519 ${base64} wheelhouse:owner=${PEOPLE.developer.userId}:expires=2026-12-26T12:00:00.000Z`,
    );
    expect(parameter!.tags).toEqual({
      'wheelhouse:owner': PEOPLE.developer.userId,
      'wheelhouse:expires': '2026-12-26T12:00:00.000Z',
    });
    expect(bot.logs).toContainEqual(
      expect.objectContaining({
        audit: expect.objectContaining({
          command: '/bastion-key',
          args: expect.stringMatching(/^dev add SHA256:/),
          outcome: 'ok',
        }),
      }),
    );
  });

  it('renews the expiry when the owner adds the same key again, and refuses it to anyone else', async () => {
    // GIVEN
    await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'bastion-key', `dev add ${mine.publicLine}`);

    // WHEN
    const again = await bot.command(
      PEOPLE.developer.userId,
      CHANNELS.dev,
      'bastion-key',
      `dev add ${mine.publicLine}`,
    );
    const stolen = await bot.command(
      'U0DEVELOP02',
      CHANNELS.dev,
      'bastion-key',
      `dev add ${mine.publicLine}`,
    );

    // THEN
    expect(messageText(again.ack.body)).toContain('Renewed your ssh-ed25519 key');
    expect(messageText(stolen.ack.body)).toContain('is already registered in dev by someone else.');
    expect(ssm.parameters.size).toBe(1);
  });

  it('warns that a pasted private key is leaked, stores nothing and keeps it out of the audit log', async () => {
    // WHEN
    const { ack } = await bot.command(
      PEOPLE.developer.userId,
      CHANNELS.dev,
      'bastion-key',
      `dev add ${mine.privateText}`,
    );

    // THEN
    expect(messageText(ack.body)).toContain('That is a PRIVATE key. It is secret and is now exposed');
    expect(ssm.parameters.size).toBe(0);
    const body = mine.privateText.split('\n')[1]!;
    expect(JSON.stringify(bot.logs)).not.toContain(body.slice(0, 20));
    expect(JSON.stringify(bot.recorder.calls)).not.toContain(body.slice(0, 20));
  });

  it('lists fingerprints, owners and expiry, never key material, with Remove only on keys the person may remove', async () => {
    // GIVEN
    await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'bastion-key', `dev add ${mine.publicLine}`);
    await bot.command('U0DEVELOP02', CHANNELS.dev, 'bastion-key', `dev add ${theirs.publicLine}`);

    // WHEN
    const asDeveloper = await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'bastion-key', 'dev list');
    const asAdmin = await bot.command(PEOPLE.platform.userId, CHANNELS.dev, 'bastion-key', 'list');

    // THEN
    const shown = messageText(asDeveloper.ack.body);
    expect(shown).toContain(`of <@${PEOPLE.developer.userId}>: expires 2026-12-26 13:00 CET`);
    expect(shown).toContain('ecdsa-sha2-nistp256 of <@U0DEVELOP02>');
    expect(shown).not.toContain(mine.publicLine.split(' ')[1]!.slice(20, 60));
    expect(shown).not.toContain(theirs.publicLine.split(' ')[1]!.slice(20, 60));
    const buttons = (b: unknown) =>
      ((b as { blocks: { type: string; elements?: { action_id: string; value: string }[] }[] }).blocks ?? [])
        .filter((x) => x.type === 'actions')
        .flatMap((x) => x.elements ?? []);
    expect(buttons(asDeveloper.ack.body)).toHaveLength(1);
    expect(buttons(asDeveloper.ack.body)[0]).toMatchObject({ action_id: BASTION_KEY_REMOVE_ACTION });
    expect(buttons(asAdmin.ack.body)).toHaveLength(2);
  });

  it.each([
    ['the owner', PEOPLE.developer.userId, true, 'Removed your key'],
    ['an environment admin', PEOPLE.platform.userId, true, `Removed <@${PEOPLE.developer.userId}>'s key`],
    ['another developer', 'U0DEVELOP02', false, 'you may remove only your own keys'],
  ])('lets %s remove a key: %s', async (_who, userId, removed, message) => {
    // GIVEN
    await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'bastion-key', `dev add ${mine.publicLine}`);
    const value = parseAuthorizedKeyLine([...ssm.parameters.values()][0]!.value)!.fingerprint;

    // WHEN
    const { ack } = await bot.command(userId, CHANNELS.dev, 'bastion-key', `dev remove ${value}`);

    // THEN
    expect(messageText(ack.body)).toContain(message);
    expect(ssm.parameters.size).toBe(removed ? 0 : 1);
  });

  it('removes a key when its owner clicks Remove, replacing the list message', async () => {
    // GIVEN
    await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'bastion-key', `dev add ${mine.publicLine}`);
    const fingerprint = parseAuthorizedKeyLine([...ssm.parameters.values()][0]!.value)!.fingerprint;

    // WHEN
    const { ack, responseUrlId } = await bot.click(
      PEOPLE.developer.userId,
      CHANNELS.dev,
      BASTION_KEY_REMOVE_ACTION,
      `dev remove ${fingerprint}`,
    );

    // THEN
    expect(ack.status).toBe(200);
    await bot.recorder.waitFor(
      () => bot.recorder.responsesTo(responseUrlId).length === 1,
      3000,
      'the click reply',
    );
    const reply = bot.recorder.responsesTo(responseUrlId)[0]!;
    expect(reply).toMatchObject({ replace_original: true, response_type: 'ephemeral' });
    expect(messageText(reply)).toContain(`Removed your key \`${fingerprint}\` from *dev*`);
    expect(ssm.parameters.size).toBe(0);
  });

  it('refuses a click on Remove by someone who may not remove the key', async () => {
    // GIVEN
    await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'bastion-key', `dev add ${mine.publicLine}`);
    const fingerprint = parseAuthorizedKeyLine([...ssm.parameters.values()][0]!.value)!.fingerprint;

    // WHEN
    const { responseUrlId } = await bot.click(
      'U0DEVELOP02',
      CHANNELS.dev,
      BASTION_KEY_REMOVE_ACTION,
      `dev remove ${fingerprint}`,
    );

    // THEN
    await bot.recorder.waitFor(
      () => bot.recorder.responsesTo(responseUrlId).length === 1,
      3000,
      'the click reply',
    );
    expect(messageText(bot.recorder.responsesTo(responseUrlId)[0])).toContain(
      'you may remove only your own keys',
    );
    expect(ssm.parameters.size).toBe(1);
  });

  it.each([
    ['no subcommand', 'dev', 'Say what to do: add, list or remove.'],
    ['a bad fingerprint', 'dev remove MD5:aa:bb', 'Give the fingerprint of the key to remove'],
    ['list with an argument', 'dev list all', '`list` takes no argument.'],
    ['add with no key', 'dev add', 'Paste your public key after `add`.'],
  ])('answers %s with what to do', async (_name, text, message) => {
    const { ack } = await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'bastion-key', text);
    expect(messageText(ack.body)).toContain(message);
  });
});

describe('/bastion-key without AWS credentials', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot({
      config,
      now: () => NOW,
      aws: new AwsClients({ credentials: noCredentials, endpoint: UNREACHABLE_AWS_ENDPOINT }),
    });
    bot.recorder.setGroupMembers('S0DEVELOPER', [PEOPLE.developer.userId]);
  });
  afterAll(() => bot.stop());

  it('shows the plan of an add: the stack it reads and the parameter it would write', async () => {
    // WHEN
    const { ack } = await bot.command(
      PEOPLE.developer.userId,
      CHANNELS.dev,
      'bastion-key',
      `dev add ${mine.publicLine}`,
    );

    // THEN
    const shown = messageText(ack.body);
    expect(shown).toContain('Plan only: no AWS credentials, nothing was changed.');
    expect(shown).toContain('cloudformation:DescribeStacks wheelhouse-dev');
    expect(shown).toMatch(/ssm:PutParameter \/wheelhouse\/dev\/bastion\/authorized-keys\/SHA256-/);
    expect(shown).toContain('permitopen="<DatabaseWriterEndpoint>:<DatabasePort>"');
  });

  it('shows the plan of a remove', async () => {
    const { ack } = await bot.command(
      PEOPLE.developer.userId,
      CHANNELS.dev,
      'bastion-key',
      'dev remove SHA256:kub77RYh1fXxmavuGW3Pn7DxT8mQhncZ/LyqvTwGUyA',
    );
    expect(messageText(ack.body)).toContain(
      'ssm:DeleteParameter /wheelhouse/dev/bastion/authorized-keys/SHA256-kub77RYh1fXxmavuGW3Pn7DxT8mQhncZ_LyqvTwGUyA',
    );
  });

  it('says that credentials are missing for list, which only reads', async () => {
    const { ack } = await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'bastion-key', 'dev list');
    expect(messageText(ack.body)).toContain(
      'AWS credentials are missing: cannot list the bastion keys of dev.',
    );
  });
});
