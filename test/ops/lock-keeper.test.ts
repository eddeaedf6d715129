import { deployStateTableName } from '../../config';
import { AwsClients } from '../../ops/aws-clients';
import { DeployStateStore } from '../../ops/deploy/deploy-state';
import { LockKeeper } from '../../ops/deploy/lock-keeper';
import { testConfig } from '../bot/fixtures/test-config';
import { TEST_CREDENTIALS, UNREACHABLE_AWS_ENDPOINT } from '../support/aws-fakes';
import { type RunningDynalite, startDynalite } from '../support/dynalite';

const dev = testConfig().environments.find((e) => e.name === 'dev')!;
const NOW = new Date('2026-11-25T12:00:00Z');
const LEASE_MS = dev.deploy.lockTtlMinutes * 60_000;

describe('the lock keeper of a running deploy', () => {
  let dynalite: RunningDynalite;
  let aws: AwsClients;
  beforeEach(async () => {
    dynalite = await startDynalite();
    await dynalite.createDeployStateTable(deployStateTableName(dev));
    aws = new AwsClients({ credentials: TEST_CREDENTIALS, maxAttempts: 1, endpoint: dynalite.endpoint });
  });
  afterEach(async () => {
    await aws.destroy();
    await dynalite.close();
  });

  async function heldLock() {
    const taken = await new DeployStateStore(aws, dev).acquireLock(
      { owner: 'ci', ownerName: 'ci', reason: 'deploy v1.5.0' },
      'deploy',
      NOW,
    );
    if (!taken.acquired) throw new Error('not acquired');
    return taken.lock;
  }

  it('retries renewals that fail, and calls the lock lost once a lease has passed on its monotonic clock without one', async () => {
    // GIVEN a held lock, and DynamoDB out of reach from the deploy's process
    const lock = await heldLock();
    const cut = new AwsClients({
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
      endpoint: UNREACHABLE_AWS_ENDPOINT,
    });
    let mono = 0;
    const errors: unknown[] = [];
    const keeper = new LockKeeper(new DeployStateStore(cut, dev), lock, 'dev', {
      heartbeatMs: LEASE_MS / 3,
      leaseMs: LEASE_MS,
      monotonicNow: () => mono,
      now: () => NOW,
      onRenewalError: (error) => errors.push(error),
    });
    try {
      // WHEN it beats at a third and two thirds of the lease, then after the whole lease
      mono = LEASE_MS / 3;
      const first = await keeper.beat();
      mono = (2 * LEASE_MS) / 3;
      const second = await keeper.beat();
      const abortedBefore = keeper.signal.aborted;
      mono = LEASE_MS;
      const third = await keeper.beat();

      // THEN the first two are retries; the third is a loss, and its signal aborts with it
      expect([first, second, abortedBefore]).toEqual([null, null, false]);
      expect(errors).toHaveLength(2);
      expect(third).toMatchObject({
        why: 'lease-passed',
        message: expect.stringContaining('the lock on dev could not be renewed for 60 min, a whole lease'),
      });
      expect(keeper.signal.aborted).toBe(true);
    } finally {
      await cut.destroy();
    }
  });

  it('keeps the lock while renewals get through, whatever the monotonic clock says', async () => {
    // GIVEN
    const lock = await heldLock();
    let mono = 0;
    const keeper = new LockKeeper(new DeployStateStore(aws, dev), lock, 'dev', {
      heartbeatMs: LEASE_MS / 3,
      leaseMs: LEASE_MS,
      monotonicNow: () => mono,
      now: () => NOW,
    });

    // WHEN it beats three times a lease apart
    const results = [];
    for (let i = 1; i <= 3; i++) {
      mono = i * LEASE_MS * 2;
      results.push(await keeper.beat());
    }

    // THEN every renewal counted (each a new rvn), and the lock is still ours
    expect(results).toEqual([null, null, null]);
    expect(keeper.signal.aborted).toBe(false);
    const now = await new DeployStateStore(aws, dev).readLock(NOW);
    expect(now).toMatchObject({ token: lock.token });
    expect(now?.rvn).not.toBe(lock.rvn);
  });
});
