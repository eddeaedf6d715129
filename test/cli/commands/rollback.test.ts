/**
 * `wheelhouse rollback` through its exported `main`, in-process, against the same offline AWS as
 * `wheelhouse deploy` (`deploy-command.test.ts`): the deploy state in a real DynamoDB protocol server
 * (dynalite), the stack outputs, ECR and the ECS service through aws-sdk-client-mock, and the stand-in
 * stack deployer that moves the running `ImageTag` (`test/support/deploy-world.ts`). The version
 * rolled back to comes from the deploy history; the change policy (`ops/policy/`) decides first.
 *
 * The lock is DynamoDB's conditional write (a PutItem with a ConditionExpression fails with
 * ConditionalCheckFailedException when someone else holds it:
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html),
 * which dynalite implements; the policy's lock rule reads it first, so that the refusal names the holder.
 */
import { main } from '../../../cli/main';
import type { Config } from '../../../config';
import { AwsClients } from '../../../ops/aws-clients';
import { DeployStateStore, type HistoryEntry, newId } from '../../../ops/deploy/deploy-state';
import { PEOPLE, testConfig } from '../../bot/fixtures/test-config';
import { noCredentials } from '../../support/aws-fakes';
import { type DeployWorld, frozenAllWeek, startDeployWorld } from '../../support/deploy-world';
import { type LbHealthServers, startLbHealthServers } from '../../support/lb-health-servers';

const baseConfig = testConfig();
/** A Wednesday, 13:00 in Berlin: no freeze window. */
const WEDNESDAY = new Date('2026-11-25T12:00:00Z');
const DAY = 24 * 3600_000;
const AN_HOUR_BEFORE = new Date(WEDNESDAY.getTime() - 3600_000);
const CI_ENV: NodeJS.ProcessEnv = {
  CI: 'true',
  GITHUB_ACTIONS: 'true',
  GITHUB_ACTOR: 'octocat',
  GITHUB_REPOSITORY: 'acme/wheelhouse',
  GITHUB_RUN_ID: '4242',
};
const CI_IDENTITY = 'ci:octocat@acme/wheelhouse#4242';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A pipe that keeps what is written. */
function collector() {
  const chunks: string[] = [];
  return {
    write(text: string) {
      chunks.push(text);
      return true;
    },
    text: () => chunks.join(''),
  };
}

