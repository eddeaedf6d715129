/**
 * `wheelhouse scale` through its exported `main`, in-process as `deploy-command.test.ts` runs the
 * command line, against moto_server (an implementation of the AWS APIs that is not ours): the stack
 * outputs, the ECS service and its scalable target as `test/support/moto-environment.ts` seeds them.
 * What is read back is moto's state, not what the command printed.
 *
 * The AWS behaviour the command relies on:
 * - ECS UpdateService sets the service's desiredCount
 *   (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html); moto then
 *   reports the running count equal to it at once, so a count scale settles on the first look.
 * - Application Auto Scaling RegisterScalableTarget on an existing target updates the parameters given
 *   (MinCapacity, MaxCapacity)
 *   (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html);
 *   AWS also moves the current capacity into the new range, which moto does not, so a freshly created
 *   service (0 running of 2 desired in moto) stays unsettled: the deadline case.
 */
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { main } from '../../../cli/main';
import { type EnvironmentConfig, findEnvironment } from '../../../config';
import { AwsClients } from '../../../ops/aws-clients';
import { testConfig } from '../../bot/fixtures/test-config';
import { noCredentials, TEST_CREDENTIALS } from '../../support/aws-fakes';
import { seedDeployedEnvironment } from '../../support/moto-environment';
import { type MotoServer, startMotoServer } from '../../support/moto-server';

const config = testConfig();
const dev = findEnvironment(config, 'dev');
const prod = findEnvironment(config, 'prod');
/** A Wednesday, 13:00 in Berlin: no freeze window (a scale ignores them anyway). */
const WEDNESDAY = new Date('2026-11-25T12:00:00Z');
const CI_ENV: NodeJS.ProcessEnv = {
  CI: 'true',
  GITHUB_ACTIONS: 'true',
  GITHUB_ACTOR: 'octocat',
  GITHUB_REPOSITORY: 'acme/wheelhouse',
  GITHUB_RUN_ID: '4242',
};
const CI_IDENTITY = 'ci:octocat@acme/wheelhouse#4242';
const USAGE =
  'Usage: wheelhouse scale --env <env> (--count <n> | --min <n> --max <n>) [--to-zero] [--plan] [--verbose] (wheelhouse scale --help for more)';

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

