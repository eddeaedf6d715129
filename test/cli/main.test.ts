/**
 * `npm run wheelhouse` as CI runs it: the real entry point in a child process (`node --import tsx
 * cli/main.ts`), for arguments, help, refusals and the plan. DynamoDB is a real protocol server on a
 * local port (dynalite), reached through `AWS_ENDPOINT_URL` as the SDK reads it; the deploy itself is
 * tested in-process (`deploy-command.test.ts`), where the stack deployer can be a stand-in.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { AwsClients } from '../../bot/ops/aws-clients';
import { DeployStateStore } from '../../bot/ops/deploy/deploy-state';
import { deployStateTableName } from '../../config';
import { testConfig } from '../bot/fixtures/test-config';
import { TEST_CREDENTIALS, UNREACHABLE_AWS_ENDPOINT } from '../support/aws-fakes';
import { type RunningDynalite, startDynalite } from '../support/dynalite';

const ROOT = join(__dirname, '..', '..');
const FIXTURE = 'test/bot/fixtures/wheelhouse.yml';
const USAGE_HINT =
  '  Usage: npm run wheelhouse -- deploy --env <env> [--version <tag>] [--plan] [--override-freeze "<reason>"] [--verbose] (--help for more)';

interface Exit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the command line with only `env` (and PATH, HOME) set, as a fresh CI job would. */
function wheelhouse(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Exit> {
  return new Promise((resolve) => {
    const clean: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      WHEELHOUSE_CONFIG: FIXTURE,
      CI: 'true',
      // Nothing may leave the machine: AWS calls a test did not point elsewhere fail here.
      AWS_ENDPOINT_URL: UNREACHABLE_AWS_ENDPOINT,
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: 'true',
      ...env,
    };
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], {
      cwd: ROOT,
      env: clean,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}

describe('npm run wheelhouse', () => {
  it('prints its help with --help and exits 0', async () => {
    const { code, stdout, stderr } = await wheelhouse(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain(
      'Usage: npm run wheelhouse -- deploy --env <env> [--version <tag>] [--plan] [--override-freeze "<reason>"] [--verbose]',
    );
    expect(stdout).toContain(
      'Exit codes: 0 deployed (or the plan shown), 1 failed or rolled back, 2 refused or bad input.',
    );
    expect(stderr).toBe('');
  });

  it.each([
    ['nothing', [], 'Say what to do: deploy.'],
    ['an unknown command', ['ship', '--env', 'dev'], 'There is no command "ship"; known: deploy.'],
    ['no --env', ['deploy', '--version', 'v1.5.0'], '--env is required.'],
    ['an unknown option', ['deploy', '--env', 'dev', '--force'], "Unknown option '--force'."],
    ['an option without its value', ['deploy', '--env'], "Option '--env <value>' argument missing"],
    [
      'a bad tag',
      ['deploy', '--env', 'dev', '--version', 'v1/2'],
      '"v1/2" is not an image tag (letters, digits, _ . -).',
    ],
    [
      'an override without a reason',
      ['deploy', '--env', 'dev', '--override-freeze', ''],
      '--override-freeze needs a reason: --override-freeze "<reason>".',
    ],
    [
      'a plan with an override',
      ['deploy', '--env', 'dev', '--plan', '--override-freeze', 'hotfix'],
      '--plan changes nothing, so it takes no --override-freeze.',
    ],
    ['an extra argument', ['deploy', 'prod', '--env', 'dev'], 'Unexpected argument "prod".'],
  ])('answers %s with the usage and exits 2', async (_name, args, message) => {
    // WHEN
    const { code, stdout, stderr } = await wheelhouse(args);

    // THEN
    expect(code).toBe(2);
    expect(stderr).toContain(`wheelhouse: ${message}`);
    expect(stderr).toContain(USAGE_HINT);
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stdout).toBe('');
  });

  it('names the known environments for an unknown one, and exits 2', async () => {
    const { code, stderr } = await wheelhouse(['deploy', '--env', 'qa', '--version', 'v1.5.0']);
    expect(code).toBe(2);
    expect(stderr).toContain('wheelhouse: There is no environment "qa"; known: dev, stage, prod.');
    expect(stderr).toContain(USAGE_HINT);
  });

  it('says what to fix when the configuration cannot be read, and exits 2', async () => {
    const { code, stderr } = await wheelhouse(['deploy', '--env', 'dev'], {
      WHEELHOUSE_CONFIG: 'no/such/wheelhouse.yml',
    });
    expect(code).toBe(2);
    expect(stderr).toContain('is not a valid Wheelhouse configuration');
    expect(stderr).toContain('cannot read the file: create it');
  });

  it('refuses a malformed WHEELHOUSE_ASSUME_OPERATOR_ROLE, naming it, and exits 2', async () => {
    const { code, stderr } = await wheelhouse(['deploy', '--env', 'dev'], {
      WHEELHOUSE_ASSUME_OPERATOR_ROLE: 'yes',
    });
    expect(code).toBe(2);
    expect(stderr).toContain('wheelhouse: WHEELHOUSE_ASSUME_OPERATOR_ROLE must be true or false, got "yes"');
  });

  it.each([
    [
      'without --version',
      ['deploy', '--env', 'prod'],
      'wheelhouse: prod is protected: the command line deploys only a signed-off release there, and no --version was given.',
      'Ask an approver (platform) to run /signoff prod <release tag> in Slack',
    ],
    [
      'with a version that is not a release tag',
      ['deploy', '--env', 'prod', '--version', 'v2.0.0-rc1'],
      'wheelhouse: v2.0.0-rc1 is not a release tag of prod (deploy.releaseTagPattern ^v\\d+\\.\\d+\\.\\d+$): the command line deploys only signed-off releases there.',
      'deploy v2.0.0-rc1 from Slack with /deploy prod v2.0.0-rc1, which asks an approver.',
    ],
  ])(
    'refuses a protected environment %s before talking to AWS, and exits 2',
    async (_name, args, message, fix) => {
      // WHEN (AWS is unreachable: a refusal that needed it would fail differently)
      const { code, stderr } = await wheelhouse(args);

      // THEN
      expect(code).toBe(2);
      expect(stderr).toContain(message);
      expect(stderr).toContain(fix);
      expect(stderr).toContain('"outcome":"refused"');
    },
  );

  describe('with the deploy state in DynamoDB', () => {
    const config = testConfig();
    let dynalite: RunningDynalite;
    let aws: AwsClients;
    beforeAll(async () => {
      dynalite = await startDynalite();
      for (const env of config.environments) await dynalite.createDeployStateTable(deployStateTableName(env));
      aws = new AwsClients({ credentials: TEST_CREDENTIALS, maxAttempts: 1, endpoint: dynalite.endpoint });
    });
    afterAll(async () => {
      await aws.destroy();
      await dynalite.close();
    });

    const store = (name: string) =>
      new DeployStateStore(aws, config.environments.find((e) => e.name === name)!);

    it('refuses a release of a protected environment that nobody signed off, saying whom to ask, and exits 2', async () => {
      // WHEN
      const { code, stderr } = await wheelhouse(['deploy', '--env', 'prod', '--version', 'v1.5.0'], {
        AWS_ENDPOINT_URL: dynalite.endpoint,
      });

      // THEN
      expect(code).toBe(2);
      expect(stderr).toContain('wheelhouse: v1.5.0 has not been signed off for prod.');
      expect(stderr).toContain(
        '  Ask an approver (platform) to run /signoff prod v1.5.0 in Slack, then run this again.',
      );
    });

    it('names the lock holder as GitHub Actions sees it, and exits 2', async () => {
      // GIVEN dev held by hand
      const { lock } = (await store('dev').acquireLock(
        { owner: 'U0DEVELOP01', ownerName: 'dana', reason: 'migrating the database' },
        'manual',
        new Date(),
      )) as { lock: { token: string } };
      try {
        // WHEN an infrastructure-only deploy (no image to look up) from a CI run
        const { code, stdout, stderr } = await wheelhouse(['deploy', '--env', 'dev'], {
          AWS_ENDPOINT_URL: dynalite.endpoint,
          GITHUB_ACTIONS: 'true',
          GITHUB_ACTOR: 'octocat',
          GITHUB_REPOSITORY: 'acme/wheelhouse',
          GITHUB_RUN_ID: '77',
        });

        // THEN
        expect(code).toBe(2);
        expect(stderr).toContain('wheelhouse: dev is locked by dana (U0DEVELOP01): migrating the database.');
        expect(stderr).toContain('they can release it with /unlock dev.');
        expect(stdout).toBe('');
        const audit = JSON.parse(stderr.split('\n').find((l) => l.includes('"audit"'))!) as {
          audit: unknown;
        };
        expect(audit.audit).toMatchObject({
          userId: 'ci:octocat@acme/wheelhouse#77',
          command: 'wheelhouse deploy',
          args: '--env dev',
          environment: 'dev',
          outcome: 'rejected',
        });
      } finally {
        await store('dev').releaseLock({ token: lock.token });
      }
    });
  });

  it('shows the plan of a protected environment without AWS credentials, with what a deploy would need, and exits 0', async () => {
    // WHEN
    const { code, stdout } = await wheelhouse(['deploy', '--env', 'prod', '--version', 'v1.5.0', '--plan'], {
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      CDK_VALIDATION: 'false',
    });

    // THEN
    expect(code).toBe(0);
    expect(stdout).toContain('Plan for prod (wheelhouse-prod); nothing was deployed.');
    expect(stdout).toContain('ImageTag: v1.5.0');
    expect(stdout).toContain(
      'The service would run: 111111111111.dkr.ecr.eu-west-1.amazonaws.com/wheelhouse/service:v1.5.0',
    );
    expect(stdout).toMatch(/^ +\d+ AWS::EC2::Subnet$/m);
    expect(stdout).toContain(
      'prod is protected: the command line deploys only signed-off release tags (a deploy needs /signoff prod v1.5.0 by an approver first).',
    );
  }, 120_000);
});