describe('wheelhouse rollback', () => {
  let health: LbHealthServers;
  let world: DeployWorld;
  const clients: AwsClients[] = [];
  beforeAll(async () => {
    health = await startLbHealthServers();
  });
  beforeEach(async () => {
    world = await startDeployWorld(baseConfig, health);
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.destroy();
    await world.close();
  });
  afterAll(() => health.close());

  async function run(
    args: readonly string[],
    options: {
      readonly config?: Config;
      readonly aws?: AwsClients;
      readonly env?: NodeJS.ProcessEnv;
      readonly signal?: AbortSignal;
      readonly now?: Date;
    } = {},
  ): Promise<Run> {
    const stdout = collector();
    const stderr = collector();
    const aws = options.aws ?? world.aws();
    clients.push(aws);
    const code = await main(args, {
      env: options.env ?? CI_ENV,
      stdout,
      stderr,
      config: options.config ?? baseConfig,
      aws,
      now: () => options.now ?? WEDNESDAY,
      osUser: () => 'alice',
      signal: options.signal,
    });
    return { code, stdout: stdout.text(), stderr: stderr.text() };
  }

  function store(env: string): DeployStateStore {
    const aws = world.aws();
    clients.push(aws);
    return new DeployStateStore(aws, world.environment(env));
  }

  /** A finished deploy of `version` in `env`'s history, `daysAgo` days before Wednesday. */
  async function recordDeploy(
    env: string,
    version: string,
    outcome: HistoryEntry['outcome'],
    daysAgo: number,
  ): Promise<void> {
    const startedAt = new Date(WEDNESDAY.getTime() - daysAgo * DAY);
    await store(env).recordHistory({
      id: newId(),
      kind: 'deploy',
      version,
      previousVersion: null,
      by: PEOPLE.platform.userId,
      outcome,
      reason: outcome === 'succeeded' ? null : 'the health check failed',
      startedAt,
      finishedAt: new Date(startedAt.getTime() + 60_000),
      freezeOverride: null,
    });
  }

  function auditLines(stderr: string): Record<string, unknown>[] {
    return stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => (JSON.parse(l) as { audit?: Record<string, unknown> }).audit)
      .filter((a): a is Record<string, unknown> => a !== undefined);
  }

  /**
   * Dev's history as a bad release leaves it: v1.4.2 ran well, v1.5.1 failed, then v1.5.0 was deployed
   * (through `wheelhouse deploy`, so that it runs now).
   */
  async function afterABadRelease(): Promise<void> {
    await recordDeploy('dev', 'v1.4.2', 'succeeded', 3);
    await recordDeploy('dev', 'v1.5.1', 'failed', 2);
    // An hour earlier: the history is ordered by when each deploy started.
    const deployed = await run(['deploy', '--env', 'dev', '--version', 'v1.5.0'], { now: AN_HOUR_BEFORE });
    expect(deployed.code).toBe(0);
    expect(world.service.version).toBe('v1.5.0');
  }

  it('rolls back to the previous good version from the history, records kind rollback, and exits 0', async () => {
    // GIVEN
    await afterABadRelease();

    // WHEN
    const { code, stdout, stderr } = await run(['rollback', '--env', 'dev']);

    // THEN the failed v1.5.1 and the running v1.5.0 were passed over for v1.4.2, which runs now
    expect(code).toBe(0);
    expect(world.deployer.calls.map((c) => c.version)).toEqual(['v1.5.0', 'v1.4.2']);
    expect(world.service.version).toBe('v1.4.2');
    expect(stdout).toContain(`Rolling back dev (wheelhouse-dev) from v1.5.0 to v1.4.2 as ${CI_IDENTITY}.`);
    expect(stdout).toMatch(/^Deployed v1\.4\.2 to dev in \d+s \(before: v1\.5\.0; history id [\w-]+\)\.$/m);
    // AND the history has the rollback, and the lock is free
    const [entry] = await store('dev').listHistory(1);
    expect(entry).toMatchObject({
      kind: 'rollback',
      version: 'v1.4.2',
      previousVersion: 'v1.5.0',
      by: CI_IDENTITY,
      outcome: 'succeeded',
    });
    expect(await store('dev').readLock(WEDNESDAY)).toBeNull();
    expect(auditLines(stderr)).toEqual([
      expect.objectContaining({
        userId: CI_IDENTITY,
        command: 'wheelhouse rollback',
        args: '--env dev',
        environment: 'dev',
        outcome: 'ok',
      }),
    ]);
  });

  it('ends an interrupted rollback (Ctrl-C, a cancelled CI job) as interrupted, releases the lock, and exits 1', async () => {
    // GIVEN a rollback held in its stack update
    await afterABadRelease();
    const release = world.deployer.hold();
    const interrupt = new AbortController();

    // WHEN the run is interrupted while the stack update is in flight
    const running = run(['rollback', '--env', 'dev'], { signal: interrupt.signal });
    while (world.deployer.calls.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    interrupt.abort();
    const { code, stdout } = await running;
    release();

    // THEN
    expect(code).toBe(1);
    expect(stdout).toMatch(/^The deploy of v1\.4\.2 to dev was interrupted after/m);
    expect((await store('dev').listHistory(1))[0]).toMatchObject({
      kind: 'rollback',
      version: 'v1.4.2',
      outcome: 'interrupted',
    });
    expect(await store('dev').readLock(WEDNESDAY)).toBeNull();
  });

  it.each([[[]], [['--plan']]])(
    'refuses when there is no previous good version (%j), saying what to do, and exits 2',
    async (extra) => {
      // GIVEN only the running version ever succeeded, and a failed one
      await recordDeploy('dev', 'v1.4.2', 'succeeded', 3);
      await recordDeploy('dev', 'v1.5.0', 'rolled-back', 1);

      // WHEN
      const { code, stdout, stderr } = await run(['rollback', '--env', 'dev', ...extra]);

      // THEN
      expect(code).toBe(2);
      expect(stderr).toContain(
        'wheelhouse: There is no previous good version of dev to roll back to (running: v1.4.2).',
      );
      expect(stderr).toContain('wheelhouse deploy --env dev --version <tag> deploys a given one.');
      expect(stdout).toBe('');
      expect(world.deployer.calls).toHaveLength(0);
    },
  );

  it('names the holder and exits 2 when someone else holds the lock', async () => {
    // GIVEN
    await afterABadRelease();
    await store('dev').acquireLock(
      { owner: PEOPLE.developer.userId, ownerName: 'dana', reason: 'migrating the database' },
      'manual',
      WEDNESDAY,
    );

    // WHEN
    const { code, stderr } = await run(['rollback', '--env', 'dev']);

    // THEN
    expect(code).toBe(2);
    expect(stderr).toContain(
      `wheelhouse: dev is locked by dana (${PEOPLE.developer.userId}) since 2026-11-25T12:00:00.000Z: migrating the database.`,
    );
    expect(stderr).toContain('ask them to release it with /unlock dev.');
    expect(world.deployer.calls.map((c) => c.version)).toEqual(['v1.5.0']);
    expect(await store('dev').readLock(WEDNESDAY)).toMatchObject({ owner: PEOPLE.developer.userId });
  });

  it('rolls back inside a freeze window, printing the audit note, and exits 0', async () => {
    // GIVEN dev frozen all week, after a bad release deployed with an override
    const frozen = frozenAllWeek(baseConfig, 'dev');
    await recordDeploy('dev', 'v1.4.2', 'succeeded', 3);
    const deployed = await run(
      ['deploy', '--env', 'dev', '--version', 'v1.5.0', '--override-freeze', 'hotfix for INC-7'],
      { config: frozen, now: AN_HOUR_BEFORE },
    );
    expect(deployed.code).toBe(0);

    // WHEN
    const { code, stdout } = await run(['rollback', '--env', 'dev'], { config: frozen });

    // THEN
    expect(code).toBe(0);
    expect(stdout).toContain('Rolling back inside the freeze window (code freeze, 00:00–24:00).');
    expect(world.service.version).toBe('v1.4.2');
    expect((await store('dev').listHistory(1))[0]).toMatchObject({ kind: 'rollback', version: 'v1.4.2' });
  });

  describe('in a protected environment', () => {
    beforeEach(async () => {
      // prod runs v1.4.2 (its stack outputs); v1.5.0 ran well before it
      await recordDeploy('prod', 'v1.5.0', 'succeeded', 5);
    });

    it('refuses a rollback to a version nobody signed off, naming /signoff, and exits 2', async () => {
      // WHEN
      const { code, stderr } = await run(['rollback', '--env', 'prod']);

      // THEN
      expect(code).toBe(2);
      expect(stderr).toContain('wheelhouse: v1.5.0 has not been signed off for prod.');
      expect(stderr).toContain(
        '  Ask an approver (platform) to run /signoff prod v1.5.0 in Slack, then run this again.',
      );
      expect(auditLines(stderr)).toEqual([expect.objectContaining({ outcome: 'refused' })]);
      expect(world.deployer.calls).toHaveLength(0);
      expect(await store('prod').readLock(WEDNESDAY)).toBeNull();
    });

    it('rolls back to a signed-off version, saying who signed it off', async () => {
      // GIVEN
      await store('prod').recordSignOff(
        'v1.5.0',
        { id: PEOPLE.platform.userId, name: 'pat' },
        new Date(WEDNESDAY.getTime() - 3600_000),
      );

      // WHEN
      const { code, stdout } = await run(['rollback', '--env', 'prod']);

      // THEN
      expect(code).toBe(0);
      expect(stdout).toContain(`Signed off by pat (${PEOPLE.platform.userId}) at 2026-11-25T11:00:00.000Z`);
      expect(world.deployer.calls.map((c) => [c.environment.name, c.version])).toEqual([['prod', 'v1.5.0']]);
      expect((await store('prod').listHistory(1))[0]).toMatchObject({
        kind: 'rollback',
        version: 'v1.5.0',
        previousVersion: 'v1.4.2',
        outcome: 'succeeded',
      });
    });

    it('shows in the plan what would stop it, changes nothing, and exits 2', async () => {
      // WHEN
      const { code, stdout, stderr } = await run(['rollback', '--env', 'prod', '--plan']);

      // THEN
      expect(code).toBe(2);
      expect(stdout).toContain('ImageTag: v1.4.2 → v1.5.0 (the previous good version in the history)');
      expect(stdout).toContain(
        'Policy: would stop it (sign-off, needs-sign-off): v1.5.0 has not been signed off for prod.',
      );
      expect(stderr).toContain('/signoff prod v1.5.0');
      expect(world.deployer.calls).toHaveLength(0);
    });

    it('shows the rules without AWS credentials with --plan, and exits 0', async () => {
      // WHEN
      const { code, stdout } = await run(['rollback', '--env', 'prod', '--plan'], {
        aws: new AwsClients({ credentials: noCredentials, endpoint: world.dynalite.endpoint }),
      });

      // THEN
      expect(code).toBe(0);
      expect(stdout).toContain('Rollback plan for prod (wheelhouse-prod); nothing was changed.');
      expect(stdout).toContain(
        'No AWS credentials: the running version (the stack outputs) and the version to roll back to (the deploy history) need AWS to be read.',
      );
      expect(stdout).toContain('/signoff prod <version>');
      expect(stdout).toContain(
        '  prod: freeze window "no prod deploys on Friday afternoon" applies (fri 15:00–24:00 Europe/Berlin; next: 2026-11-27 15:00); rollbacks are allowed in it, and audited.',
      );
      expect(world.deployer.calls).toHaveLength(0);
    });
  });

  it('shows running → target and what the policy says with --plan, changes nothing, and exits 3', async () => {
    // GIVEN a bad release, and dev frozen since
    await afterABadRelease();

    // WHEN
    const { code, stdout } = await run(['rollback', '--env', 'dev', '--plan'], {
      config: frozenAllWeek(baseConfig, 'dev'),
    });

    // THEN
    expect(code).toBe(3);
    expect(stdout).toContain('Rollback plan for dev (wheelhouse-dev); nothing was changed.');
    expect(stdout).toContain('ImageTag: v1.5.0 → v1.4.2 (the previous good version in the history)');
    expect(stdout).toContain('Policy: nothing would stop it.');
    expect(stdout).toContain(
      'Policy: would note: Rolling back inside the freeze window (code freeze, 00:00–24:00).',
    );
    expect(world.deployer.calls.map((c) => c.version)).toEqual(['v1.5.0']);
    expect((await store('dev').listHistory(1))[0]).toMatchObject({ kind: 'deploy', version: 'v1.5.0' });
  });

  it('refuses without AWS credentials, pointing at --plan, and exits 2', async () => {
    // WHEN
    const { code, stderr } = await run(['rollback', '--env', 'dev'], {
      aws: new AwsClients({ credentials: noCredentials, endpoint: world.dynalite.endpoint }),
    });

    // THEN
    expect(code).toBe(2);
    expect(stderr).toContain('wheelhouse: AWS credentials are missing: cannot roll back dev.');
    expect(stderr).toContain('--plan shows what applies without them.');
  });

  it('answers an argument it does not take with the usage, and exits 2', async () => {
    // WHEN
    const { code, stderr } = await run(['rollback', '--env', 'dev', '--version', 'v1.4.2']);

    // THEN
    expect(code).toBe(2);
    expect(stderr).toContain("wheelhouse: Unknown option '--version'.");
    expect(stderr).toContain(
      '  Usage: wheelhouse rollback --env <env> [--plan] [--verbose] (wheelhouse rollback --help for more)',
    );
  });

  it('prints its help with --help: usage, what happens without a previous good version, exit codes, and exits 0', async () => {
    // WHEN
    const { code, stdout, stderr } = await run(['rollback', '--help']);

    // THEN
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout.startsWith('Usage: wheelhouse rollback --env <env> [--plan] [--verbose]\n')).toBe(true);
    expect(stdout).toContain('without one the rollback is refused (exit 2), with --plan too.');
    expect(stdout).toContain('  --plan');
    expect(stdout).toContain('  wheelhouse rollback --env dev');
    expect(stdout).toContain('3 --plan: it would change the running version');
  });
});
