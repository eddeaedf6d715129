import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { deployStateTableName } from '../../config';
import { AwsClients } from '../../ops/aws-clients';
import { DeployStateStore } from '../../ops/deploy/deploy-state';
import { LockSightings } from '../../ops/deploy/lock-sightings';
import { testConfig } from '../bot/fixtures/test-config';
import { TEST_CREDENTIALS } from '../support/aws-fakes';
import { type RunningDynalite, startDynalite } from '../support/dynalite';

const dev = testConfig().environments.find((e) => e.name === 'dev')!;
const NOW = new Date('2026-11-25T12:00:00Z');
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);

describe('deploy state in DynamoDB (conditional writes against a real protocol server)', () => {
  let dynalite: RunningDynalite;
  let aws: AwsClients;
  let store: DeployStateStore;
  beforeEach(async () => {
    dynalite = await startDynalite();
    await dynalite.createDeployStateTable(deployStateTableName(dev));
    aws = new AwsClients({ credentials: TEST_CREDENTIALS, maxAttempts: 1, endpoint: dynalite.endpoint });
    store = new DeployStateStore(aws, dev);
  });
  afterEach(async () => {
    await aws.destroy();
    await dynalite.close();
  });

  const holder = (owner: string) => ({ owner, ownerName: owner.toLowerCase(), reason: 'deploy v1' });

  it('gives the lock to exactly one of 20 concurrent acquirers', async () => {
    // WHEN
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.acquireLock(holder(`U${i}`), 'deploy', NOW)),
    );

    // THEN
    const winners = results.filter((r) => r.acquired);
    expect(winners).toHaveLength(1);
    const owner = winners[0]!.acquired ? winners[0]!.lock.owner : '';
    for (const r of results.filter((x) => !x.acquired)) expect(r).toMatchObject({ holder: { owner } });
  });

  // The approach of the AWS DynamoDB Lock Client
  // (https://aws.amazon.com/blogs/database/building-distributed-locks-with-the-dynamodb-lock-client/):
  // a contender takes over only a lock whose record version number it has itself seen unchanged for
  // a whole lease on its own monotonic clock, and the takeover is a put conditional on that version
  // (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html).
  it('does not take over a lock because its expiresAt is past by the contender’s wall clock, only after seeing its rvn unchanged for a lease on its own monotonic clock', async () => {
    // GIVEN a lock taken at NOW (lease 60 minutes), and a contender whose wall clock runs 61 minutes ahead
    await store.acquireLock(holder('UOLD'), 'deploy', NOW);
    let mono = 1_000;
    const contender = new DeployStateStore(aws, dev, {
      monotonicNow: () => mono,
      sightings: new LockSightings(),
    });

    // WHEN it tries at once, and again 59 minutes later on its own clock
    const first = await contender.acquireLock(holder('UNEW'), 'deploy', minutes(61));
    mono += 59 * 60_000;
    const early = await contender.acquireLock(holder('UNEW'), 'deploy', minutes(120));
    mono += 60_000;
    const late = await contender.acquireLock(holder('UNEW'), 'deploy', minutes(121));

    // THEN it refused until it had watched the same rvn for the whole lease, then took over
    expect(first).toMatchObject({ acquired: false, holder: { owner: 'UOLD', stale: true } });
    expect(early).toMatchObject({ acquired: false, holder: { owner: 'UOLD', stale: true } });
    expect(late).toMatchObject({ acquired: true, lock: { owner: 'UNEW' }, tookOverFrom: { owner: 'UOLD' } });
    expect(await store.readLock(minutes(121))).toMatchObject({ owner: 'UNEW' });
  });

  it('starts watching again when the holder renews (a new rvn), whatever the expiresAt says', async () => {
    // GIVEN
    const held = await store.acquireLock(holder('UOLD'), 'deploy', NOW);
    if (!held.acquired) throw new Error('not acquired');
    let mono = 0;
    const contender = new DeployStateStore(aws, dev, {
      monotonicNow: () => mono,
      sightings: new LockSightings(),
    });
    await contender.acquireLock(holder('UNEW'), 'deploy', minutes(61));

    // WHEN the holder renews 50 minutes into the contender's watch, and the contender tries 20 minutes after
    mono += 50 * 60_000;
    expect(await store.renewLock(held.lock, minutes(1))).toMatchObject({ renewed: true });
    await contender.acquireLock(holder('UNEW'), 'deploy', minutes(111));
    mono += 20 * 60_000;
    const after = await contender.acquireLock(holder('UNEW'), 'deploy', minutes(131));

    // THEN 70 minutes of watching, but only 20 of the current rvn: refused
    expect(after).toMatchObject({ acquired: false, holder: { owner: 'UOLD' } });
  });

  it('makes the takeover conditional on the rvn seen: a renewal by the holder in between wins', async () => {
    // GIVEN a contender read the lock (its rvn), and then the holder renewed it
    const held = await store.acquireLock(holder('UOLD'), 'deploy', NOW);
    if (!held.acquired) throw new Error('not acquired');
    const seen = await store.readLock(minutes(61));
    if (!seen) throw new Error('no lock');
    expect(await store.renewLock(held.lock, minutes(1))).toMatchObject({ renewed: true });

    // WHEN the contender takes over what it saw
    const taken = await store.takeOverLock(holder('UNEW'), 'deploy', minutes(61), seen);

    // THEN the put is refused and the holder keeps its lock
    expect(taken).toMatchObject({ acquired: false, holder: { owner: 'UOLD' } });
    expect(await store.readLock(minutes(61))).toMatchObject({ owner: 'UOLD', token: held.lock.token });
  });

  it('reads a lock past its expiresAt as held, flagged as looking stale', async () => {
    await store.acquireLock(holder('UOLD'), 'manual', NOW);
    expect(await store.readLock(minutes(61))).toMatchObject({ owner: 'UOLD', stale: true });
    expect(await store.readLock(minutes(59))).toMatchObject({ owner: 'UOLD', stale: false });
  });

  it('releases only for the holder (token) or the named owner', async () => {
    // GIVEN
    const taken = await store.acquireLock(holder('UONE'), 'manual', NOW);
    if (!taken.acquired) throw new Error('not acquired');

    // WHEN / THEN
    expect(await store.releaseLock({ token: 'not-the-token' })).toBeNull();
    expect(await store.releaseLock({ owner: 'UTWO' })).toBeNull();
    expect(await store.releaseLock({ token: taken.lock.token })).toMatchObject({ owner: 'UONE' });
    expect(await store.readLock(NOW)).toBeNull();
  });

  it('renews a held lock with a new rvn, and calls a lock taken over lost', async () => {
    const first = await store.acquireLock(holder('UONE'), 'deploy', NOW);
    if (!first.acquired) throw new Error('not acquired');
    const renewed = await store.renewLock(first.lock, minutes(30));
    expect(renewed).toMatchObject({ renewed: true, lock: { token: first.lock.token } });
    expect(renewed.renewed && renewed.lock.rvn).not.toBe(first.lock.rvn);
    expect((await store.readLock(minutes(80)))?.owner).toBe('UONE');
    await store.releaseLock({});
    await store.acquireLock(holder('UTWO'), 'deploy', minutes(100));
    expect(await store.renewLock(first.lock, minutes(100))).toMatchObject({
      renewed: false,
      loss: { why: 'taken-over', by: 'utwo' },
    });
  });

  it('calls a renewal after an admin force-released the lock lost, and says who released it', async () => {
    // GIVEN a deploy's lock, released by an admin (`/unlock dev --force`)
    const held = await store.acquireLock(holder('UONE'), 'deploy', NOW);
    if (!held.acquired) throw new Error('not acquired');
    expect(await store.releaseLock({}, { id: 'UADMIN', name: 'pat' })).toMatchObject({ owner: 'UONE' });

    // WHEN the deploy's heartbeat renews
    const result = await store.renewLock(held.lock, minutes(20));

    // THEN the renewal is refused (its condition on the token fails), and the lock stays free
    expect(result).toMatchObject({
      renewed: false,
      loss: { why: 'released', by: 'pat', message: 'the lock on dev was released by pat' },
    });
    expect(await store.readLock(minutes(20))).toBeNull();
  });

  it('approves a pending request exactly once, however many approvers click at once', async () => {
    // GIVEN
    const request = await store.requestApproval('deploy', '{}', 'UREQ', NOW);

    // WHEN
    const results = await Promise.all(
      ['UA', 'UB', 'UC', 'UA', 'UB'].map((by) =>
        store.decideApproval(request.id, 'approved', by, minutes(1), 'deploy'),
      ),
    );

    // THEN
    expect(results.filter((r) => r.decided)).toHaveLength(1);
    expect(results.filter((r) => !r.decided).map((r) => !r.decided && r.why)).toEqual(
      Array(4).fill('already-decided'),
    );
  });

  it.each([
    ['the requester', 'UREQ', 1, 'own-request'],
    ['anyone after the expiry (30 minutes)', 'UA', 31, 'expired'],
  ])('refuses a decision by %s', async (_who, by, after, why) => {
    const request = await store.requestApproval('deploy', '{}', 'UREQ', NOW);
    expect(await store.decideApproval(request.id, 'approved', by, minutes(after), 'deploy')).toMatchObject({
      decided: false,
      why,
    });
  });

  it('leaves a request of another kind pending: the kind is part of the conditional write', async () => {
    // GIVEN a deploy request
    const request = await store.requestApproval('deploy', '{"version":"v1.5.0"}', 'UREQ', NOW);

    // WHEN an approver runs `/scale dev approve <that id>`
    const result = await store.decideApproval(request.id, 'approved', 'UA', minutes(1), 'scale');

    // THEN it is refused as the wrong kind, and the item as stored is still pending
    expect(result).toMatchObject({ decided: false, why: 'wrong-kind', request: { kind: 'deploy' } });
    const { Item: raw } = await (await aws.dynamoDb(dev)).send(
      new GetItemCommand({
        TableName: deployStateTableName(dev),
        Key: { pk: { S: 'approval' }, sk: { S: request.id } },
        ConsistentRead: true,
      }),
    );
    expect(raw).toMatchObject({ status: { S: 'pending' } });
    expect(raw).not.toHaveProperty('decidedBy');
    expect(await store.decideApproval(request.id, 'approved', 'UA', minutes(1), 'deploy')).toMatchObject({
      decided: true,
      request: { status: 'approved', decidedBy: 'UA' },
    });
  });

  it('lists the history newest first', async () => {
    for (const [i, version] of ['v1', 'v2', 'v3'].entries()) {
      await store.recordHistory({
        id: `h${i}`,
        kind: 'deploy',
        version,
        previousVersion: null,
        by: 'U1',
        outcome: 'succeeded',
        reason: null,
        startedAt: minutes(i),
        finishedAt: minutes(i + 1),
        freezeOverride: null,
      });
    }
    expect((await store.listHistory(2)).map((h) => h.version)).toEqual(['v3', 'v2']);
  });
});
