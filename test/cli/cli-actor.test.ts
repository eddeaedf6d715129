/**
 * Who the command line's AWS calls are made for: with WHEELHOUSE_ASSUME_OPERATOR_ROLE=true, the
 * operator role's session carries the run's source identity and session tags, so that CloudTrail
 * shows the GitHub run or the person, not only CI's role
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html). Against moto_server's STS,
 * read from the AssumeRole request as it went over the wire (moto does not echo SourceIdentity back;
 * see test/ops/aws-clients-actor.test.ts), through `main` with no AWS clients given, as CI runs it.
 */
import { main } from '../../cli/main';
import { TEST_CREDENTIALS } from '../support/aws-fakes';
import { decodeQuery, type QueryValue } from '../support/aws-wire';
import { EXAMPLE_CONFIG_PATH } from '../support/example-config';
import { type MotoServer, startMotoServer } from '../support/moto-server';
import { RecordingProxy } from '../support/recording-proxy';

jest.setTimeout(60_000);

let moto: MotoServer;
let proxy: RecordingProxy;
const saved = { ...process.env };

beforeAll(async () => {
  moto = await startMotoServer();
  proxy = await RecordingProxy.start(moto.endpoint);
});
afterAll(async () => {
  await proxy.close();
  await moto.stop();
});
beforeEach(() => {
  proxy.exchanges.length = 0;
  // The SDK reads its endpoint and credentials from the process's environment, as in CI.
  process.env.AWS_ENDPOINT_URL = proxy.url;
  process.env.AWS_ACCESS_KEY_ID = TEST_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = TEST_CREDENTIALS.secretAccessKey;
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
});
afterEach(() => {
  process.env = { ...saved };
});

/** Runs `wheelhouse status --env dev` with `env`; resolves once it ended (moto has no stack: it may fail). */
async function status(env: NodeJS.ProcessEnv): Promise<void> {
  const sink = { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream;
  await main(['status', '--env', 'dev'], {
    env: {
      ...process.env,
      WHEELHOUSE_CONFIG: EXAMPLE_CONFIG_PATH,
      WHEELHOUSE_ASSUME_OPERATOR_ROLE: 'true',
      ...env,
    },
    stdout: sink,
    stderr: sink,
    osUser: () => 'dana',
  });
}

/** The parameters of the AssumeRole requests that went out. */
function assumeRoles(): Record<string, QueryValue>[] {
  return proxy.exchanges
    .filter((e) => e.body.startsWith('Action=AssumeRole&'))
    .map((e) => decodeQuery(e.body).params);
}

describe('the command line acting for its run', () => {
  it('carries the GitHub run as the source identity and session tags of the operator role', async () => {
    // WHEN CI runs a command through dev's operator role
    await status({
      GITHUB_ACTIONS: 'true',
      GITHUB_RUN_ID: '4242',
      GITHUB_ACTOR: 'octocat',
      GITHUB_REPOSITORY: 'acme/wheelhouse',
    });

    // THEN every AssumeRole says which run it is for
    const requests = assumeRoles();
    expect(requests.length).toBeGreaterThan(0);
    for (const params of requests) {
      expect(params.RoleArn).toBe('arn:aws:iam::222222222222:role/wheelhouse-dev-operator');
      expect(params.SourceIdentity).toBe('gh-4242');
      expect(JSON.stringify(params)).toContain('octocat');
    }
  });

  it('carries the operating-system user at a terminal', async () => {
    // WHEN a person runs it locally through the operator role
    await status({});

    // THEN
    const requests = assumeRoles();
    expect(requests.length).toBeGreaterThan(0);
    for (const params of requests) expect(params.SourceIdentity).toBe('cli-dana');
  });
});
