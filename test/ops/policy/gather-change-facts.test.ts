/**
 * `gatherChangeFacts` against the real lookups: the deploy-state table in dynalite (a DynamoDB protocol
 * server; the lock and the sign-off are GetItem reads,
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html) and the images in
 * moto_server's ECR (DescribeImages by tag, which fails with ImageNotFoundException for a missing one,
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImages.html, then ListImages for
 * the closest tags, https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ListImages.html).
 *
 * One `AwsClients` reaches both servers the way the SDK allows one service's endpoint to differ from
 * another's: the service-specific variables `AWS_ENDPOINT_URL_DYNAMODB` and `AWS_ENDPOINT_URL_ECR`
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).
 */
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { deployStateTableName } from '../../../config';
import { AwsClients } from '../../../ops/aws-clients';
import { DeployStateStore } from '../../../ops/deploy/deploy-state';
import { type ChangeRequest, gatherChangeFacts } from '../../../ops/policy/change-facts';
import { decideChange } from '../../../ops/policy/decide-change';
import { TEST_CREDENTIALS } from '../../support/aws-fakes';
import { actorFor, EXAMPLE_CONFIG, exampleEnvironment, TIMES } from '../../support/change-facts';
import { type RunningDynalite, startDynalite } from '../../support/dynalite';
import { freePort } from '../../support/embedded-postgres';
import { type MotoServer, startMotoServer } from '../../support/moto-server';

const config = EXAMPLE_CONFIG;
const prod = exampleEnvironment('prod');
const stage = exampleEnvironment('stage');
const NOW = TIMES.mondayMorning;
const minutesAfter = (n: number) => new Date(NOW.getTime() + n * 60_000);
const RELEASE_TAGS = ['v1.4.2', 'v1.5.0', 'v1.5.1'];

function manifest(n: number): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      size: 100 + n,
      digest: `sha256:${String(n).padStart(64, '0')}`,
    },
    layers: [],
  });
}

/** A request with the defaults of test/support/change-facts.ts: a CI deploy of prod on Monday morning. */
function request(overrides: Partial<ChangeRequest> = {}): ChangeRequest {
  const caller = overrides.caller ?? 'ci';
  return {
    action: 'deploy',
    caller,
    environment: prod,
    actor: actorFor(caller),
    version: 'v1.5.0',
    scale: null,
    freezeOverride: null,
    approval: { status: 'none' },
    now: NOW,
    ...overrides,
  };
}

