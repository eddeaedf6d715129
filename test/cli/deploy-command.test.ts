/**
 * `wheelhouse deploy` through its exported `main`, in-process, against the same offline AWS as the
 * `/deploy` tests (dynalite, aws-sdk-client-mock, the stand-in stack deployer behind `AwsClients`):
 * the deploy path itself. `main.test.ts` runs the real process for arguments and refusals.
 */
import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { main } from '../../cli/main';
import type { Config } from '../../config';
import { AwsClients } from '../../ops/aws-clients';
import { DeployStateStore } from '../../ops/deploy/deploy-state';
import type { StackDeployer } from '../../ops/deploy/stack-deployer';
import { CHANNELS, PEOPLE, testConfig } from '../bot/fixtures/test-config';
import { noCredentials, TEST_CREDENTIALS } from '../support/aws-fakes';
import { DatadogFake } from '../support/datadog-fake';
import { ACCESS_DENIED_REASON, CIRCUIT_BREAKER_REASON } from '../support/deploy-fakes';
import { BRANCH_ONLY_TAG, type DeployWorld, frozenAllWeek, startDeployWorld } from '../support/deploy-world';
import { type LbHealthServers, startLbHealthServers } from '../support/lb-health-servers';
import { startSlackApiRecorder } from '../support/slack-api-recorder';
import { messageText, startTestBot } from '../support/slack-bot-harness';

const baseConfig = testConfig();
/** A Wednesday, 13:00 in Berlin: no freeze window. */
const WEDNESDAY = new Date('2026-11-25T12:00:00Z');
const CI_ENV: NodeJS.ProcessEnv = {
  CI: 'true',
  GITHUB_ACTIONS: 'true',
  GITHUB_ACTOR: 'octocat',
  GITHUB_REPOSITORY: 'acme/wheelhouse',
  GITHUB_RUN_ID: '4242',
};
const CI_IDENTITY = 'ci:octocat@acme/wheelhouse#4242';
const TIMESTAMPED = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';

/** Dev frozen all week. */
const frozenDev = frozenAllWeek(baseConfig, 'dev');

/** What one run printed and how it exited. */
interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A terminal (or pipe) that keeps what is written. */
function collector(isTTY = false) {
  const chunks: string[] = [];
  return {
    isTTY,
    // Wide enough that no live line is cut short.
    columns: 400,
    write(text: string) {
      chunks.push(text);
      return true;
    },
    text: () => chunks.join(''),
  };
}

