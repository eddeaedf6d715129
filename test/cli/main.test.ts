/**
 * `wheelhouse` as CI runs it: the real entry point in a child process (`bin/wheelhouse`, which imports `tsx`
 * as `node --import tsx` does, https://tsx.is/dev-api/node-cli, then runs cli/main.ts), for arguments,
 * help, refusals, the plan and the exit codes. Arguments are parsed by node:util parseArgs in strict
 * mode, which throws on an unknown option or a missing value (ERR_PARSE_ARGS_UNKNOWN_OPTION, Node's
 * "util.parseArgs([config])", https://nodejs.org/api/util.html#utilparseargsconfig); exit code 3 for
 * pending changes follows terraform's `plan -detailed-exitcode`, which uses 2 for them
 * (https://developer.hashicorp.com/terraform/cli/commands/plan#detailed-exitcode), moved to 3 here
 * because 2 means refused for every command. DynamoDB is a real protocol server on a
 * local port (dynalite), reached through `AWS_ENDPOINT_URL` as the SDK reads it; the deploy itself is
 * tested in-process (`deploy-command.test.ts`), where the stack deployer can be a stand-in.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { CliCommand } from '../../cli/commands/command';
import { CLI_COMMANDS } from '../../cli/commands/registry';
import { EXIT, EXIT_CODE_MEANINGS } from '../../cli/exit-codes';
import { main } from '../../cli/main';
import { deployStateTableName, findEnvironment, IMAGE_TAG_PARAMETER } from '../../config';
import { GOLDEN_CONFIG } from '../../monitors/golden';
import { AwsClients } from '../../ops/aws-clients';
import { DeployStateStore } from '../../ops/deploy/deploy-state';
import { buildApp } from '../../stacks/app';
import { testConfig } from '../bot/fixtures/test-config';
import { AwsAccountFake, type FakeRole, type FakeStatement } from '../support/aws-account-fake';
import { TEST_CREDENTIALS, UNREACHABLE_AWS_ENDPOINT } from '../support/aws-fakes';
import { type RunningDynalite, startDynalite } from '../support/dynalite';
import { EXAMPLE_CONFIG_PATH, exampleConfig } from '../support/example-config';
import { allowedStatements, trustedPrincipalArns } from '../support/iam-policies';
import { type RoutedFakes, startRoutedFakes } from '../support/monitors-cli';
import { seedDeployedEnvironment } from '../support/moto-environment';
import { type MotoServer, startMotoServer } from '../support/moto-server';
import { synthTemplates } from '../support/synth';

const ROOT = join(__dirname, '..', '..');
const FIXTURE = 'test/bot/fixtures/wheelhouse.yml';

/**
 * The fixture with prod's freeze windows left out, for tests of the other rules: they run at the real
 * time, and a freeze window (Friday afternoon, the weekend) refuses before a sign-off is looked at.
 */
function unfrozenFixture(): string {
  const raw = parseYaml(readFileSync(join(ROOT, FIXTURE), 'utf8'));
  delete raw.environments.prod.deploy.freezeWindows;
  const path = join(mkdtempSync(join(tmpdir(), 'wheelhouse-unfrozen-')), 'wheelhouse.yml');
  writeFileSync(path, stringifyYaml(raw));
  return path;
}
const BIN = join(ROOT, 'bin', 'wheelhouse');
const MONITORS_CONFIG = join(ROOT, GOLDEN_CONFIG);
/** PATH with this node first, for the bin script's `#!/usr/bin/env node`. */
const PATH = [dirname(process.execPath), process.env.PATH].join(delimiter);
const USAGE_HINT =
  '  Usage: wheelhouse deploy --env <env> [--version <tag>] [--plan] [--override-freeze "<reason>"] [--verbose] (wheelhouse deploy --help for more)';