describe('gatherChangeFacts (dynalite and moto_server)', () => {
  let moto: MotoServer;
  let dynalite: RunningDynalite;
  let aws: AwsClients;
  let store: DeployStateStore;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    moto = await startMotoServer();
  }, 30_000);
  afterAll(async () => {
    await moto.stop();
  });

  beforeEach(async () => {
    // GIVEN the release repository with three tags, and empty deploy-state tables
    await moto.reset();
    dynalite = await startDynalite();
    for (const env of [prod, stage]) await dynalite.createDeployStateTable(deployStateTableName(env));
    process.env.AWS_ENDPOINT_URL_DYNAMODB = dynalite.endpoint;
    process.env.AWS_ENDPOINT_URL_ECR = moto.endpoint;
    const ecr = new ECRClient({
      endpoint: moto.endpoint,
      region: config.registry.region,
      credentials: TEST_CREDENTIALS,
    });
    await ecr.send(
      new CreateRepositoryCommand({
        registryId: config.registry.account,
        repositoryName: prod.images.repositoryName,
      }),
    );
    for (const [n, tag] of RELEASE_TAGS.entries()) {
      await ecr.send(
        new PutImageCommand({
          repositoryName: prod.images.repositoryName,
          imageManifest: manifest(n),
          imageTag: tag,
        }),
      );
    }
    ecr.destroy();
    aws = new AwsClients({ credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    store = new DeployStateStore(aws, prod);
  });
  afterEach(async () => {
    await aws.destroy();
    await dynalite.close();
    process.env = { ...savedEnv };
  });

  it('finds the image, no lock and a valid sign-off for a CI deploy of a signed-off release to prod', async () => {
    // GIVEN
    await store.recordSignOff('v1.5.0', { id: 'U0PLATFORM1', name: 'pat' }, minutesAfter(-60));

    // WHEN
    const facts = await gatherChangeFacts(aws, config, request());

    // THEN
    expect(facts).toMatchObject({
      ...request(),
      timeZone: 'Europe/Berlin',
      image: { found: true, repository: 'wheelhouse/service' },
      lock: null,
      signOff: { status: 'valid', signOff: { version: 'v1.5.0', by: 'U0PLATFORM1', byName: 'pat' } },
    });
    expect(decideChange(facts)).toMatchObject({ outcome: 'allow' });
  });

  it('says which close tags there are when the image is missing, and that no sign-off exists', async () => {
    const facts = await gatherChangeFacts(aws, config, request({ version: 'v1.5' }));
    expect(facts.image).toEqual({
      found: false,
      repository: 'wheelhouse/service',
      closest: ['v1.5.0', 'v1.5.1', 'v1.4.2'],
    });
    expect(facts.signOff).toEqual({ status: 'missing' });
    expect(decideChange(facts)).toMatchObject({
      outcome: 'refuse',
      refusal: { rule: 'image-exists', reason: 'There is no image `v1.5` in wheelhouse/service.' },
    });
  });

  it('reads a sign-off past its expiry as expired', async () => {
    // GIVEN a sign-off 8 days old (prod's deploy.signOffExpiryDays is 7)
    await store.recordSignOff('v1.5.0', { id: 'U0PLATFORM1', name: 'pat' }, minutesAfter(-8 * 24 * 60));

    // WHEN
    const facts = await gatherChangeFacts(aws, config, request({ caller: 'cli' }));

    // THEN
    expect(facts.signOff).toMatchObject({ status: 'expired', signOff: { byName: 'pat' } });
    expect(decideChange(facts)).toMatchObject({ outcome: 'needs', needs: [{ rule: 'sign-off' }] });
  });

  it('reads the lock someone else holds, for a deploy and a rollback', async () => {
    // GIVEN
    await store.acquireLock({ owner: 'U0SAM00001', ownerName: 'sam', reason: 'db migration' }, 'manual', NOW);

    // WHEN
    const deploy = await gatherChangeFacts(aws, config, request({ now: minutesAfter(5) }));
    const rollback = await gatherChangeFacts(
      aws,
      config,
      request({
        action: 'rollback',
        version: 'v1.4.2',
        caller: 'slack',
        actor: actorFor('slack'),
        now: minutesAfter(5),
      }),
    );

    // THEN
    for (const facts of [deploy, rollback]) {
      expect(facts.lock).toMatchObject({
        owner: 'U0SAM00001',
        ownerName: 'sam',
        reason: 'db migration',
        stale: false,
      });
      expect(decideChange(facts)).toMatchObject({ outcome: 'refuse', refusal: { rule: 'lock' } });
    }
    expect(rollback.image).toEqual({ found: true, repository: 'wheelhouse/service' });
    expect(rollback.signOff).toEqual({ status: 'missing' });
  });

  it('reads a lock past its expiry as still held, flagged stale: it counts as a lock, not as none', async () => {
    // Decision: ops/deploy/deploy-state.ts keeps a lock until it is released or taken over after a
    // whole lease unchanged; its expiresAt (the holder's wall clock) decides nothing. So the policy's
    // early refusal agrees with the fence that beginDeploy's conditional write is.
    // GIVEN a lock taken at NOW, read 61 minutes later (prod's deploy.lockTtlMinutes is 60)
    await store.acquireLock(
      { owner: 'U0SAM00001', ownerName: 'sam', reason: 'deploy v1.5.1' },
      'deploy',
      NOW,
    );

    // WHEN
    const facts = await gatherChangeFacts(aws, config, request({ now: minutesAfter(61) }));

    // THEN
    expect(facts.lock).toMatchObject({ owner: 'U0SAM00001', stale: true });
    expect(decideChange(facts)).toMatchObject({
      outcome: 'refuse',
      refusal: { rule: 'lock', hint: expect.stringContaining('/unlock prod --force') },
    });
  });

  it('reads the caller’s own lock as its own', async () => {
    await store.acquireLock(
      { owner: actorFor('ci').id, ownerName: 'github-actions', reason: 'deploy' },
      'manual',
      NOW,
    );
    const facts = await gatherChangeFacts(aws, config, request());
    expect(facts.lock).toMatchObject({ owner: actorFor('ci').id });
    expect(decideChange(facts)).toMatchObject({ outcome: 'needs', needs: [{ rule: 'sign-off' }] });
  });

  it('looks up no sign-off in an unprotected environment, nor for a deploy without a version', async () => {
    // GIVEN sign-offs that would be found if they were looked up
    await new DeployStateStore(aws, stage).recordSignOff('v1.5.0', { id: 'U0PLATFORM1', name: 'pat' }, NOW);

    // WHEN
    const toStage = await gatherChangeFacts(aws, config, request({ environment: stage }));
    const infrastructureOnly = await gatherChangeFacts(aws, config, request({ version: null }));

    // THEN
    expect(toStage).toMatchObject({
      image: { found: true, repository: 'wheelhouse/service' },
      signOff: null,
    });
    expect(infrastructureOnly).toMatchObject({ image: null, signOff: null, lock: null });
    expect(decideChange(infrastructureOnly)).toMatchObject({
      outcome: 'refuse',
      refusal: { rule: 'sign-off' },
    });
  });

  it('looks up a protected environment’s sign-off for a Slack deploy too (the approval request shows it)', async () => {
    await store.recordSignOff('v1.5.1', { id: 'U0PLATFORM1', name: 'pat' }, NOW);
    const facts = await gatherChangeFacts(
      aws,
      config,
      request({ caller: 'slack', actor: actorFor('slack'), version: 'v1.5.1' }),
    );
    expect(facts.signOff).toMatchObject({ status: 'valid' });
  });

  it('looks nothing up for a scale, even with a lock held', async () => {
    // GIVEN a lock held, and clients whose every endpoint is a closed port: any call would fail
    await store.acquireLock({ owner: 'U0SAM00001', ownerName: 'sam', reason: 'db migration' }, 'manual', NOW);
    const scale = request({
      action: 'scale',
      version: null,
      scale: { target: { kind: 'count', count: 20 }, toZero: false, currentBounds: null },
    });
    const closed = `http://127.0.0.1:${await freePort()}`;
    const unreachable = new AwsClients({ credentials: TEST_CREDENTIALS, maxAttempts: 1, endpoint: closed });

    // WHEN
    const offline = await gatherChangeFacts(unreachable, config, scale);
    const online = await gatherChangeFacts(aws, config, scale);
    await unreachable.destroy();

    // THEN
    for (const facts of [offline, online]) {
      expect(facts).toMatchObject({ image: null, lock: null, signOff: null, timeZone: 'Europe/Berlin' });
    }
    expect(decideChange(online)).toMatchObject({ outcome: 'needs', needs: [{ rule: 'approval' }] });
  });
});