describe('wheelhouse deploy', () => {
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
    health.setHealthy(true);
    for (const client of clients.splice(0)) await client.destroy();
    await world.close();
  });
  afterAll(() => health.close());

  /** Runs the command line as CI would (plain lines), unless `options` says otherwise. */
  async function run(
    args: readonly string[],
    options: {
      readonly config?: Config;
      readonly env?: NodeJS.ProcessEnv;
      readonly tty?: boolean;
      readonly now?: Date;
      readonly aws?: AwsClients;
      readonly signal?: AbortSignal;
    } = {},
  ): Promise<Run> {
    const stdout = collector(options.tty);
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

  function auditLines(stderr: string): Record<string, unknown>[] {
    return stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => (JSON.parse(l) as { audit?: Record<string, unknown> }).audit)
      .filter((a): a is Record<string, unknown> => a !== undefined);
  }

  it('deploys a version with one timestamped line per event, records the CI run in the history and the audit, and exits 0', async () => {
    // WHEN
    const { code, stdout, stderr } = await run(['deploy', '--env', 'dev', '--version', 'v1.5.0']);

    // THEN it deployed once, with the new ImageTag
    expect(code).toBe(0);
    expect(world.deployer.calls.map((c) => [c.environment.name, c.version])).toEqual([['dev', 'v1.5.0']]);
    expect(world.service.version).toBe('v1.5.0');
    // AND the output is plain lines: a header, one line per event, the outcome
    expect(stdout).toContain(`Deploying v1.5.0 to dev (wheelhouse-dev) as ${CI_IDENTITY}.`);
    expect(stdout).toMatch(
      new RegExp(`^${TIMESTAMPED} deploying +Deploying v1\\.5\\.0 to wheelhouse-dev$`, 'm'),
    );
    expect(stdout).toMatch(
      new RegExp(
        `^${TIMESTAMPED} stack +ServiceFargateService \\(AWS::ECS::Service\\) UPDATE_IN_PROGRESS$`,
        'm',
      ),
    );
    expect(stdout).toMatch(
      new RegExp(`^${TIMESTAMPED} tasks +\\d running, \\d pending of 2; \\d draining`, 'm'),
    );
    expect(stdout).toMatch(
      new RegExp(`^${TIMESTAMPED} health +HTTP ok: GET http://127\\.0\\.0\\.1:\\d+/healthz: 200$`, 'm'),
    );
    expect(stdout).toMatch(new RegExp(`^${TIMESTAMPED} health +GRPC ok: .*SERVING$`, 'm'));
    expect(stdout).toMatch(/^Deployed v1\.5\.0 to dev in \d+s \(before: v1\.4\.2; history id [\w-]+\)\.$/m);
    expect(stdout).not.toContain('\x1b[');
    // AND the history has it under the CI run's identity, and the lock is free
    const [entry] = await store('dev').listHistory(1);
    expect(entry).toMatchObject({
      version: 'v1.5.0',
      previousVersion: 'v1.4.2',
      by: CI_IDENTITY,
      outcome: 'succeeded',
    });
    expect(await store('dev').readLock(WEDNESDAY)).toBeNull();
    // AND the audit line is the bot's, with the command line as its channel
    expect(auditLines(stderr)).toEqual([
      expect.objectContaining({
        userId: CI_IDENTITY,
        channelId: 'cli',
        command: 'wheelhouse deploy',
        args: '--env dev --version v1.5.0',
        environment: 'dev',
        outcome: 'ok',
      }),
    ]);
  });

  it('ends an interrupted deploy (Ctrl-C, a cancelled CI job) as interrupted, releases the lock, and exits 1', async () => {
    // GIVEN a deploy held in its stack update
    const release = world.deployer.hold();
    const interrupt = new AbortController();

    // WHEN the run is interrupted while the stack update is in flight
    const running = run(['deploy', '--env', 'dev', '--version', 'v1.5.0'], { signal: interrupt.signal });
    while (world.deployer.calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    interrupt.abort();
    const { code, stdout } = await running;
    release();

    // THEN it says so, records it, and frees the environment
    expect(code).toBe(1);
    expect(stdout).toMatch(/^The deploy of v1\.5\.0 to dev was interrupted after/m);
    const [entry] = await store('dev').listHistory(1);
    expect(entry).toMatchObject({ version: 'v1.5.0', outcome: 'interrupted' });
    expect(await store('dev').readLock(WEDNESDAY)).toBeNull();
  });

  it('deploys the infrastructure only without --version, keeping the running image tag', async () => {
    // WHEN
    const { code, stdout } = await run(['deploy', '--env', 'dev']);

    // THEN
    expect(code).toBe(0);
    expect(world.deployer.calls.map((c) => c.version)).toEqual([null]);
    expect(world.service.version).toBe('v1.4.2');
    expect(stdout).toContain('Deploying the infrastructure (keeping the running image) to dev');
    expect(stdout).toContain('Deployed v1.4.2 (infrastructure only) to dev in');
  });

  it('refuses inside a freeze window with exit 2, and deploys with --override-freeze, keeping the reason', async () => {
    // WHEN
    const frozen = await run(['deploy', '--env', 'dev', '--version', 'v1.5.0'], { config: frozenDev });
    const overridden = await run(
      ['deploy', '--env', 'dev', '--version', 'v1.5.0', '--override-freeze', 'hotfix for INC-12'],
      { config: frozenDev },
    );

    // THEN the first is refused with what to do, and nothing ran
    expect(frozen.code).toBe(2);
    expect(frozen.stderr).toContain('wheelhouse: dev is in a deploy freeze (code freeze, 00:00–24:00).');
    expect(frozen.stderr).toContain('--override-freeze "<reason>"');
    expect(auditLines(frozen.stderr)).toEqual([expect.objectContaining({ outcome: 'rejected' })]);
    // AND the override deployed, saying so, and the history and audit keep the reason
    expect(overridden.code).toBe(0);
    expect(overridden.stdout).toContain('Overriding the freeze window (code freeze): hotfix for INC-12');
    expect(world.deployer.calls.map((c) => c.version)).toEqual(['v1.5.0']);
    const [entry] = await store('dev').listHistory(1);
    expect(entry).toMatchObject({ version: 'v1.5.0', freezeOverride: 'hotfix for INC-12' });
    expect(auditLines(overridden.stderr)).toEqual([
      expect.objectContaining({ args: '--env dev --version v1.5.0 --override-freeze "hotfix for INC-12"' }),
    ]);
  });

  it('names the holder and exits 2 when the environment is locked', async () => {
    // GIVEN
    await store('dev').acquireLock(
      { owner: PEOPLE.developer.userId, ownerName: 'dana', reason: 'migrating the database' },
      'manual',
      WEDNESDAY,
    );

    // WHEN
    const { code, stderr } = await run(['deploy', '--env', 'dev', '--version', 'v1.5.0']);

    // THEN
    expect(code).toBe(2);
    expect(stderr).toContain(
      `wheelhouse: dev is locked by dana (${PEOPLE.developer.userId}) since 2026-11-25T12:00:00.000Z: migrating the database.`,
    );
    expect(stderr).toContain(
      'The lock expires 2026-11-25T13:00:00.000Z; wait for it, or ask them to release it with /unlock dev.',
    );
    expect(world.deployer.calls).toHaveLength(0);
  });

  it('refuses a lock past its expiresAt (a one-shot run never takes one over), calls it stale and says how to release it', async () => {
    // GIVEN a deploy lock taken two hours ago by a deploy that crashed (lease 60 minutes)
    await store('dev').acquireLock(
      { owner: 'ci:crashed', ownerName: 'crashed-job', reason: 'deploy v1.4.9' },
      'deploy',
      new Date(WEDNESDAY.getTime() - 2 * 3600_000),
    );

    // WHEN
    const { code, stderr } = await run(['deploy', '--env', 'dev', '--version', 'v1.5.0']);

    // THEN
    expect(code).toBe(2);
    expect(stderr).toContain(
      'wheelhouse: dev is locked by crashed-job (ci:crashed) since 2026-11-25T10:00:00.000Z',
    );
    expect(stderr).toContain('The lock looks stale: it expired 2026-11-25T11:00:00.000Z without a renewal.');
    expect(stderr).toContain('/unlock dev --force');
    expect(world.deployer.calls).toHaveLength(0);
    expect(await store('dev').readLock(WEDNESDAY)).toMatchObject({ owner: 'ci:crashed', stale: true });
  });

  it('reports a rollout that the ECS circuit breaker rolled back, and exits 1', async () => {
    // GIVEN
    world.deployer.mode = 'circuit-breaker';

    // WHEN
    const { code, stdout } = await run(['deploy', '--env', 'dev', '--version', 'v1.5.0']);

    // THEN
    expect(code).toBe(1);
    expect(stdout).toMatch(/^The deploy of v1\.5\.0 to dev was rolled back after \d+s: /m);
    expect(stdout).toContain(CIRCUIT_BREAKER_REASON);
    expect(stdout).toContain('Rolled back by the ECS deployment circuit breaker, to v1.4.2.');
    expect(stdout).toMatch(new RegExp(`^${TIMESTAMPED} tasks +.*3 failed`, 'm'));
    expect(world.service.version).toBe('v1.4.2');
    const [entry] = await store('dev').listHistory(1);
    expect(entry).toMatchObject({ version: 'v1.5.0', outcome: 'rolled-back', by: CI_IDENTITY });
  });

  it('reports a deploy that failed before any change to the stack as such, and exits 1', async () => {
    // GIVEN CloudFormation refuses the change set
    world.deployer.mode = 'access-denied';

    // WHEN
    const { code, stdout } = await run(['deploy', '--env', 'dev', '--version', 'v1.5.0']);

    // THEN
    expect(code).toBe(1);
    expect(stdout).toContain(`The deploy of v1.5.0 to dev failed before any change to the stack after `);
    expect(stdout).toContain(`: ${ACCESS_DENIED_REASON} (before: v1.4.2;`);
    expect(stdout).toContain(
      'Nothing was deployed and nothing rolled back: dev still runs v1.4.2. Fix the cause above, then deploy again.',
    );
    expect(stdout).not.toContain('Rolled back by');
    const [entry] = await store('dev').listHistory(1);
    expect(entry).toMatchObject({ version: 'v1.5.0', outcome: 'failed-before-change', by: CI_IDENTITY });
  });

  it('rolls back when the health checks through the load balancer fail, and exits 1', async () => {
    // GIVEN
    health.setHealthy(false);

    // WHEN
    const { code, stdout } = await run(['deploy', '--env', 'dev', '--version', 'v1.5.0']);

    // THEN
    expect(code).toBe(1);
    expect(stdout).toMatch(new RegExp(`^${TIMESTAMPED} health +HTTP FAILED: GET .*/healthz: 503$`, 'm'));
    expect(stdout).toMatch(new RegExp(`^${TIMESTAMPED} rolling-back +Rolling back to v1\\.4\\.2$`, 'm'));
    expect(stdout).toContain(
      'Rolled back by Wheelhouse, because the health checks through the load balancer failed, to v1.4.2.',
    );
    expect(world.deployer.calls.map((c) => c.version)).toEqual(['v1.5.0', 'v1.4.2']);
  });

  it('mutes through the Datadog deploy guard, rolls back when a deploy-gate monitor alerts in the bake, and unmutes', async () => {
    // GIVEN Datadog (from the environment variables, as CI sets them) with an alerting gate monitor on stage
    const dd = await DatadogFake.start();
    try {
      const monitor = dd.seedMonitor({
        name: 'App HTTP error rate',
        type: 'query alert',
        query: 'avg(last_5m):avg:trace.http.request.errors{env:stage} > 0.05',
        message: 'errors',
        tags: ['managed-by:wheelhouse', 'env:stage', 'deploy-gate', 'monitor-id:app-http-error-rate'],
      });
      dd.setMonitorState(monitor, 'Alert');
      const config: Config = {
        ...baseConfig,
        environments: baseConfig.environments.map((e) =>
          e.name === 'stage' ? { ...e, datadog: { ...e.datadog, bakeMinutes: 0.01 } } : e,
        ),
      };

      // WHEN
      const { code, stdout } = await run(['deploy', '--env', 'stage', '--version', 'v1.5.0'], {
        config,
        env: { ...CI_ENV, ...dd.env() },
      });

      // THEN
      expect(code).toBe(1);
      expect(stdout).toMatch(
        new RegExp(`^${TIMESTAMPED} muting +Muting the deploy-sensitive monitors$`, 'm'),
      );
      expect(stdout).toMatch(
        new RegExp(`^${TIMESTAMPED} gate-alert +deploy-gate monitor alerted: App HTTP error rate`, 'm'),
      );
      expect(stdout).toContain('Rolled back by Wheelhouse, because App HTTP error rate alerted, to v1.4.2.');
      const [downtime] = [...dd.downtimes.values()];
      // Unmuted: the downtime now ends once the muted monitors judge only data from after the rollout.
      expect((downtime!.attributes as { status: string }).status).toBe('active');
      expect(
        dd.writes().filter((w) => w.method === 'PATCH' && w.path.startsWith('/api/v2/downtime/')),
      ).toHaveLength(1);
      expect((downtime!.attributes as { message: string }).message).toContain(`by ${CI_IDENTITY}`);
      expect(dd.events.map((e) => e.title)).toContain('Deploy v1.5.0 to stage: rolled-back');
    } finally {
      await dd.close();
    }
  });

  describe('in a protected environment', () => {
    it('deploys a release tag that an approver signed off, and says who', async () => {
      // GIVEN
      await store('prod').recordSignOff(
        'v1.5.0',
        { id: PEOPLE.platform.userId, name: 'pat' },
        new Date(WEDNESDAY.getTime() - 3600_000),
      );

      // WHEN
      const { code, stdout } = await run(['deploy', '--env', 'prod', '--version', 'v1.5.0']);

      // THEN
      expect(code).toBe(0);
      expect(stdout).toContain(
        `Signed off by pat (${PEOPLE.platform.userId}) at 2026-11-25T11:00:00.000Z, valid until 2026-12-02T11:00:00.000Z.`,
      );
      expect(world.deployer.calls.map((c) => [c.environment.name, c.version])).toEqual([['prod', 'v1.5.0']]);
    });

    it.each([
      ['without a sign-off', null, 'v1.5.0 has not been signed off for prod.'],
      [
        'with an expired sign-off (7 days by default)',
        new Date(WEDNESDAY.getTime() - 8 * 24 * 3600_000),
        'The sign-off of v1.5.0 for prod by pat expired at 2026-11-24T12:00:00.000Z.',
      ],
    ])('refuses a release %s with exit 2, and says whom to ask', async (_name, signedAt, message) => {
      // GIVEN
      if (signedAt) {
        await store('prod').recordSignOff('v1.5.0', { id: PEOPLE.platform.userId, name: 'pat' }, signedAt);
      }

      // WHEN
      const { code, stderr } = await run(['deploy', '--env', 'prod', '--version', 'v1.5.0']);

      // THEN
      expect(code).toBe(2);
      expect(stderr).toContain(`wheelhouse: ${message}`);
      expect(stderr).toContain(
        'Ask an approver (platform) to run /signoff prod v1.5.0 in Slack, then run this again.',
      );
      expect(world.deployer.calls).toHaveLength(0);
      expect(await store('prod').readLock(WEDNESDAY)).toBeNull();
    });

    it('deploys once an approver ran /signoff in Slack: the sign-off is recorded and visible to the command line', async () => {
      // GIVEN a bot on the same AWS, and an approver signing the release off
      const bot = await startTestBot({ config: baseConfig, aws: world.aws(), now: () => WEDNESDAY });
      try {
        const { ack } = await bot.command(PEOPLE.platform.userId, CHANNELS.prod, 'signoff', 'prod v1.5.0');
        expect(messageText(ack.body)).toContain('signed off `v1.5.0` for *prod*');

        // WHEN
        const { code, stdout } = await run(['deploy', '--env', 'prod', '--version', 'v1.5.0']);

        // THEN
        expect(code).toBe(0);
        expect(stdout).toContain(`Signed off by u0platform1 (${PEOPLE.platform.userId})`);
        expect(stdout).toContain('Deployed v1.5.0 to prod in');
      } finally {
        await bot.stop();
      }
    });
  });

  it('refuses a version that is not in the registry, naming the closest tags', async () => {
    // WHEN
    const { code, stderr } = await run(['deploy', '--env', 'dev', '--version', 'v1.5']);

    // THEN
    expect(code).toBe(2);
    expect(stderr).toContain('wheelhouse: There is no image `v1.5` in wheelhouse/service-branches.');
    expect(stderr).toContain('Closest tags: `v1.5.0`, `v1.5.1`, `v1.4.2`.');
    expect(world.deployer.calls).toHaveLength(0);
  });

  it.each([
    ['dev', 'wheelhouse/service-branches', 0],
    ['stage', 'wheelhouse/service', 2],
  ])(
    "checks a branch's image against %s's repository, %s, and exits %d",
    async (env, repository, exitCode) => {
      // GIVEN an image that a branch pushed: in the branch repository only

      // WHEN
      const { code, stderr } = await run(['deploy', '--env', env, '--version', BRANCH_ONLY_TAG]);

      // THEN the environment's own repository was asked, and only a branch environment takes the image
      expect(code).toBe(exitCode);
      expect(
        world.ecr.commandCalls(DescribeImagesCommand).map((call) => call.args[0].input.repositoryName),
      ).toEqual([repository]);
      if (exitCode === 2) {
        expect(stderr).toContain(`wheelhouse: There is no image \`${BRANCH_ONLY_TAG}\` in ${repository}.`);
        expect(world.deployer.calls).toHaveLength(0);
      } else {
        expect(world.deployer.calls.map((c) => [c.environment.name, c.version])).toEqual([
          [env, BRANCH_ONLY_TAG],
        ]);
      }
    },
  );

  it('refuses without AWS credentials, pointing at --plan, and changes nothing', async () => {
    // WHEN
    const { code, stderr } = await run(['deploy', '--env', 'dev', '--version', 'v1.5.0'], {
      aws: new AwsClients({ credentials: noCredentials, endpoint: world.dynalite.endpoint }),
    });

    // THEN
    expect(code).toBe(2);
    expect(stderr).toContain('wheelhouse: AWS credentials are missing: cannot deploy to dev.');
    expect(stderr).toContain('--plan shows what would run without them.');
  });

  it.each([
    [
      false,
      /^wheelhouse: something went wrong \(wh-[0-9a-z]+\)\. Run it again with --verbose for the details\.$/m,
    ],
    [true, /^Error: cannot reach CloudFormation with password=\[redacted\]\n\s+at /m],
  ])(
    'answers an internal error with a correlation id, the details only with --verbose (%s), and exits 1',
    async (verbose, shown) => {
      // GIVEN a stack deployer that breaks, and a secret in its message
      const broken: StackDeployer = {
        async deploy() {
          throw new Error('cannot reach CloudFormation with password=hunter2hunter2');
        },
        async diff() {
          throw new Error('not diffed in this test');
        },
      };
      const aws = new AwsClients({
        credentials: TEST_CREDENTIALS,
        maxAttempts: 1,
        endpoint: world.dynalite.endpoint,
        stackDeployer: broken,
        watch: { pollIntervalMs: 10 },
      });

      // WHEN
      const { code, stdout, stderr } = await run(
        ['deploy', '--env', 'dev', '--version', 'v1.5.0', ...(verbose ? ['--verbose'] : [])],
        { aws },
      );

      // THEN
      expect(code).toBe(1);
      expect(stderr).toMatch(shown);
      if (!verbose) expect(stderr).not.toMatch(/^\s+at /m);
      expect(`${stdout}${stderr}`).not.toContain('hunter2');
      const [audit] = auditLines(stderr);
      expect(audit).toMatchObject({ outcome: 'error' });
      expect(stderr).toContain(String(audit?.correlationId));
      // AND the lock was released and the failure recorded
      expect(await store('dev').readLock(WEDNESDAY)).toBeNull();
      expect((await store('dev').listHistory(1))[0]).toMatchObject({ outcome: 'failed', by: CI_IDENTITY });
    },
  );

  it('draws one updating status line per phase at a terminal, as the OS user, without the JSON audit line', async () => {
    // WHEN
    const { code, stdout, stderr } = await run(['deploy', '--env', 'dev', '--version', 'v1.5.0'], {
      env: {},
      tty: true,
    });

    // THEN the frame is redrawn in place (cursor up, clear down) and ends with each phase done
    expect(code).toBe(0);
    expect(stdout).toContain('Deploying v1.5.0 to dev (wheelhouse-dev) as cli:alice.');
    expect(stdout).toContain('\x1b[0J');
    // ESC [ n F (to the start of the line n rows up), ESC [ 0 J (clear to the end of the screen).
    const ESC = String.fromCharCode(27);
    const frames = stdout.split(new RegExp(`${ESC}\\[\\d+F${ESC}\\[0J`));
    const last = frames.at(-1)!;
    expect(last).toMatch(
      /^✔ Deploying v1\.5\.0 to wheelhouse-dev \(\d+\.\ds\) — .*UPDATE_COMPLETE · tasks 2 running, 0 pending of 2/m,
    );
    expect(last).toMatch(
      /^✔ Checking health: the ECS rollout, the load balancer’s target health, and end to end \(\d+\.\ds\) — ECS rollout ok: .* · HTTP targets ok: .* · GRPC targets ok: .* · HTTP ok: GET /m,
    );
    expect(last).toMatch(/^Deployed v1\.5\.0 to dev in \d+s/m);
    expect(frames.some((f) => /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Deploying v1\.5\.0/m.test(f))).toBe(true);
    expect(stdout).not.toMatch(new RegExp(`^${TIMESTAMPED}`, 'm'));
    expect(stderr).toBe('');
    expect((await store('dev').listHistory(1))[0]).toMatchObject({ by: 'cli:alice' });
  });

  it('posts the same audit line as the bot to the audit channel when SLACK_BOT_TOKEN is set, and never prints the token', async () => {
    // GIVEN Slack's Web API on a local port
    const slack = await startSlackApiRecorder();
    const token = 'xoxb-1111-2222-clitokenvalue';
    try {
      // WHEN
      const { code, stdout, stderr } = await run(['deploy', '--env', 'dev', '--version', 'v1.5.0'], {
        env: { ...CI_ENV, SLACK_BOT_TOKEN: token, SLACK_API_URL: slack.apiUrl },
      });

      // THEN
      expect(code).toBe(0);
      const [post] = slack.callsOf('chat.postMessage');
      expect(post?.token).toBe(token);
      expect(post?.args.channel).toBe('C0AUDIT0001');
      expect(String(post?.args.text)).toMatch(
        new RegExp(
          `^:white_check_mark: \`${CI_IDENTITY}\` ran \`wheelhouse deploy --env dev --version v1\\.5\\.0\` in dev from the command line: ok \\(\\d+ ms, wh-[0-9a-z]+\\)$`,
        ),
      );
      expect(`${stdout}${stderr}`).not.toContain('clitokenvalue');
    } finally {
      await slack.close();
    }
  });

  it('shows the plan of the infrastructure only without AWS, and exits 0', async () => {
    // GIVEN the built-in CloudFormation validation costs seconds per synth and is not what this checks
    process.env.CDK_VALIDATION = 'false';

    // WHEN
    const { code, stdout } = await run(['deploy', '--env', 'dev', '--plan'], {
      aws: new AwsClients({ credentials: noCredentials, endpoint: world.dynalite.endpoint }),
    }).finally(() => {
      delete process.env.CDK_VALIDATION;
    });

    // THEN
    expect(code).toBe(0);
    expect(stdout).toContain('Plan for dev (wheelhouse-dev); nothing was deployed.');
    expect(stdout).toContain(
      'No AWS credentials, so no diff against the deployed stack: a summary of the synthesized template instead.',
    );
    expect(stdout).not.toContain('Diff for');
    expect(stdout).toContain('ImageTag: kept (infrastructure only: the running image tag stays)');
    expect(stdout).toContain(
      'The service would run: 111111111111.dkr.ecr.eu-west-1.amazonaws.com/wheelhouse/service-branches:<ImageTag>',
    );
    expect(stdout).toMatch(/^ +\d+ AWS::EC2::Subnet$/m);
    expect(world.deployer.calls).toHaveLength(0);
  }, 60_000);

  it('shows the diff against the deployed stack and the ImageTag change with AWS credentials, changes nothing, and exits 0', async () => {
    // GIVEN the deployed stack differs from the synthesized one in one resource
    const text = [
      'Stack wheelhouse-dev',
      'Resources',
      '[~] AWS::ECS::Service Service/Service ServiceD69D759B',
      ' └─ [~] DesiredCount',
      '     ├─ [-] 2',
      '     └─ [+] 3',
    ].join('\n');
    world.deployer.diffResult = { stackExists: true, text, resourceChanges: 1 };

    // WHEN
    const { code, stdout } = await run(['deploy', '--env', 'dev', '--version', 'v1.5.0', '--plan']);

    // THEN
    expect(code).toBe(0);
    expect(stdout).toContain('Plan for dev (wheelhouse-dev); nothing was deployed.');
    expect(stdout).toContain('ImageTag: v1.4.2 → v1.5.0 (a new task definition; the service rolls onto it)');
    expect(stdout).toContain(
      `Diff for wheelhouse-dev against the deployed stack (1 resource change in the template):\n${text}\n`,
    );
    expect(stdout).not.toContain('No AWS credentials');
    expect(world.deployer.diffCalls).toEqual([
      { config: baseConfig, environment: world.environment('dev'), version: 'v1.5.0' },
    ]);
    expect(world.deployer.calls).toHaveLength(0);
    expect(await store('dev').readLock(WEDNESDAY)).toBeNull();
    expect(await store('dev').listHistory(1)).toEqual([]);
  });

  it('says when the stack is not deployed yet, so that every resource would be created', async () => {
    // GIVEN
    world.deployer.diffResult = {
      stackExists: false,
      text: 'Stack wheelhouse-dev\nResources\n[+] AWS::ECS::Service Service/Service ServiceD69D759B',
      resourceChanges: 1,
    };

    // WHEN
    const { code, stdout } = await run(['deploy', '--env', 'dev', '--version', 'v1.5.0', '--plan']);

    // THEN
    expect(code).toBe(0);
    expect(stdout).toContain('ImageTag: v1.5.0 (new stack)');
    expect(stdout).toContain('wheelhouse-dev is not deployed yet: every resource below would be created.');
    expect(stdout).toContain('[+] AWS::ECS::Service Service/Service ServiceD69D759B');
  });

  it('refuses a plan whose diff cannot read the deployed stack, with the reason, and exits 2', async () => {
    // GIVEN
    const unreadable: StackDeployer = {
      async deploy() {
        throw new Error('a plan never deploys');
      },
      async diff() {
        throw new Error(
          'cannot diff wheelhouse-dev against the deployed stack: AccessDenied: not authorized to perform: sts:AssumeRole',
        );
      },
    };
    const aws = new AwsClients({
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
      endpoint: world.dynalite.endpoint,
      stackDeployer: unreadable,
    });

    // WHEN
    const { code, stderr } = await run(['deploy', '--env', 'dev', '--plan'], { aws });

    // THEN
    expect(code).toBe(2);
    expect(stderr).toContain(
      'wheelhouse: cannot diff wheelhouse-dev against the deployed stack: AccessDenied: not authorized to perform: sts:AssumeRole',
    );
    expect(stderr).toContain("assume the environment's CDK lookup role");
  });
});
