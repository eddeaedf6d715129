import { PassThrough, Writable } from 'node:stream';
import { runShell } from '../../../bot/adapters/shell';
import { BASTION_KEY_REMOVE_ACTION } from '../../../bot/commands/bastion-key';
import { COMMANDS } from '../../../bot/commands/registry';
import { AwsClients } from '../../../ops/aws-clients';
import { createLogger } from '../../../ops/logger';
import {
  exampleStackOutputs,
  FakeSsm,
  fakeStacks,
  TEST_CREDENTIALS,
  UNREACHABLE_AWS_ENDPOINT,
} from '../../support/aws-fakes';
import { TestKeys } from '../../support/ssh-keys';
import { PEOPLE, testConfig } from '../fixtures/test-config';

const config = testConfig();
const dev = config.environments.find((e) => e.name === 'dev')!;

async function converse(lines: readonly string[]): Promise<string> {
  const input = new PassThrough();
  let output = '';
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      output += chunk.toString();
      done();
    },
  });
  const running = runShell({
    config,
    commands: COMMANDS,
    aws: new AwsClients({ credentials: TEST_CREDENTIALS, endpoint: UNREACHABLE_AWS_ENDPOINT }),
    logger: createLogger({ level: 'silent', destination: sink }),
    user: { id: PEOPLE.developer.userId, name: 'dev', groups: ['S0DEVELOPER'], channelId: 'shell' },
    input,
    output: sink,
    banner: 'hello',
  });
  input.end(`${lines.join('\n')}\n`);
  await running;
  return output;
}

describe('the local shell', () => {
  const keys = new TestKeys();
  let ssm: FakeSsm;
  let cfn: { restore(): void };
  beforeAll(() => {
    ssm = new FakeSsm();
    cfn = fakeStacks({ 'wheelhouse-dev': exampleStackOutputs(dev) });
  });
  afterAll(() => {
    ssm.mock.restore();
    cfn.restore();
    keys.cleanup();
  });

  it('runs the same commands as the person, with or without the slash, and presses numbered buttons', async () => {
    // WHEN
    const output = await converse([
      `/bastion-key dev add ${keys.generate('ed25519').publicLine}`,
      'bastion-key dev list',
      'click 1',
      'click 7',
      '/nope',
    ]);

    // THEN
    expect(output).toContain('hello\ndev> ');
    expect(output).toContain('Added your ssh-ed25519 key `SHA256:');
    expect(output).toMatch(/\[1\] Remove {2}\(type: click 1\)/);
    expect(output).toContain('Removed your key `SHA256:');
    expect(output).toContain('There is no button 7.');
    expect(output).toContain('There is no /nope command.');
    expect(ssm.parameters.size).toBe(0);
  });

  it('uses the Remove button action of /bastion-key', () => {
    expect(BASTION_KEY_REMOVE_ACTION).toBe('bastion_key_remove');
  });
});
