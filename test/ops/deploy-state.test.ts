import { deployStateTableName } from '../../config';
import { AwsClients } from '../../ops/aws-clients';
import { DeployStateStore } from '../../ops/deploy/deploy-state';
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

  it('takes over a lock past its TTL (60 minutes), and not before', async () => {
    // GIVEN
    await store.acquireLock(holder('UOLD'), 'deploy', NOW);

    // WHEN
    const early = await store.acquireLock(holder('UNEW'), 'deploy', minutes(59));
    const late = await store.acquireLock(holder('UNEW'), 'deploy', minutes(61));

    // THEN
    expect(early).toMatchObject({ acquired: false, holder: { owner: 'UOLD' } });
    expect(late).toMatchObject({ acquired: true, lock: { owner: 'UNEW' }, tookOverFrom: { owner: 'UOLD' } });
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

  it('renews a held lock, and refuses to renew one taken over', async () => {
    const first = await store.acquireLock(holder('UONE'), 'deploy', NOW);
    if (!first.acquired) throw new Error('not acquired');
    expect(await store.renewLock(first.lock, minutes(30))).toBe(true);
    expect((await store.readLock(minutes(80)))?.owner).toBe('UONE');
    await store.acquireLock(holder('UTWO'), 'deploy', minutes(100));
    expect(await store.renewLock(first.lock, minutes(100))).toBe(false);
  });

  it('approves a pending request exactly once, however many approvers click at once', async () => {
    // GIVEN
    const request = await store.requestApproval('deploy', '{}', 'UREQ', NOW);

    // WHEN
    const results = await Promise.all(
      ['UA', 'UB', 'UC', 'UA', 'UB'].map((by) =>
        store.decideApproval(request.id, 'approved', by, minutes(1)),
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
    expect(await store.decideApproval(request.id, 'approved', by, minutes(after))).toMatchObject({
      decided: false,
      why,
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