describe('wheelhouse scale', () => {
  let moto: MotoServer;
  const clients: AwsClients[] = [];
  beforeAll(async () => {
    moto = await startMotoServer();
  }, 60_000);
  beforeEach(async () => {
    await moto.reset();
    // Each as its stack leaves it: 2 desired tasks (moto: none running yet), bounds 1–4.
    await seedDeployedEnvironment(moto.endpoint, dev, 'v1.4.2');
    await seedDeployedEnvironment(moto.endpoint, prod, 'v1.4.2');
  }, 30_000);
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.destroy();
  });
  afterAll(() => moto.stop());

  /** The clients of one run, on moto, watching every 10 ms for at most 300 ms. */
  function motoClients(options: { readonly credentials?: boolean } = {}): AwsClients {
    const aws = new AwsClients({
      credentials: options.credentials === false ? noCredentials : TEST_CREDENTIALS,
      maxAttempts: 1,
      endpoint: moto.endpoint,
      watch: { pollIntervalMs: 10, scaleDeadlineMs: 300 },
    });
    clients.push(aws);
    return aws;
  }

  async function run(
    args: readonly string[],
    options: { readonly credentials?: boolean; readonly signal?: AbortSignal } = {},
  ): Promise<Run> {
    const stdout = collector();
    const stderr = collector();
    const code = await main(args, {
      env: CI_ENV,
      stdout,
      stderr,
      config,
      aws: motoClients(options),
      now: () => WEDNESDAY,
      osUser: () => 'alice',
      signal: options.signal,
    });
    return { code, stdout: stdout.text(), stderr: stderr.text() };
  }

  const clientConfig = () => ({ region: dev.region, endpoint: moto.endpoint, credentials: TEST_CREDENTIALS });

  /** The service's desired count, as moto holds it. */
  async function desiredCount(environment: EnvironmentConfig): Promise<number | undefined> {
    const ecs = new ECSClient(clientConfig());
    try {
      const { services } = await ecs.send(
        new DescribeServicesCommand({
          cluster: `wheelhouse-${environment.name}`,
          services: [`wheelhouse-${environment.name}-service`],
        }),
      );
      return services?.[0]?.desiredCount;
    } finally {
      ecs.destroy();
    }
  }

  /** The scalable target's bounds, as moto holds them. */
  async function bounds(environment: EnvironmentConfig): Promise<{ min?: number; max?: number }> {
    const scaling = new ApplicationAutoScalingClient(clientConfig());
    try {
      const { ScalableTargets } = await scaling.send(
        new DescribeScalableTargetsCommand({
          ServiceNamespace: 'ecs',
          ResourceIds: [`service/wheelhouse-${environment.name}/wheelhouse-${environment.name}-service`],
          ScalableDimension: 'ecs:service:DesiredCount',
        }),
      );
      const target = ScalableTargets?.[0];
      return { min: target?.MinCapacity, max: target?.MaxCapacity };
    } finally {
      scaling.destroy();
    }
  }

  /** Lets moto report the service's tasks running (an UpdateService to the same desired count). */
  async function settle(environment: EnvironmentConfig): Promise<void> {
    const ecs = new ECSClient(clientConfig());
    try {
      await ecs.send(
        new UpdateServiceCommand({
          cluster: `wheelhouse-${environment.name}`,
          service: `wheelhouse-${environment.name}-service`,
          desiredCount: 2,
        }),
      );
    } finally {
      ecs.destroy();
    }
  }

  function auditLines(stderr: string): Record<string, unknown>[] {
    return stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => (JSON.parse(l) as { audit?: Record<string, unknown> }).audit)
      .filter((a): a is Record<string, unknown> => a !== undefined);
  }

  it('sets the desired count with ECS UpdateService, watches it settle, audits it, and exits 0', async () => {
    // WHEN
    const { code, stdout, stderr } = await run(['scale', '--env', 'dev', '--count', '3']);

    // THEN moto holds the new count
    expect(code).toBe(0);
    expect(await desiredCount(dev)).toBe(3);
    expect(await bounds(dev)).toEqual({ min: 1, max: 4 });
    // AND the output says what was done, by whom, and that it settled
    expect(stdout).toContain(
      `Scaled dev to 3 tasks as ${CI_IDENTITY} (before: 0 running / 2 desired / 2 pending · bounds 1–4).`,
    );
    expect(stdout).toMatch(/^ {2}3 running \/ 3 desired \/ 0 pending · bounds 1–4$/m);
    expect(stdout).toContain('dev: 3 tasks running, as desired.');
    expect(auditLines(stderr)).toEqual([
      expect.objectContaining({
        userId: CI_IDENTITY,
        command: 'wheelhouse scale',
        args: '--env dev --count 3',
        environment: 'dev',
        outcome: 'ok',
      }),
    ]);
  });

  it('sets new autoscaling bounds with RegisterScalableTarget, and exits 0 once the tasks run', async () => {
    // GIVEN the service's two tasks running
    await settle(dev);

    // WHEN
    const { code, stdout } = await run(['scale', '--env', 'dev', '--min', '2', '--max', '6']);

    // THEN
    expect(code).toBe(0);
    expect(await bounds(dev)).toEqual({ min: 2, max: 6 });
    expect(await desiredCount(dev)).toBe(2);
    expect(stdout).toContain(`Scaled dev to bounds 2–6 tasks as ${CI_IDENTITY}`);
    expect(stdout).toContain('dev: 2 tasks running, as desired.');
  });

  it('exits 1 when the running count has not matched by the deadline, saying the scale was applied', async () => {
    // GIVEN a service whose tasks never start (moto: 0 of 2 running until an UpdateService)

    // WHEN
    const { code, stdout } = await run(['scale', '--env', 'dev', '--min', '1', '--max', '5']);

    // THEN
    expect(code).toBe(1);
    expect(await bounds(dev)).toEqual({ min: 1, max: 5 });
    expect(stdout).toContain(
      'dev: the deadline passed with 0 running / 2 desired / 2 pending · bounds 1–5; the scale was applied, but the tasks did not settle.',
    );
  });

  it('stops watching when interrupted (Ctrl-C), keeps the scale, and exits 1', async () => {
    // GIVEN
    const interrupt = new AbortController();
    setTimeout(() => interrupt.abort(), 50);

    // WHEN
    const { code, stdout } = await run(['scale', '--env', 'dev', '--min', '1', '--max', '5'], {
      signal: interrupt.signal,
    });

    // THEN
    expect(code).toBe(1);
    expect(stdout).toContain('Stopped watching at 0 running / 2 desired / 2 pending · bounds 1–5');
    expect(await bounds(dev)).toEqual({ min: 1, max: 5 });
  });

  it('shows the plan, changes nothing, and exits 3 when it would change the count', async () => {
    // WHEN
    const { code, stdout } = await run(['scale', '--env', 'dev', '--count', '3', '--plan']);

    // THEN
    expect(code).toBe(3);
    expect(stdout).toContain('Scale plan for dev (wheelhouse-dev-service); nothing was changed.');
    expect(stdout).toContain('Now: 0 running / 2 desired / 2 pending · bounds 1–4');
    expect(stdout).toContain('Requested: 3 tasks\n');
    expect(stdout).toContain('Policy: nothing would stop it.');
    expect(await desiredCount(dev)).toBe(2);
  });

  it('shows the plan and exits 0 when nothing would change', async () => {
    // WHEN
    const count = await run(['scale', '--env', 'dev', '--count', '2', '--plan']);
    const sameBounds = await run(['scale', '--env', 'dev', '--min', '1', '--max', '4', '--plan']);

    // THEN
    expect(count.code).toBe(0);
    expect(count.stdout).toContain('Requested: 2 tasks (already so: nothing would change)');
    expect(sameBounds.code).toBe(0);
    expect(sameBounds.stdout).toContain('Requested: bounds 1–4 tasks (already so: nothing would change)');
    expect(await desiredCount(dev)).toBe(2);
    expect(await bounds(dev)).toEqual({ min: 1, max: 4 });
  });

  it.each([
    ['bounds with a minimum of 0', ['--min', '0', '--max', '4'], '0-4 lets dev run no task at all'],
    ['bounds with a maximum of 0', ['--min', '0', '--max', '0'], '0-0 lets dev run no task at all'],
  ])('refuses %s without --to-zero, naming it, and exits 2', async (_name, target, message) => {
    // WHEN
    const { code, stderr } = await run(['scale', '--env', 'dev', ...target]);

    // THEN
    expect(code).toBe(2);
    expect(stderr).toContain(`wheelhouse: ${message}: the service would be down.`);
    expect(stderr).toContain('  If that is meant, say so: --to-zero.');
    expect(await bounds(dev)).toEqual({ min: 1, max: 4 });
  });

  it('refuses --count 0 without --to-zero, before anything else, and exits 2', async () => {
    // WHEN
    const { code, stderr } = await run(['scale', '--env', 'dev', '--count', '0']);

    // THEN
    expect(code).toBe(2);
    expect(stderr).toContain('wheelhouse: 0 lets dev run no task at all: the service would be down.');
    expect(stderr).toContain('--to-zero');
    expect(await desiredCount(dev)).toBe(2);
  });

  it('scales to zero with --to-zero, printing the audit note, and exits 0', async () => {
    // GIVEN the service's two tasks running
    await settle(dev);

    // WHEN bounds that allow zero, then the count
    const zeroBounds = await run(['scale', '--env', 'dev', '--min', '0', '--max', '4', '--to-zero']);
    const zero = await run(['scale', '--env', 'dev', '--count', '0', '--to-zero']);

    // THEN
    expect(zeroBounds.code).toBe(0);
    expect(zeroBounds.stdout).toContain('Scaling to zero tasks (--to-zero).');
    expect(zero.code).toBe(0);
    expect(zero.stdout).toContain('Scaling to zero tasks (--to-zero).');
    expect(await bounds(dev)).toEqual({ min: 0, max: 4 });
    expect(await desiredCount(dev)).toBe(0);
    expect(auditLines(zero.stderr)).toEqual([
      expect.objectContaining({ args: '--env dev --count 0 --to-zero', outcome: 'ok' }),
    ]);
  });

  it('refuses a count outside the live bounds with the --min/--max to set first, and exits 2', async () => {
    // WHEN
    const { code, stderr } = await run(['scale', '--env', 'dev', '--count', '6']);

    // THEN
    expect(code).toBe(2);
    expect(stderr).toContain(
      'wheelhouse: 6 tasks is outside the autoscaling bounds of dev (1–4): autoscaling would undo it.',
    );
    expect(stderr).toContain(
      '  Set new bounds first: wheelhouse scale --env dev --min 1 --max 6, then --count 6.',
    );
    expect(await desiredCount(dev)).toBe(2);
  });

  describe('in a protected environment', () => {
    it.each([
      ['above approvalAboveTasks (12)', ['--min', '3', '--max', '13'], 'above 12'],
      ['a count above approvalAboveTasks (12)', ['--count', '13'], 'above 12'],
      ['below tasks.min (3)', ['--min', '2', '--max', '6'], 'below the minimum of 3'],
      ['to zero, although --to-zero is given', ['--count', '0', '--to-zero'], 'below the minimum of 3'],
    ])(
      'refuses a scale %s, which needs an approval, pointing at /scale in Slack, and exits 2',
      async (_name, target, why) => {
        // WHEN
        const { code, stdout, stderr } = await run(['scale', '--env', 'prod', ...target]);

        // THEN
        expect(code).toBe(2);
        expect(stderr).toContain(`wheelhouse: A scale of prod ${why} tasks needs an approval.`);
        expect(stderr).toContain(
          '  The command line cannot ask for one: run /scale in Slack, where an approver (platform) approves it.',
        );
        expect(stdout).toBe('');
        expect(auditLines(stderr)).toEqual([expect.objectContaining({ outcome: 'refused' })]);
        expect(await desiredCount(prod)).toBe(2);
        expect(await bounds(prod)).toEqual({ min: 1, max: 4 });
      },
    );

    it('sets bounds within what needs no approval, and exits 0', async () => {
      // GIVEN the service's two tasks running
      await settle(prod);

      // WHEN
      const { code } = await run(['scale', '--env', 'prod', '--min', '3', '--max', '12']);

      // THEN
      expect(code).toBe(0);
      expect(await bounds(prod)).toEqual({ min: 3, max: 12 });
    });

    it('shows what would stop a plan that needs an approval, and exits 2', async () => {
      // WHEN
      const { code, stdout, stderr } = await run(['scale', '--env', 'prod', '--count', '13', '--plan']);

      // THEN
      expect(code).toBe(2);
      expect(stdout).toContain('Requested: 13 tasks');
      expect(stdout).toContain(
        'Policy: would stop it (approval, needs-approval): A scale of prod above 12 tasks needs an approval.',
      );
      expect(stderr).toContain('run /scale in Slack');
      expect(await desiredCount(prod)).toBe(2);
    });
  });

  it.each([
    [
      'both a count and bounds',
      ['--count', '3', '--min', '1', '--max', '4'],
      'Give either --count <n> or --min <n> --max <n>, not both.',
    ],
    [
      'neither a count nor bounds',
      [],
      'Say how many tasks (--count <n>) or new autoscaling bounds (--min <n> --max <n>).',
    ],
    ['--min without --max', ['--min', '2'], '--min and --max go together: give --max <n> too.'],
    [
      'a count that is not a whole number',
      ['--count', '2.5'],
      '--count takes a whole number of tasks (0 or more), got "2.5".',
    ],
    [
      'a count that is a word',
      ['--count', 'three'],
      '--count takes a whole number of tasks (0 or more), got "three".',
    ],
    [
      'a minimum above the maximum',
      ['--min', '5', '--max', '2'],
      '--min 5 is above --max 2: the minimum must not exceed the maximum.',
    ],
  ])(
    'answers %s with what to give and the usage, changes nothing, and exits 2',
    async (_name, target, message) => {
      // WHEN
      const { code, stdout, stderr } = await run(['scale', '--env', 'dev', ...target]);

      // THEN
      expect(code).toBe(2);
      expect(stderr).toContain(`wheelhouse: ${message}`);
      expect(stderr).toContain(`  ${USAGE}`);
      expect(stdout).toBe('');
      expect(auditLines(stderr)).toEqual([expect.objectContaining({ outcome: 'usage' })]);
      expect(await desiredCount(dev)).toBe(2);
      expect(await bounds(dev)).toEqual({ min: 1, max: 4 });
    },
  );

  it('refuses a count beyond the hard limit (service.limits.maxTasks), naming where it is set, and exits 2', async () => {
    // WHEN
    const { code, stderr } = await run(['scale', '--env', 'dev', '--count', '9']);

    // THEN
    expect(code).toBe(2);
    expect(stderr).toContain('wheelhouse: 9 tasks is beyond the hard limit of dev (8).');
    expect(stderr).toContain('`service.limits.maxTasks` in wheelhouse.yml');
    expect(await desiredCount(dev)).toBe(2);
  });

  it('refuses without AWS credentials, pointing at --plan, and exits 2', async () => {
    // WHEN
    const { code, stderr } = await run(['scale', '--env', 'dev', '--count', '3'], { credentials: false });

    // THEN
    expect(code).toBe(2);
    expect(stderr).toContain('wheelhouse: AWS credentials are missing: cannot scale dev.');
    expect(stderr).toContain('--plan shows what a scale would do without them.');
    expect(await desiredCount(dev)).toBe(2);
  });

  it('shows the calls and the rules without AWS credentials with --plan, and exits 0', async () => {
    // WHEN
    const { code, stdout } = await run(['scale', '--env', 'prod', '--count', '4', '--plan'], {
      credentials: false,
    });

    // THEN
    expect(code).toBe(0);
    expect(stdout).toContain('Scale plan for prod (wheelhouse-prod); nothing was changed.');
    expect(stdout).toContain('No AWS credentials: the current size needs AWS to be read.');
    expect(stdout).toContain('  ecs:UpdateService <ClusterName>/<ServiceName>: desiredCount=4');
    expect(stdout).toContain('  prod: a scale above 12 tasks or below 3 needs an approval by platform.');
    expect(stdout).toContain('  prod: never more than 24 tasks; 0 tasks only with --to-zero.');
    expect(stdout).toContain('Policy: nothing would stop it.');
  });

  it('refuses a plan to zero without --to-zero and without AWS credentials too, and exits 2', async () => {
    // WHEN
    const { code, stderr } = await run(['scale', '--env', 'dev', '--count', '0', '--plan'], {
      credentials: false,
    });

    // THEN
    expect(code).toBe(2);
    expect(stderr).toContain('If that is meant, say so: --to-zero.');
  });

  it('prints its help with --help: usage, options, examples, exit codes, and exits 0', async () => {
    // WHEN
    const { code, stdout, stderr } = await run(['scale', '--help']);

    // THEN
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(
      stdout.startsWith(
        'Usage: wheelhouse scale --env <env> (--count <n> | --min <n> --max <n>) [--to-zero] [--plan] [--verbose]\n',
      ),
    ).toBe(true);
    for (const option of ['--count <n>', '--min <n>', '--max <n>', '--to-zero', '--plan', '--env <env>']) {
      expect(stdout).toContain(`  ${option}`);
    }
    expect(stdout).toContain('  wheelhouse scale --env dev --count 3');
    expect(stdout).toContain('3 --plan: it would change');
  });
});