interface Exit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the command line with only `env` (and PATH, HOME) set, as a fresh CI job would. */
function wheelhouse(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Exit> {
  return new Promise((resolve) => {
    const clean: NodeJS.ProcessEnv = {
      PATH,
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
    // The bin script itself, through its `#!/usr/bin/env node` line, as `npx wheelhouse` runs it.
    const child = spawn(BIN, [...args], { cwd: ROOT, env: clean });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}

describe('wheelhouse deploy, as CI runs it', () => {
  it('prints the help of deploy with deploy --help and exits 0', async () => {
    const { code, stdout, stderr } = await wheelhouse(['deploy', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain(
      'Usage: wheelhouse deploy --env <env> [--version <tag>] [--plan] [--override-freeze "<reason>"] [--verbose]',
    );
    expect(stdout).toContain(
      'Exit codes: 0 deployed (or the plan shown), 1 failed or rolled back, 2 refused or bad input.',
    );
    expect(stderr).toBe('');
  });

  it.each([
    ['no --env', ['deploy', '--version', 'v1.5.0'], '--env is required.'],
    ['an unknown option', ['deploy', '--env', 'dev', '--force'], "Unknown option '--force'."],
    [
      'a mistyped option',
      ['deploy', '--env', 'dev', '--pln'],
      "Unknown option '--pln'; did you mean --plan?",
    ],
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

  it('names the closest environment for a mistyped one, and exits 2', async () => {
    const { code, stderr } = await wheelhouse(['deploy', '--env', 'prd', '--plan']);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^wheelhouse: There is no environment "prd" in \/.*test\/bot\/fixtures\/wheelhouse\.yml; known: dev, stage, prod\. Did you mean "prod"\?$/m,
    );
  });

  it('names the known environments for an unknown one, and exits 2', async () => {
    const { code, stderr } = await wheelhouse(['deploy', '--env', 'qa', '--version', 'v1.5.0']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^wheelhouse: There is no environment "qa" in .*; known: dev, stage, prod\.$/m);
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

  it('refuses a malformed WHEELHOUSE_ASSUME_PLAN_ROLE, naming it, and exits 2', async () => {
    const { code, stderr } = await wheelhouse(['deploy', '--env', 'dev', '--plan'], {
      WHEELHOUSE_ASSUME_PLAN_ROLE: 'plan',
    });
    expect(code).toBe(2);
    expect(stderr).toContain('wheelhouse: WHEELHOUSE_ASSUME_PLAN_ROLE must be true or false, got "plan"');
    expect(stderr).toContain("Set it to true in a pull request's plan job");
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
      const { code, stderr } = await wheelhouse(args, { WHEELHOUSE_CONFIG: unfrozenFixture() });

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
      // GIVEN the release's image in prod's repository (the change policy checks it for every deploy),
      // in moto's ECR (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImages.html)
      const moto = await startMotoServer();
      try {
        const prod = findEnvironment(config, 'prod');
        const ecrSdk = await import('@aws-sdk/client-ecr');
        const ecr = new ecrSdk.ECRClient({
          region: prod.region,
          endpoint: moto.endpoint,
          credentials: TEST_CREDENTIALS,
        });
        await ecr.send(
          new ecrSdk.CreateRepositoryCommand({
            registryId: config.registry.account,
            repositoryName: prod.images.repositoryName,
          }),
        );
        await ecr.send(
          new ecrSdk.PutImageCommand({
            registryId: config.registry.account,
            repositoryName: prod.images.repositoryName,
            imageTag: 'v1.5.0',
            imageManifest: JSON.stringify({
              schemaVersion: 2,
              mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
              config: {
                mediaType: 'application/vnd.docker.container.image.v1+json',
                size: 2,
                digest: `sha256:${'a'.repeat(64)}`,
              },
              layers: [],
            }),
          }),
        );
        ecr.destroy();

        // WHEN (the sign-off is read from DynamoDB, the image from ECR)
        const { code, stderr } = await wheelhouse(
          ['deploy', '--env', 'prod', '--version', 'v1.5.0', '--verbose'],
          {
            AWS_ENDPOINT_URL: dynalite.endpoint,
            AWS_ENDPOINT_URL_ECR: moto.endpoint,
            WHEELHOUSE_CONFIG: unfrozenFixture(),
          },
        );

        // THEN
        expect(stderr).toContain('wheelhouse: v1.5.0 has not been signed off for prod.');
        expect(code).toBe(2);
        expect(stderr).toContain(
          '  Ask an approver (platform) to run /signoff prod v1.5.0 in Slack, then run this again.',
        );
      } finally {
        await moto.stop();
      }
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
        expect(stderr).toContain('wheelhouse: dev is locked by dana (U0DEVELOP01) since ');
        expect(stderr).toContain(': migrating the database.');
        expect(stderr).toContain('ask them to release it with /unlock dev.');
        expect(stdout).toBe('');
        const audit = JSON.parse(stderr.split('\n').find((l) => l.includes('"audit"'))!) as {
          name: string;
          audit: unknown;
        };
        // The line names the command line, not the bot, as who logged it
        expect(audit).toMatchObject({ name: 'wheelhouse-cli' });
        expect(stderr).not.toContain('wheelhouse-bot');
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
    // WHEN (as in a fork's pull request: the plan role is asked for, but GitHub gave the job no token)
    const { code, stdout } = await wheelhouse(['deploy', '--env', 'prod', '--version', 'v1.5.0', '--plan'], {
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      CDK_VALIDATION: 'false',
      WHEELHOUSE_ASSUME_PLAN_ROLE: 'true',
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

  describe("in a pull request's plan job, against an AWS account that holds each role to its policy", () => {
    const config = exampleConfig();
    const dev = findEnvironment(config, 'dev');
    /** The CI plan role's session, as configure-aws-credentials leaves it in a pull request's plan job. */
    const ciPlan = { accessKeyId: 'ASIACIPLANCIPLAN', secretAccessKey: 'ci-plan-secret' };
    const ciPlanSession = 'arn:aws:sts::111111111111:assumed-role/wheelhouse-ci-plan/GitHubActions';
    /** Dev's CI deploy role's session: a job of GitHub environment dev. */
    const ciDeploy = { accessKeyId: 'ASIACIDEPLOYDEV', secretAccessKey: 'ci-deploy-secret' };
    const planRoleSession = 'arn:aws:sts::222222222222:assumed-role/wheelhouse-dev-plan/gh-4242-octocat';
    let running: Record<string, unknown>;
    let iam: {
      readonly planRole: FakeRole;
      readonly ciPlan: FakeStatement[];
      readonly ciDeploy: FakeStatement[];
    };
    let account: AwsAccountFake;
    let cdkHome: string;

    beforeAll(() => {
      const devTemplate = synthTemplates(config, ['dev']).dev!;
      const ciTemplate = Template.fromStack(buildApp(config, { nag: false }).delivery!.ci);
      iam = {
        planRole: {
          name: 'wheelhouse-dev-plan',
          trustedPrincipalArns: trustedPrincipalArns(devTemplate, 'wheelhouse-dev-plan'),
          allow: allowedStatements(devTemplate, 'wheelhouse-dev-plan'),
        },
        ciPlan: allowedStatements(ciTemplate, 'wheelhouse-ci-plan'),
        ciDeploy: allowedStatements(ciTemplate, 'wheelhouse-ci-deploy-dev'),
      };
      // What dev runs: this app with another CPU size for the service's tasks.
      const template = devTemplate.toJSON() as {
        Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
      };
      const taskDefinition = Object.values(template.Resources).find(
        (r) => r.Type === 'AWS::ECS::TaskDefinition',
      )!;
      taskDefinition.Properties.Cpu = '4096';
      running = template;
    }, 60_000);
    beforeEach(async () => {
      account = await AwsAccountFake.start({
        account: dev.account,
        region: dev.region,
        principals: [
          {
            accessKeyId: ciPlan.accessKeyId,
            arn: ciPlanSession,
            principalArn: 'arn:aws:iam::111111111111:role/wheelhouse-ci-plan',
            allow: iam.ciPlan,
          },
          {
            accessKeyId: ciDeploy.accessKeyId,
            arn: 'arn:aws:sts::111111111111:assumed-role/wheelhouse-ci-deploy-dev/GitHubActions',
            principalArn: 'arn:aws:iam::111111111111:role/wheelhouse-ci-deploy-dev',
            allow: iam.ciDeploy,
          },
        ],
        roles: [iam.planRole],
      });
      account.putStack({
        name: dev.stackName,
        template: running,
        parameters: { [IMAGE_TAG_PARAMETER]: 'v1.4.2' },
      });
      cdkHome = mkdtempSync(join(tmpdir(), 'wheelhouse-cdk-home-'));
    });
    afterEach(async () => {
      await account.close();
      rmSync(cdkHome, { recursive: true, force: true });
    });

    /** `deploy --env dev --plan` as the pull request workflow's plan step runs it, with `credentials`. */
    function plan(credentials: { accessKeyId: string; secretAccessKey: string }) {
      return wheelhouse(['deploy', '--env', 'dev', '--version', 'v1.5.0', '--plan'], {
        WHEELHOUSE_CONFIG: EXAMPLE_CONFIG_PATH,
        WHEELHOUSE_ASSUME_PLAN_ROLE: 'true',
        AWS_ENDPOINT_URL: account.endpoint,
        AWS_REGION: dev.region,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_CONFIG_FILE: join(cdkHome, 'no-aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(cdkHome, 'no-aws-credentials'),
        CDK_HOME: cdkHome,
        CDK_VALIDATION: 'false',
        GITHUB_ACTIONS: 'true',
        GITHUB_ACTOR: 'octocat',
        GITHUB_REPOSITORY: 'example-org/wheelhouse',
        GITHUB_RUN_ID: '4242',
      });
    }

    it("diffs dev against the deployed stack through dev's plan role, and exits 0", async () => {
      // WHEN
      const { code, stdout, stderr } = await plan(ciPlan);

      // THEN
      expect({ code, stderr: stderr.split('\n').filter((l) => l.startsWith('wheelhouse:')) }).toEqual({
        code: 0,
        stderr: [],
      });
      expect(stdout).toContain('Plan for dev (wheelhouse-dev); nothing was deployed.');
      expect(stdout).toContain(
        "Read through the plan role arn:aws:iam::222222222222:role/wheelhouse-dev-plan (the stack's template only).",
      );
      expect(stdout).toContain(
        'ImageTag: v1.4.2 → v1.5.0 (a new task definition; the service rolls onto it)',
      );
      expect(stdout).toMatch(
        /^Diff for wheelhouse-dev against the deployed stack \(\d+ resource changes? in the template\):$/m,
      );
      expect(stdout).toContain('[~] AWS::ECS::TaskDefinition');
      // and dev was read by its plan role only, the CI plan role having assumed it, nothing else
      const cloudFormation = account.calls.filter((c) => c.service === 'cloudformation');
      expect(new Set(cloudFormation.map((c) => [c.action, c.caller].join(' ')))).toEqual(
        new Set([`DescribeStacks ${planRoleSession}`, `GetTemplate ${planRoleSession}`]),
      );
      expect(account.calls.filter((c) => c.caller === ciPlanSession).map((c) => c.action)).toEqual([
        'AssumeRole',
      ]);
      expect(new Set(account.denied.map((c) => c.iamAction))).toEqual(new Set(['sts:AssumeRole']));
    }, 120_000);

    it('refuses with what to deploy when the plan role does not trust the credentials, and exits 2', async () => {
      // WHEN dev's deploy role (a job of GitHub environment dev) asks for the plan role
      const { code, stdout, stderr } = await plan(ciDeploy);

      // THEN
      expect(code).toBe(2);
      expect(stderr).toContain(
        'wheelhouse: cannot assume the plan role arn:aws:iam::222222222222:role/wheelhouse-dev-plan: User: arn:aws:sts::111111111111:assumed-role/wheelhouse-ci-deploy-dev/GitHubActions is not authorized to perform: sts:AssumeRole',
      );
      expect(stderr).toContain(
        "  wheelhouse-dev-plan must exist, trust the credentials in use (in CI, wheelhouse-ci-plan's) and allow reading wheelhouse-dev: deploy wheelhouse-dev (it creates wheelhouse-dev-plan) and wheelhouse-ci (it lets wheelhouse-ci-plan assume it). Without WHEELHOUSE_ASSUME_PLAN_ROLE, --plan diffs through the CDK lookup role instead.",
      );
      expect(stdout).toBe('');
      expect(account.calls.filter((c) => c.service !== 'sts')).toEqual([]);
    }, 120_000);
  });
});

/** Every entry of the command table, as the words that name it: `['deploy']`, `['monitors', 'plan']`. */
function everyCommand(
  commands: readonly CliCommand[] = CLI_COMMANDS,
  parent: readonly string[] = [],
): string[][] {
  return commands.flatMap((c) => {
    const words = [...parent, c.name];
    return c.kind === 'group' ? [words, ...everyCommand(c.subcommands, words)] : [words];
  });
}

/** The command table's entry named by `words`. */
function entry(words: readonly string[]): CliCommand {
  let choices: readonly CliCommand[] = CLI_COMMANDS;
  let found: CliCommand | undefined;
  for (const word of words) {
    found = choices.find((c) => c.name === word)!;
    if (found.kind === 'group') choices = found.subcommands;
  }
  return found!;
}

/** Runs `main` in-process with a collecting stdout and stderr. */
async function inProcess(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    env: { CI: 'true', WHEELHOUSE_CONFIG: FIXTURE, ...env },
    stdout: { write: (t: string) => out.push(t) },
    stderr: { write: (t: string) => err.push(t) },
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('wheelhouse: one entry, one argument style, one meaning per exit code', () => {
  it('lists every command, the exit codes and the entry points with --help, from bin/wheelhouse, and exits 0', async () => {
    // WHEN
    const { code, stdout, stderr } = await wheelhouse(['--help']);

    // THEN
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain('Usage: wheelhouse <command> [subcommand] --env <env> [options]');
    for (const command of CLI_COMMANDS) expect(stdout).toMatch(new RegExp(`^  ${command.name} +\\S`, 'm'));
    for (const [exit, meaning] of EXIT_CODE_MEANINGS) expect(stdout).toContain(`  ${exit}  ${meaning}`);
    expect(stdout).toContain('The Slack bot is not a command: `npm start` runs it');
    expect(stdout).toContain('`npm run monitors -- <subcommand>` is `wheelhouse monitors <subcommand>`');
  });

  it('names the exit codes in one table: 0 ok, 1 failed, 2 refused, 3 changes', () => {
    expect(EXIT).toEqual({ ok: 0, failed: 1, refused: 2, changes: 3 });
    expect(EXIT_CODE_MEANINGS.map(([exit]) => exit)).toEqual([0, 1, 2, 3]);
  });

  it.each(everyCommand().map((words) => [words.join(' '), words] as const))(
    '%s --help (and -h, and help %s) prints its usage, options and examples, and exits 0',
    async (_name, words) => {
      // GIVEN
      const command = entry(words);

      // WHEN
      const long = await inProcess([...words, '--help']);
      const short = await inProcess([...words, '-h']);
      const viaHelp = await inProcess(['help', ...words]);

      // THEN
      expect({ code: long.code, stderr: long.stderr }).toEqual({ code: 0, stderr: '' });
      expect(long.stdout.startsWith(`Usage: wheelhouse ${command.usage}\n`)).toBe(true);
      expect(long.stdout).toContain(`Examples:\n  wheelhouse ${words.join(' ')}`);
      expect(command.examples.length).toBeGreaterThan(0);
      for (const example of command.examples)
        expect(
          example.startsWith(`wheelhouse ${words.join(' ')}`) ||
            example.includes(` wheelhouse ${words.join(' ')}`),
        ).toBe(true);
      if (command.kind === 'leaf') {
        for (const option of [
          '--verbose',
          '-h, --help',
          ...Object.keys(command.options).map((o) => `--${o}`),
        ]) {
          expect(long.stdout).toContain(`  ${option}`);
        }
        expect(long.stdout.includes('  --env <env>')).toBe(command.takesEnvironment);
      } else {
        for (const sub of command.subcommands)
          expect(long.stdout).toMatch(new RegExp(`^  ${sub.name} +\\S`, 'm'));
      }
      expect(short).toEqual(long);
      expect(viaHelp).toEqual(long);
    },
  );

  it.each([
    [
      'a mistyped command',
      ['deplyo', '--env', 'dev'],
      'There is no command "deplyo"; did you mean "deploy"? Commands: deploy, rollback, scale, status, monitors, help.',
    ],
    [
      'a command that is nothing like one',
      ['ship', '--env', 'dev'],
      'There is no command "ship". Commands: deploy, rollback, scale, status, monitors, help.',
    ],
    [
      'the start of a command',
      ['stat', '--env', 'dev'],
      'There is no command "stat"; did you mean "status"?',
    ],
    [
      'a mistyped subcommand',
      ['monitors', 'aply', '--env', 'dev'],
      'There is no monitors subcommand "aply"; did you mean "apply"? Subcommands: plan, apply, routes, alerts.',
    ],
    ['no command', [], 'Say which command to run: deploy, rollback, scale, status, monitors, help.'],
    [
      'a group without its subcommand',
      ['monitors', '--env', 'dev'],
      'Say which monitors subcommand to run: plan, apply, routes, alerts.',
    ],
    [
      'an option before the command',
      ['--env', 'dev', 'deploy'],
      'Say the command first, then its options: wheelhouse <command> --env …',
    ],
    [
      'help for a command that does not exist',
      ['help', 'deplyo'],
      'There is no command "deplyo"; did you mean "deploy"?',
    ],
  ])(
    'answers %s with a usage error that names the closest command, and exits 2',
    async (_name, args, message) => {
      // WHEN
      const { code, stdout, stderr } = await wheelhouse(args);

      // THEN
      expect(code).toBe(EXIT.refused);
      expect(stderr).toContain(`wheelhouse: ${message}`);
      expect(stderr).toMatch(/^ {2}Usage: wheelhouse .+ \(wheelhouse .*--help for more\)$/m);
      expect(stdout).toBe('');
    },
  );

  it("prints the package's version with --version, and exits 0", async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const { code, stdout } = await inProcess(['--version']);
    expect({ code, stdout }).toEqual({ code: 0, stdout: `wheelhouse ${version}\n` });
  });

  it('is what package.json runs: the bin, npm run wheelhouse, and npm run monitors as wheelhouse monitors', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
      scripts: Record<string, string>;
    };
    // package.json "bin" (https://docs.npmjs.com/cli/v11/configuring-npm/package-json#bin): npx runs a
    // project's own bin by its name (https://docs.npmjs.com/cli/v11/commands/npx).
    expect(pkg.bin).toEqual({ wheelhouse: 'bin/wheelhouse' });
    expect(statSync(join(ROOT, pkg.bin.wheelhouse!)).mode & 0o111).not.toBe(0);
    expect(pkg.scripts.wheelhouse).toBe('tsx cli/main.ts');
    expect(pkg.scripts.monitors).toBe('tsx cli/main.ts monitors');
    expect(pkg.scripts.start).toBe('tsx bot/main.ts');
  });

  describe('exit codes from real runs', () => {
    let fakes: RoutedFakes;
    beforeEach(async () => {
      fakes = await startRoutedFakes();
    });
    afterEach(() => fakes.close());

    /** `wheelhouse monitors …` on the golden configuration, against the Datadog and PagerDuty fakes. */
    const monitors = (args: readonly string[]) =>
      wheelhouse(['monitors', ...args], { ...fakes.env, WHEELHOUSE_CONFIG: MONITORS_CONFIG });

    it('monitors plan with changes pending exits 3, and 0 once applied', async () => {
      // WHEN planning an empty Datadog, applying, then planning again
      const before = await monitors(['plan', '--env', 'prod']);
      const apply = await monitors(['apply', '--env', 'prod']);
      const after = await monitors(['plan', '--env', 'prod']);

      // THEN
      expect(before.code).toBe(EXIT.changes);
      expect(before.stdout).toMatch(/Plan for prod: \d+ to create/);
      expect(apply.code).toBe(EXIT.ok);
      expect(after.code).toBe(EXIT.ok);
      expect(after.stdout).toMatch(/0 to create, 0 to update, 0 to delete/);
    }, 60_000);

    it('monitors routes with a route missing exits 1, and apply refuses to run without it', async () => {
      // GIVEN PagerDuty knows neither the service nor its escalation policy
      fakes.pd.services.clear();
      fakes.pd.escalationPolicies.clear();

      // WHEN
      const routes = await monitors(['routes', '--env', 'prod']);
      const apply = await monitors(['apply', '--env', 'prod']);

      // THEN
      expect(routes.code).toBe(EXIT.failed);
      expect(routes.stdout).toContain('MISSING  PagerDuty service PWHPROD01');
      expect(apply.code).toBe(EXIT.failed);
      expect(apply.stderr).toContain('wheelhouse: not applying: 2 alert route(s) are missing');
      expect(fakes.dd.writes()).toEqual([]);
    }, 60_000);

    it('monitors apply without the Datadog keys is refused: exit 2', async () => {
      const { code, stderr } = await wheelhouse(['monitors', 'apply', '--env', 'prod'], {
        WHEELHOUSE_CONFIG: MONITORS_CONFIG,
        DATADOG_API_URL: fakes.dd.url,
      });
      expect(code).toBe(EXIT.refused);
      expect(stderr).toContain(
        'wheelhouse: DD_API_KEY and DD_APP_KEY are not set: apply needs both Datadog keys.',
      );
      expect(fakes.dd.http.requests).toEqual([]);
    });
  });

  it('status without AWS credentials is refused with what to set, and exits 2', async () => {
    // WHEN (no keys, no profile files: the SDK's chain finds nothing)
    const { code, stdout, stderr } = await wheelhouse(['status', '--env', 'dev'], {
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_CONFIG_FILE: join(ROOT, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(ROOT, 'no-aws-credentials'),
    });

    // THEN
    expect(code).toBe(EXIT.refused);
    expect(stderr).toContain('wheelhouse: AWS credentials are missing: cannot read the status of dev.');
    expect(stderr).toContain(
      '  Set AWS_PROFILE (after `aws sso login`) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    );
    expect(stderr).toContain('"command":"wheelhouse status"');
    expect(stdout).toBe('');
  });

  describe('status of an environment in moto_server (an implementation of the AWS APIs that is not ours)', () => {
    // moto answers ecs:ListServiceDeployments with HTTP 500 (not implemented): one part that cannot be
    // read, as https://docs.aws.amazon.com/AmazonECS/latest/APIReference/CommonErrors.html names the code.
    let moto: MotoServer;
    const dev = findEnvironment(testConfig(), 'dev');
    beforeAll(async () => {
      moto = await startMotoServer();
      await seedDeployedEnvironment(moto.endpoint, dev, 'v2.0.1');
    }, 60_000);
    afterAll(() => moto.stop());

    it('prints what /status shows as lines, lists the part it could not read, and exits 1', async () => {
      // WHEN
      const { code, stdout, stderr } = await wheelhouse(['status', '--env', 'dev'], {
        AWS_ENDPOINT_URL: moto.endpoint,
      });

      // THEN what could be read is shown, one fact per line
      expect(stdout).toMatch(/^ {2}Stack: +wheelhouse-dev \(CREATE_COMPLETE\)$/m);
      expect(stdout).toMatch(/^ {2}Service: +wheelhouse-dev-service \(ACTIVE\)$/m);
      expect(stdout).toMatch(/^ {2}Tasks: +\d+ running \/ 2 desired \/ \d+ pending$/m);
      expect(stdout).toMatch(/^ {2}Version: +v2\.0\.1$/m);
      expect(stdout).toMatch(/^ {2}Autoscaling: +1–4 tasks$/m);
      expect(stdout).toMatch(/^ {2}Deploy lock: +free$/m);
      // AND the part that failed is listed, so the run failed: exit 1
      expect(stdout).toContain('Recent deployments:\n  (could not be read)');
      expect(stdout).toMatch(/^Could not read:\n {2}Recent deployments: .*ecs:ListServiceDeployments/m);
      expect(code).toBe(EXIT.failed);
      expect(stderr).toContain('"command":"wheelhouse status"');
    }, 60_000);
  });
});
