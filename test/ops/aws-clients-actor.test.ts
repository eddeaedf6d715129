/**
 * `AwsClients.actingFor`: the operator role's sessions carry who acted, against moto_server (an
 * implementation of STS that is not ours). AssumeRole's SourceIdentity and Tags are STS's
 * (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html; what CloudTrail then shows:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html and
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html). moto 5 accepts both but neither
 * keeps nor echoes them back (its AssumeRole answer has no SourceIdentity), so these tests read them from
 * the request as it went over the wire, recorded by a proxy in front of moto (test/support/recording-proxy.ts),
 * rather than from an SDK middleware: the wire is what AWS reads. moto answers each AssumeRole with a new
 * access key, so which key signed a later call says which session made it.
 */
import { findEnvironment } from '../../config';
import type { AwsActor } from '../../ops/aws-actor';
import { AwsClients, MAX_ACTORS } from '../../ops/aws-clients';
import { listBastionKeys } from '../../ops/bastion-keys';
import { TEST_CREDENTIALS } from '../support/aws-fakes';
import { decodeQuery, type QueryValue } from '../support/aws-wire';
import { exampleConfig } from '../support/example-config';
import { type MotoServer, startMotoServer } from '../support/moto-server';
import { type ProxiedExchange, RecordingProxy } from '../support/recording-proxy';

jest.setTimeout(60_000);

const config = exampleConfig();
const dev = findEnvironment(config, 'dev');
const NOW = new Date('2030-01-01T12:00:00Z');
const DEV_OPERATOR = 'arn:aws:iam::222222222222:role/wheelhouse-dev-operator';

const alice: AwsActor = { via: 'slack', userId: 'U0ALICE01', userName: 'alice' };
const bob: AwsActor = { via: 'slack', userId: 'U0BOB0002', userName: 'Bob Builder' };

let moto: MotoServer;
let proxy: RecordingProxy;
let aws: AwsClients;

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
  proxy.exchanges.length = 0;
  aws = new AwsClients({
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
    endpoint: proxy.url,
    assumeOperatorRole: true,
  });
});
afterEach(async () => {
  await aws.destroy();
});

/** The AssumeRole requests that went out, decoded, with the access key moto answered each with. */
function assumeRoles(): { params: Record<string, QueryValue>; issuedKey: string | null }[] {
  return proxy.exchanges
    .filter((e) => e.body.startsWith('Action=AssumeRole&'))
    .map((e) => ({
      params: decodeQuery(e.body).params,
      issuedKey: /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(e.answer)?.[1] ?? null,
    }));
}

/** The access key that signed each SSM call (SigV4 `Credential=<key>/<scope>`). */
function ssmSigners(): (string | null)[] {
  return proxy.exchanges
    .filter((e: ProxiedExchange) => String(e.headers['x-amz-target'] ?? '').startsWith('AmazonSSM.'))
    .map((e) => /Credential=([^/]+)\//.exec(String(e.headers.authorization ?? ''))?.[1] ?? null);
}

describe('AwsClients acting for a person', () => {
  it('gives two Slack users two sessions of the operator role, each carrying who they are', async () => {
    // WHEN each runs a command that reads the environment
    await listBastionKeys(aws.actingFor(alice), dev, NOW);
    await listBastionKeys(aws.actingFor(bob), dev, NOW);

    // THEN two AssumeRole requests, one per person, each with their source identity, tags and session name
    const assumed = assumeRoles();
    expect(assumed.map((a) => a.params)).toEqual([
      {
        RoleArn: DEV_OPERATOR,
        RoleSessionName: 'slack-U0ALICE01-alice',
        SourceIdentity: 'slack-U0ALICE01',
        Tags: [
          { Key: 'wheelhouse:actor', Value: 'alice' },
          { Key: 'wheelhouse:via', Value: 'slack' },
        ],
      },
      {
        RoleArn: DEV_OPERATOR,
        RoleSessionName: 'slack-U0BOB0002-Bob-Builder',
        SourceIdentity: 'slack-U0BOB0002',
        Tags: [
          { Key: 'wheelhouse:actor', Value: 'Bob Builder' },
          { Key: 'wheelhouse:via', Value: 'slack' },
        ],
      },
    ]);
    // AND each person's call was signed with their own session, not a shared one
    const [aliceKey, bobKey] = assumed.map((a) => a.issuedKey);
    expect(aliceKey).not.toBe(bobKey);
    expect(ssmSigners()).toEqual([aliceKey, bobKey]);
    // AND STS was called with the process's own credentials
    const stsSigner = proxy.exchanges.find((e) => e.body.startsWith('Action=AssumeRole&'))!;
    expect(String(stsSigner.headers.authorization)).toContain(`Credential=${TEST_CREDENTIALS.accessKeyId}/`);
  });

  it("reuses a person's session for their next command, and keeps the other person's apart", async () => {
    // WHEN alice runs two commands (the dispatcher asks for her clients each time), bob one in between
    await listBastionKeys(aws.actingFor(alice), dev, NOW);
    await listBastionKeys(aws.actingFor(bob), dev, NOW);
    await listBastionKeys(aws.actingFor({ ...alice }), dev, NOW);

    // THEN one AssumeRole each, and alice's second call signed with her first session
    const assumed = assumeRoles();
    expect(assumed.map((a) => a.params.SourceIdentity)).toEqual(['slack-U0ALICE01', 'slack-U0BOB0002']);
    const [aliceKey, bobKey] = assumed.map((a) => a.issuedKey);
    expect(ssmSigners()).toEqual([aliceKey, bobKey, aliceKey]);
  });

  it('puts the requester in the source identity and the approver in a tag of an approved change', async () => {
    // WHEN a change bob approved is made for alice
    await listBastionKeys(aws.actingFor({ ...alice, approvedBy: bob.userId }), dev, NOW);

    // THEN
    expect(assumeRoles().map((a) => a.params)).toEqual([
      expect.objectContaining({
        SourceIdentity: 'slack-U0ALICE01',
        Tags: expect.arrayContaining([{ Key: 'wheelhouse:approved-by', Value: 'U0BOB0002' }]),
      }),
    ]);
  });

  it('names the GitHub Actions run of a CI deploy in its source identity and tags', async () => {
    // WHEN
    const run: AwsActor = { via: 'ci', runId: '4242', repository: 'acme/wheelhouse', actor: 'octocat' };
    await listBastionKeys(aws.actingFor(run), dev, NOW);

    // THEN
    expect(assumeRoles().map((a) => a.params)).toEqual([
      {
        RoleArn: DEV_OPERATOR,
        RoleSessionName: 'gh-4242-octocat',
        SourceIdentity: 'gh-4242',
        Tags: [
          { Key: 'wheelhouse:actor', Value: 'octocat' },
          { Key: 'wheelhouse:via', Value: 'ci' },
          { Key: 'wheelhouse:run', Value: 'github.com/acme/wheelhouse/actions/runs/4242' },
        ],
      },
    ]);
  });

  it('assumes nothing without operator roles: the process credentials are the caller, as CloudTrail shows', async () => {
    // GIVEN a person's own credentials (no role to assume)
    await aws.destroy();
    aws = new AwsClients({ credentials: TEST_CREDENTIALS, maxAttempts: 1, endpoint: proxy.url });

    // WHEN
    await listBastionKeys(aws.actingFor(alice), dev, NOW);

    // THEN
    expect(assumeRoles()).toEqual([]);
    expect(ssmSigners()).toEqual([TEST_CREDENTIALS.accessKeyId]);
  });
});

describe('the actors AwsClients keeps', () => {
  it(`keeps the ${MAX_ACTORS} most recently active, so that a long-running bot's memory stays flat`, () => {
    // GIVEN alice, then as many others as the bound
    const clients = new AwsClients({ credentials: TEST_CREDENTIALS });
    const first = clients.actingFor(alice);
    const user1 = clients.actingFor({ via: 'cli', osUser: 'user1' });
    for (let i = 2; i < MAX_ACTORS; i++) clients.actingFor({ via: 'cli', osUser: `user${i}` });
    // alice is still kept, and becomes the most recently active again
    expect(clients.actingFor(alice)).toBe(first);

    // WHEN one more person arrives
    clients.actingFor({ via: 'cli', osUser: 'newcomer' });

    // THEN the least recently active (user1) was let go, alice was not
    expect(clients.actingFor(alice)).toBe(first);
    expect(clients.actingFor({ via: 'cli', osUser: 'user1' })).not.toBe(user1);
  });
});
