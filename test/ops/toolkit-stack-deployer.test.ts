import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { Template as CdkTemplate } from 'aws-cdk-lib/assertions';
import { IMAGE_TAG_PARAMETER } from '../../config';
import { AwsClients } from '../../ops/aws-clients';
import type { StackActivityEvent, StackDeployResult, StackDiffResult } from '../../ops/deploy/stack-deployer';
import {
  ASSEMBLY_DIR_PREFIX,
  stackParametersFor,
  toolkitStackDeployer,
} from '../../ops/deploy/toolkit-stack-deployer';
import { buildApp } from '../../stacks/app';
import { AwsAccountFake, type FakeRole, type FakeStatement } from '../support/aws-account-fake';
import { TEST_CREDENTIALS } from '../support/aws-fakes';
import { exampleConfig } from '../support/example-config';
import { allowedStatements, trustedPrincipalArns } from '../support/iam-policies';
import { synthTemplates } from '../support/synth';

describe("the toolkit-lib deployer's stack parameters", () => {
  it('sets ImageTag to the version and keeps every other parameter', () => {
    // WHEN
    const parameters = stackParametersFor('v1.5.0');

    // THEN
    expect([...parameters.parameters]).toEqual([[IMAGE_TAG_PARAMETER, 'v1.5.0']]);
    expect(parameters.keepExistingParameters).toBe(true);
  });

  it('keeps the running ImageTag (UsePreviousValue) for an infrastructure-only deploy', () => {
    // WHEN
    const parameters = stackParametersFor(null);

    // THEN
    expect(parameters.parameters.size).toBe(0);
    expect(parameters.keepExistingParameters).toBe(true);
  });
});

interface Template {
  readonly Parameters: Record<string, { readonly Type: string }>;
  readonly Resources: Record<string, { readonly Type: string }>;
}

/** The bot's own principal lives in the tooling account; dev is another account it deploys to. */
const BOT_ARN = 'arn:aws:iam::111111111111:user/wheelhouse-bot';
/** Keys in the environment (the SDK's default chain), of another principal. */
const CHAIN_CREDENTIALS = { accessKeyId: 'AKIDCHAINCHAINCHAIN', secretAccessKey: 'chain-secret' };
const CHAIN_ARN = 'arn:aws:iam::111111111111:user/ci';
const DEPLOY_ROLE_SESSION =
  /^arn:aws:sts::222222222222:assumed-role\/cdk-hnb659fds-deploy-role-222222222222-eu-west-1\//;
const LOOKUP_ROLE_ARN = 'arn:aws:iam::222222222222:role/cdk-hnb659fds-lookup-role-222222222222-eu-west-1';
const LOOKUP_ROLE_SESSION =
  /^arn:aws:sts::222222222222:assumed-role\/cdk-hnb659fds-lookup-role-222222222222-eu-west-1\//;
/** The tools account's CI plan role, as a pull request's plan job holds it (assumed with GitHub's OIDC token). */
const CI_PLAN_CREDENTIALS = { accessKeyId: 'ASIACIPLANCIPLAN', secretAccessKey: 'ci-plan-secret' };
const CI_PLAN_ROLE_ARN = 'arn:aws:iam::111111111111:role/wheelhouse-ci-plan';
const CI_PLAN_SESSION = 'arn:aws:sts::111111111111:assumed-role/wheelhouse-ci-plan/GitHubActions';
/** Dev's CI deploy role, as a job of GitHub environment dev holds it. */
const CI_DEPLOY_CREDENTIALS = { accessKeyId: 'ASIACIDEPLOYDEV', secretAccessKey: 'ci-deploy-secret' };
const CI_DEPLOY_SESSION = 'arn:aws:sts::111111111111:assumed-role/wheelhouse-ci-deploy-dev/GitHubActions';
const PLAN_ROLE_ARN = 'arn:aws:iam::222222222222:role/wheelhouse-dev-plan';
/** The session name the command line gives assumed roles in GitHub Actions (`cliIdentity`). */
const PLAN_SESSION_NAME = 'wheelhouse-ci-octocat-4242';
const PLAN_ROLE_SESSION = `arn:aws:sts::222222222222:assumed-role/wheelhouse-dev-plan/${PLAN_SESSION_NAME}`;
/** Longer than a healthy deploy against the fake takes by far; a hang fails here, with the last AWS calls. */
const DEPLOY_DEADLINE_MS = 40_000;

describe('the toolkit-lib deployer against an AWS account speaking the wire protocols', () => {
  const config = exampleConfig();
  const dev = config.environments.find((e) => e.name === 'dev')!;
  const initialEnv = { ...process.env };
  /** The template this app synthesizes for dev. */
  let synthesized: Template;
  /** Dev's plan role and the CI roles, as the stacks synthesize their policies, for the fake account's IAM. */
  let iam: {
    readonly planRole: { readonly trusted: string[]; readonly allow: FakeStatement[] };
    readonly ciPlanRole: FakeStatement[];
    readonly ciDeployRole: FakeStatement[];
  };
  /** The template a deploy of this app leaves in CloudFormation (with the metadata the CDK adds). */
  let deployed: Template;
  let account: AwsAccountFake;
  let cdkHome: string;

  /**
   * Starts a fresh account and points every AWS client of this process at it; `bootstrapRoles` hold
   * some of the CDK bootstrap roles to a policy (by default they may do anything).
   */
  async function startAccount(bootstrapRoles: readonly FakeRole[] = []): Promise<void> {
    account = await AwsAccountFake.start({
      account: dev.account,
      region: dev.region,
      principals: [
        { accessKeyId: TEST_CREDENTIALS.accessKeyId, arn: BOT_ARN },
        { accessKeyId: CHAIN_CREDENTIALS.accessKeyId, arn: CHAIN_ARN },
        {
          accessKeyId: CI_PLAN_CREDENTIALS.accessKeyId,
          arn: CI_PLAN_SESSION,
          principalArn: CI_PLAN_ROLE_ARN,
          allow: iam.ciPlanRole,
        },
        {
          accessKeyId: CI_DEPLOY_CREDENTIALS.accessKeyId,
          arn: CI_DEPLOY_SESSION,
          principalArn: 'arn:aws:iam::111111111111:role/wheelhouse-ci-deploy-dev',
          allow: iam.ciDeployRole,
        },
      ],
      roles: [
        {
          name: 'wheelhouse-dev-plan',
          trustedPrincipalArns: iam.planRole.trusted,
          allow: iam.planRole.allow,
        },
        ...bootstrapRoles,
      ],
    });
    // toolkit-lib caches the account of each access key under CDK_HOME: a fresh one per account.
    cdkHome = mkdtempSync(join(tmpdir(), 'wheelhouse-cdk-home-'));
    // Every SDK client (toolkit-lib's, cdk-assets', the STS client behind AssumeRole) goes to the fake;
    // nothing reads the machine's AWS configuration or the instance metadata service.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: account.endpoint,
      AWS_REGION: dev.region,
      AWS_ACCESS_KEY_ID: CHAIN_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CHAIN_CREDENTIALS.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: join(cdkHome, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(cdkHome, 'no-aws-credentials'),
      CDK_HOME: cdkHome,
      // The CDK app synthesizes in-process without the ~10 s CloudFormation validation.
      CDK_VALIDATION: 'false',
    });
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_SESSION_TOKEN;
  }

  async function stopAccount(): Promise<void> {
    await account.close();
    rmSync(cdkHome, { recursive: true, force: true });
    for (const key of Object.keys(process.env)) if (!(key in initialEnv)) delete process.env[key];
    Object.assign(process.env, initialEnv);
  }

  function putRunningStack(template: Template, imageTag: string): void {
    account.putStack({
      name: dev.stackName,
      template,
      parameters: { [IMAGE_TAG_PARAMETER]: imageTag, ...ssmParameterNames(template) },
    });
  }

  beforeAll(async () => {
    const devTemplate = synthTemplates(config, ['dev']).dev!;
    synthesized = devTemplate.toJSON() as Template;
    const { delivery } = buildApp(config, { nag: false });
    const ciTemplate = CdkTemplate.fromStack(delivery!.ci);
    iam = {
      planRole: {
        trusted: trustedPrincipalArns(devTemplate, 'wheelhouse-dev-plan'),
        allow: allowedStatements(devTemplate, 'wheelhouse-dev-plan'),
      },
      ciPlanRole: allowedStatements(ciTemplate, 'wheelhouse-ci-plan'),
      ciDeployRole: allowedStatements(ciTemplate, 'wheelhouse-ci-deploy-dev'),
    };
    // What dev runs: this app at v1.4.2, as the deployer itself left it (over an older release).
    await startAccount();
    try {
      putRunningStack(synthesized, 'v1.4.1');
      const { result } = await deploy('v1.4.2');
      if (!result.ok) throw new Error(`the deploy that sets up dev failed: ${result.reason}`);
      deployed = account.stack(dev.stackName).template as Template;
    } finally {
      await stopAccount();
    }
  }, 90_000);

  beforeEach(async () => {
    await startAccount();
    putRunningStack(deployed, 'v1.4.2');
  });
  afterEach(() => stopAccount());

  /** Deploys `version` to dev with the deployer, collecting the stack activity. */
  async function deploy(
    version: string | null,
    { credentials = TEST_CREDENTIALS }: { readonly credentials?: typeof TEST_CREDENTIALS | null } = {},
  ): Promise<{ result: StackDeployResult; activity: StackActivityEvent[] }> {
    const activity: StackActivityEvent[] = [];
    const deploying = toolkitStackDeployer(credentials ?? undefined).deploy(
      { config, environment: dev, version },
      (event) => activity.push(event),
    );
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const last = account.calls.slice(-5).map((c) => `${c.service}:${c.action}`);
        reject(
          new Error(
            `the deploy did not finish in ${DEPLOY_DEADLINE_MS} ms; last AWS calls: ${last.join(', ')}`,
          ),
        );
      }, DEPLOY_DEADLINE_MS);
    });
    try {
      return { result: await Promise.race([deploying, deadline]), activity };
    } finally {
      clearTimeout(timer);
    }
  }

  function createChangeSetParameters(): unknown {
    const [changeSet] = account.changeSets(dev.stackName);
    return changeSet?.request.Parameters;
  }

  it('deploys a new version with ImageTag set and every other parameter kept (UsePreviousValue)', async () => {
    // WHEN
    const { result } = await deploy('v1.5.0');

    // THEN
    expect(result).toEqual({ ok: true, reason: null, stackChanged: true });
    const expected = Object.keys(deployed.Parameters).map((key) =>
      key === IMAGE_TAG_PARAMETER
        ? { ParameterKey: key, ParameterValue: 'v1.5.0' }
        : { ParameterKey: key, UsePreviousValue: 'true' },
    );
    expect(createChangeSetParameters()).toEqual(expected);
    expect(account.stack(dev.stackName)).toMatchObject({
      status: 'UPDATE_COMPLETE',
      parameters: { [IMAGE_TAG_PARAMETER]: 'v1.5.0' },
      outputs: { RunningImageTag: 'v1.5.0' },
    });
    expect(account.unsupported).toEqual([]);
  }, 60_000);

  it("sends CloudFormation this app's template for the environment, through the bootstrap bucket", async () => {
    // WHEN
    await deploy('v1.5.0');

    // THEN the template CloudFormation read (from the TemplateURL in S3) is the synthesized one
    const [changeSet] = account.changeSets(dev.stackName);
    const sent = JSON.parse(changeSet!.templateBody) as Template;
    expect(withoutDeployMetadata(sent)).toEqual(synthesized);
    expect(sent.Parameters[IMAGE_TAG_PARAMETER]).toMatchObject({ Type: 'String' });
    expect(Object.values(sent.Resources).map((r) => r.Type)).toContain('AWS::ECS::Service');
    expect(changeSet!.request.TemplateURL).toMatch(
      /\/cdk-hnb659fds-assets-222222222222-eu-west-1\/[0-9a-f]{64}\.json$/,
    );
    // and the Lambda code of the custom resources went to the same bucket
    const uploads = account.calls.filter((c) => c.service === 's3' && c.action === 'PUT object');
    expect(uploads.map((c) => c.params.key)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^[0-9a-f]{64}\.zip$/)]),
    );
  }, 60_000);

  it('signs with the credentials it is given and deploys as the bootstrap deploy role', async () => {
    // WHEN
    await deploy('v1.5.0', { credentials: TEST_CREDENTIALS });

    // THEN the bot's own key only asked who it is and assumed the bootstrap roles (not the chain's key)
    const own = account.calls.filter((c) => c.caller === BOT_ARN);
    expect(new Set(own.map((c) => `${c.service}:${c.action}`))).toEqual(
      new Set(['sts:GetCallerIdentity', 'sts:AssumeRole']),
    );
    expect(account.calls.some((c) => c.caller === CHAIN_ARN)).toBe(false);
    // and every change went through the deploy role
    const changes = account.calls.filter((c) => /ChangeSet$/.test(c.action));
    expect(changes.map((c) => c.action)).toEqual(
      expect.arrayContaining(['CreateChangeSet', 'DescribeChangeSet', 'ExecuteChangeSet']),
    );
    for (const call of changes) expect(call.caller).toMatch(DEPLOY_ROLE_SESSION);
  }, 60_000);

  it("uses the SDK's default chain without credentials of its own", async () => {
    // WHEN
    const { result } = await deploy('v1.5.0', { credentials: null });

    // THEN
    expect(result).toEqual({ ok: true, reason: null, stackChanged: true });
    expect(account.calls.find((c) => c.action === 'AssumeRole')?.caller).toBe(CHAIN_ARN);
    expect(account.calls.some((c) => c.caller === BOT_ARN)).toBe(false);
  }, 60_000);

  it('streams the stack events of the update to onActivity', async () => {
    // WHEN
    const { activity } = await deploy('v1.5.0');

    // THEN every event of this update arrives, in order
    const taskDefinition = logicalIdOf(deployed, 'AWS::ECS::TaskDefinition');
    const events = account.stack(dev.stackName).events;
    expect(activity).toEqual(
      events.map((e) => ({
        logicalId: e.LogicalResourceId,
        resourceType: e.ResourceType,
        status: e.ResourceStatus,
        reason: e.ResourceStatusReason ?? null,
      })),
    );
    expect(activity).toEqual(
      expect.arrayContaining([
        {
          logicalId: dev.stackName,
          resourceType: 'AWS::CloudFormation::Stack',
          status: 'UPDATE_IN_PROGRESS',
          reason: 'User Initiated',
        },
        {
          logicalId: taskDefinition,
          resourceType: 'AWS::ECS::TaskDefinition',
          status: 'UPDATE_COMPLETE',
          reason: null,
        },
      ]),
    );
    expect(activity.at(-1)).toMatchObject({ logicalId: dev.stackName, status: 'UPDATE_COMPLETE' });
  }, 60_000);

  it('keeps the running ImageTag (UsePreviousValue) in an infrastructure-only deploy', async () => {
    // GIVEN the running stack predates the deploy-state table
    const table = logicalIdOf(deployed, 'AWS::DynamoDB::GlobalTable');
    const { [table]: _added, ...previousResources } = deployed.Resources;
    putRunningStack({ ...deployed, Resources: previousResources }, 'v1.4.2');

    // WHEN
    const { result, activity } = await deploy(null);

    // THEN
    expect(result).toEqual({ ok: true, reason: null, stackChanged: true });
    expect(createChangeSetParameters()).toEqual(
      Object.keys(deployed.Parameters).map((key) => ({ ParameterKey: key, UsePreviousValue: 'true' })),
    );
    expect(account.stack(dev.stackName)).toMatchObject({
      status: 'UPDATE_COMPLETE',
      parameters: { [IMAGE_TAG_PARAMETER]: 'v1.4.2' },
    });
    expect(activity).toContainEqual({
      logicalId: table,
      resourceType: 'AWS::DynamoDB::GlobalTable',
      status: 'CREATE_COMPLETE',
      reason: null,
    });
  }, 60_000);

  it('succeeds without executing anything when CloudFormation finds no changes', async () => {
    // WHEN the running version is deployed again onto the same template
    const { result, activity } = await deploy('v1.4.2');

    // THEN
    expect(result).toEqual({ ok: true, reason: null, stackChanged: false });
    const actions = account.calls.filter((c) => c.service === 'cloudformation').map((c) => c.action);
    // toolkit-lib skips the change set when the template and parameters are unchanged and no parameter
    // resolves from SSM (it must assume those changed). dev has none since the bastion AMI is pinned, so
    // there may be no CreateChangeSet at all; either way nothing is executed.
    expect(actions).not.toContain('ExecuteChangeSet');
    expect(account.changeSets(dev.stackName)).toEqual([]);
    expect(activity).toEqual([]);
    expect(account.stack(dev.stackName).status).toBe('UPDATE_COMPLETE');
  }, 60_000);

  it('leaves no synthesized cloud assembly behind, whether the deploy succeeds or fails', async () => {
    // GIVEN
    const assemblies = () => readdirSync(tmpdir()).filter((name) => name.startsWith(ASSEMBLY_DIR_PREFIX));
    const before = assemblies();

    // WHEN
    const deployed = await deploy('v1.5.0');
    account.failNextChangeSet('Template format error: Unresolved resource dependencies [Database]');
    const failed = await deploy('v1.6.0');

    // THEN
    expect([deployed.result.ok, failed.result.ok]).toEqual([true, false]);
    expect(assemblies()).toEqual(before);
  }, 60_000);

  /** Diffs `version` against dev with the deployer, as `--plan` does. */
  function diff(version: string | null): Promise<StackDiffResult> {
    return toolkitStackDeployer(TEST_CREDENTIALS).diff({ config, environment: dev, version });
  }

  describe('diff', () => {
    it('shows a changed resource in the text and the count, with the running ImageTag', async () => {
      // GIVEN the running task definition has other CPU units than this app's
      const taskDefinition = logicalIdOf(deployed, 'AWS::ECS::TaskDefinition');
      const running = structuredClone(deployed) as Template & {
        Resources: Record<string, { Properties: Record<string, unknown> }>;
      };
      running.Resources[taskDefinition]!.Properties.Cpu = '4096';
      putRunningStack(running, 'v1.4.2');

      // WHEN
      const result = await diff('v1.5.0');

      // THEN
      expect(result).toMatchObject({ stackExists: true, resourceChanges: 1, runningImageTag: 'v1.4.2' });
      expect(result.text).toContain('[~] AWS::ECS::TaskDefinition');
      expect(result.text).toContain(taskDefinition);
      expect(result.text).toMatch(/\[-\] 4096/);
      expect(result.text).toBe(stripVTControlCharacters(result.text)); // no colours
      expect(account.unsupported).toEqual([]);
    }, 60_000);

    it('finds no resource changes when the deployed stack is what this app synthesizes', async () => {
      // WHEN
      const result = await diff(null);

      // THEN
      expect(result).toMatchObject({ stackExists: true, resourceChanges: 0, runningImageTag: 'v1.4.2' });
      expect(result.text).toContain('There were no differences');
    }, 60_000);

    it('reports a stack that is not deployed yet as new, every resource added', async () => {
      // GIVEN an account without the stack
      await stopAccount();
      await startAccount();

      // WHEN
      const result = await diff('v1.5.0');

      // THEN
      const resources = Object.values(synthesized.Resources).filter((r) => r.Type !== 'AWS::CDK::Metadata');
      expect(result).toMatchObject({
        stackExists: false,
        resourceChanges: resources.length,
        runningImageTag: null,
      });
      expect(result.text).toMatch(/^\[\+\] AWS::ECS::Service /m);
      expect(account.unsupported).toEqual([]);
    }, 60_000);

    it('only reads, through the bootstrap lookup role: never the deploy role, nothing written', async () => {
      // WHEN
      await diff('v1.5.0');

      // THEN the given credentials assumed the lookup role only
      const assumed = account.calls.filter((c) => c.action === 'AssumeRole').map((c) => c.params.RoleArn);
      expect(assumed.length).toBeGreaterThan(0);
      expect(new Set(assumed)).toEqual(new Set([LOOKUP_ROLE_ARN]));
      expect(account.calls.some((c) => c.caller !== null && DEPLOY_ROLE_SESSION.test(c.caller))).toBe(false);
      // and CloudFormation was only read, by that role
      const cloudFormation = account.calls.filter((c) => c.service === 'cloudformation');
      expect(new Set(cloudFormation.map((c) => c.action))).toEqual(
        new Set(['DescribeStacks', 'GetTemplate']),
      );
      for (const call of cloudFormation) expect(call.caller).toMatch(LOOKUP_ROLE_SESSION);
      expect(account.calls.filter((c) => c.service === 's3')).toEqual([]);
      expect(account.stack(dev.stackName)).toMatchObject({
        status: 'UPDATE_COMPLETE',
        parameters: { [IMAGE_TAG_PARAMETER]: 'v1.4.2' },
      });
    }, 60_000);

    it('throws with the reason when the deployed stack cannot be read', async () => {
      // GIVEN credentials the account does not know
      const stranger = { accessKeyId: 'AKIDSTRANGERSTRANGER', secretAccessKey: 'stranger-secret' };

      // WHEN
      const diffing = toolkitStackDeployer(stranger).diff({ config, environment: dev, version: 'v1.5.0' });

      // THEN
      await expect(diffing).rejects.toThrow(
        'cannot diff wheelhouse-dev against the deployed stack: Need to perform AWS calls for account 222222222222, but no credentials have been configured',
      );
    }, 60_000);

    it('leaves no synthesized cloud assembly behind', async () => {
      // GIVEN
      const assemblies = () => readdirSync(tmpdir()).filter((name) => name.startsWith(ASSEMBLY_DIR_PREFIX));
      const before = assemblies();

      // WHEN
      await diff('v1.5.0');

      // THEN
      expect(assemblies()).toEqual(before);
    }, 60_000);
  });

  describe("diff through the environment's plan role, as a pull request's plan job runs it", () => {
    /** The command line's clients in a pull request's plan job: the CI plan role's key, plan roles assumed. */
    function planClients(credentials = CI_PLAN_CREDENTIALS): AwsClients {
      return new AwsClients({
        credentials,
        endpoint: account.endpoint,
        maxAttempts: 1,
        assumePlanRole: true,
        roleSessionName: PLAN_SESSION_NAME,
      });
    }

    async function planDiff(version: string | null): Promise<StackDiffResult> {
      const aws = planClients();
      try {
        return await (await aws.planDeployer(dev)).diff({ config, environment: dev, version });
      } finally {
        await aws.destroy();
      }
    }

    it('diffs with only what the plan role allows: the changed resource and the running ImageTag', async () => {
      // GIVEN the running task definition has other CPU units than this app's
      const taskDefinition = logicalIdOf(deployed, 'AWS::ECS::TaskDefinition');
      const running = structuredClone(deployed) as Template & {
        Resources: Record<string, { Properties: Record<string, unknown> }>;
      };
      running.Resources[taskDefinition]!.Properties.Cpu = '4096';
      putRunningStack(running, 'v1.4.2');

      // WHEN
      const result = await planDiff('v1.5.0');

      // THEN
      expect(result).toMatchObject({ stackExists: true, resourceChanges: 1, runningImageTag: 'v1.4.2' });
      expect(result.text).toContain('[~] AWS::ECS::TaskDefinition');
      expect(result.text).toMatch(/\[-\] 4096/);
      expect(account.unsupported).toEqual([]);
    }, 60_000);

    it("reads dev's stack as the plan role alone: never a bootstrap role, nothing but its template and description", async () => {
      // WHEN
      await planDiff('v1.5.0');

      // THEN the CI plan role's key only assumed dev's plan role
      const byCiPlan = account.calls.filter((c) => c.caller === CI_PLAN_SESSION);
      expect(byCiPlan.map((c) => [c.action, c.params.RoleArn, c.params.RoleSessionName])).toEqual([
        ['AssumeRole', PLAN_ROLE_ARN, PLAN_SESSION_NAME],
      ]);
      // and every other call was the plan role's session: no bootstrap role ever had a session
      expect(account.calls.filter((c) => c.caller !== CI_PLAN_SESSION).map((c) => c.caller)).toEqual(
        expect.arrayContaining([PLAN_ROLE_SESSION]),
      );
      for (const call of account.calls.filter((c) => c.caller !== CI_PLAN_SESSION))
        expect(call.caller).toBe(PLAN_ROLE_SESSION);
      // toolkit-lib asked for the lookup role, as `cdk diff` does, and was refused: the plan role may not
      // assume it, and carried on with its own credentials
      expect(account.denied.map((c) => [c.caller, c.iamAction, c.resource])).toEqual(
        account.denied.map(() => [PLAN_ROLE_SESSION, 'sts:AssumeRole', LOOKUP_ROLE_ARN]),
      );
      expect(account.denied.length).toBeGreaterThan(0);
      // what it read: the region's zones (the synth's check of the configured ones), then dev's stack,
      // DescribeStacks and GetTemplate only; nothing in S3 or SSM
      const reads = account.calls.filter((c) => c.service !== 'sts');
      expect(new Set(reads.map((c) => `${c.service}:${c.action}`))).toEqual(
        new Set([
          'ec2:DescribeAvailabilityZones',
          'cloudformation:DescribeStacks',
          'cloudformation:GetTemplate',
        ]),
      );
      for (const call of reads.filter((c) => c.service === 'cloudformation'))
        expect(call.params.StackName).toBe(dev.stackName);
      expect(new Set(account.calls.filter((c) => c.service === 'sts').map((c) => c.action))).toEqual(
        new Set(['AssumeRole', 'GetCallerIdentity']),
      );
      expect(account.stack(dev.stackName).parameters[IMAGE_TAG_PARAMETER]).toBe('v1.4.2');
    }, 60_000);

    it('reports a stack that is not deployed yet as new', async () => {
      // GIVEN an account without the stack
      await stopAccount();
      await startAccount();

      // WHEN
      const result = await planDiff('v1.5.0');

      // THEN
      expect(result).toMatchObject({ stackExists: false, runningImageTag: null });
      expect(result.text).toMatch(/^\[\+\] AWS::ECS::Service /m);
      expect(account.denied.filter((c) => c.iamAction !== 'sts:AssumeRole')).toEqual([]);
    }, 60_000);

    it.each([
      [
        "dev's CI deploy role, whose policy does not name the plan role",
        CI_DEPLOY_CREDENTIALS,
        `User: ${CI_DEPLOY_SESSION} is not authorized to perform: sts:AssumeRole on resource: ${PLAN_ROLE_ARN} because no identity-based policy allows the sts:AssumeRole action`,
      ],
      [
        'a principal that the plan role does not trust',
        TEST_CREDENTIALS,
        `User: ${BOT_ARN} is not authorized to perform: sts:AssumeRole on resource: ${PLAN_ROLE_ARN}`,
      ],
    ])(
      'refuses %s, naming the plan role, before synthesizing anything',
      async (_, credentials, reason) => {
        // GIVEN
        const aws = planClients(credentials);

        // WHEN
        const deployer = aws.planDeployer(dev).finally(() => aws.destroy());

        // THEN
        await expect(deployer).rejects.toThrow(`cannot assume the plan role ${PLAN_ROLE_ARN}: ${reason}`);
        expect(account.calls.map((c) => c.action)).toEqual(['AssumeRole']);
      },
      60_000,
    );
  });

  it("fails with CloudFormation's reason when the update rolls back, without throwing", async () => {
    // GIVEN
    const service = logicalIdOf(deployed, 'AWS::ECS::Service');
    const reason =
      'Resource handler returned message: "Error occurred during operation \'ECS Deployment Circuit Breaker was triggered\'." (RequestToken: 0f9c1a, HandlerErrorCode: GeneralServiceException)';
    account.failNextUpdate(service, reason);

    // WHEN
    const { result, activity } = await deploy('v1.5.0');

    // THEN
    expect(result.ok).toBe(false);
    expect(result.stackChanged).toBe(true);
    expect(result.reason).toContain(service);
    expect(result.reason?.split(reason)).toHaveLength(2); // the reason, once
    expectReadableReason(result.reason);
    expect(activity).toContainEqual({
      logicalId: service,
      resourceType: 'AWS::ECS::Service',
      status: 'UPDATE_FAILED',
      reason,
    });
    expect(account.stack(dev.stackName)).toMatchObject({
      status: 'UPDATE_ROLLBACK_COMPLETE',
      parameters: { [IMAGE_TAG_PARAMETER]: 'v1.4.2' },
    });
  }, 60_000);

  it("fails with CloudFormation's reason when the change set cannot be created, without throwing", async () => {
    // GIVEN
    account.failNextChangeSet(
      'Template error: instance of Fn::GetAtt references undefined resource Database',
    );

    // WHEN
    const { result, activity } = await deploy('v1.5.0');

    // THEN
    expect(result.ok).toBe(false);
    expect(result.stackChanged).toBe(false);
    expect(result.reason).toContain(
      'Template error: instance of Fn::GetAtt references undefined resource Database',
    );
    expectReadableReason(result.reason);
    expect(account.calls.map((c) => c.action)).not.toContain('ExecuteChangeSet');
    expect(activity).toEqual([]);
    expect(account.stack(dev.stackName).parameters[IMAGE_TAG_PARAMETER]).toBe('v1.4.2');
  }, 60_000);

  // AWS CloudFormation API Reference, CreateChangeSet: "CloudFormation doesn't make changes until you
  // execute the change set"; toolkit-lib's message registry (CDK_TOOLKIT_I5501, "Stack Monitoring: Start
  // monitoring of a single stack") is sent once ExecuteChangeSet was accepted, which is how the deployer
  // tells these failures from a stack update that CloudFormation rolled back.
  describe('fails before any change to the stack, saying why, when', () => {
    const DEPLOY_ROLE = `cdk-hnb659fds-deploy-role-${dev.account}-${dev.region}`;
    const FILE_PUBLISHING_ROLE = `cdk-hnb659fds-file-publishing-role-${dev.account}-${dev.region}`;
    /** A bootstrap role that may do `actions` only (the account's IAM refuses the rest: AccessDenied). */
    const role = (name: string, actions: string[]): FakeRole => ({
      name,
      trustedPrincipalArns: [],
      allow: [{ actions, resources: ['*'] }],
    });

    /** Restarts the account with `roles`' policies, running v1.4.2 as before. */
    async function withRoles(roles: FakeRole[]): Promise<void> {
      await stopAccount();
      await startAccount(roles);
      putRunningStack(deployed, 'v1.4.2');
    }

    /** The stack is as it was: no change set ran, no event, the running ImageTag kept. */
    function expectStackUntouched(activity: readonly StackActivityEvent[]): void {
      expect(account.calls.map((c) => c.action)).not.toContain('ExecuteChangeSet');
      expect(activity).toEqual([]);
      expect(account.stack(dev.stackName)).toMatchObject({
        status: 'UPDATE_COMPLETE',
        parameters: { [IMAGE_TAG_PARAMETER]: 'v1.4.2' },
      });
    }

    it('the assets cannot be uploaded (the file publishing role may not put objects)', async () => {
      // GIVEN the bootstrap's file publishing role without s3:PutObject (what it does besides)
      await withRoles([
        role(FILE_PUBLISHING_ROLE, [
          's3:GetObject',
          's3:ListBucket',
          's3:GetBucket*',
          's3:GetEncryptionConfiguration',
        ]),
      ]);

      // WHEN
      const { result, activity } = await deploy('v1.5.0');

      // THEN
      expect(result).toMatchObject({ ok: false, stackChanged: false });
      expect(result.reason).toContain(
        `is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::cdk-hnb659fds-assets-${dev.account}-${dev.region}/`,
      );
      // once, not again for every asset that cdk-assets reports the same refusal for
      expect(
        result.reason?.split('because no identity-based policy allows the s3:PutObject action'),
      ).toHaveLength(2);
      expect(result.reason).toMatch(/ \(and \d+ more like it\)$/);
      expectReadableReason(result.reason);
      expect(account.denied.map((c) => c.iamAction)).toContain('s3:PutObject');
      expect(account.calls.map((c) => c.action)).not.toContain('CreateChangeSet');
      expectStackUntouched(activity);
    }, 60_000);

    it('the deploy role may not create the change set (AccessDenied)', async () => {
      // GIVEN the bootstrap's deploy role with every CloudFormation call it makes but CreateChangeSet
      await withRoles([
        role(DEPLOY_ROLE, [
          'cloudformation:Describe*',
          'cloudformation:Get*',
          'cloudformation:List*',
          'cloudformation:DeleteChangeSet',
          'cloudformation:ExecuteChangeSet',
          'ssm:GetParameter*',
          's3:GetObject*',
          's3:List*',
          's3:GetBucket*',
        ]),
      ]);

      // WHEN
      const { result, activity } = await deploy('v1.5.0');

      // THEN
      expect(result).toMatchObject({ ok: false, stackChanged: false });
      expect(result.reason).toContain(
        'is not authorized to perform: cloudformation:CreateChangeSet on resource:',
      );
      expectReadableReason(result.reason);
      expect(account.denied.map((c) => [c.iamAction, c.caller])).toEqual([
        ['cloudformation:CreateChangeSet', expect.stringMatching(DEPLOY_ROLE_SESSION)],
      ]);
      expectStackUntouched(activity);
    }, 60_000);
  });
});

/** A reason fit for Slack: one line, without the deployer's stack frames or the synth's warnings. */
function expectReadableReason(reason: string | null): void {
  expect(reason).not.toMatch(/\n|Source Location|Construct Annotations/);
  expect(reason?.length).toBeLessThanOrEqual(1000);
}

/**
 * `template` without what the CDK adds at deploy time (as `cdk deploy` does): the construct path and
 * asset metadata of each resource, and the CDKMetadata resource.
 */
function withoutDeployMetadata(template: Template): Template {
  const resources = Object.entries(template.Resources)
    .filter(([, r]) => r.Type !== 'AWS::CDK::Metadata')
    .map(([id, r]) => {
      const { Metadata, ...rest } = r as { Metadata?: Record<string, unknown> };
      const kept = Object.entries(Metadata ?? {}).filter(
        ([key]) => key !== 'aws:cdk:path' && !key.startsWith('aws:asset:'),
      );
      return [id, kept.length > 0 ? { ...rest, Metadata: Object.fromEntries(kept) } : rest];
    });
  return { ...template, Resources: Object.fromEntries(resources) };
}

/** SSM-typed parameters (the bootstrap version, the bastion's AMI) hold their parameter's name, as CloudFormation keeps them. */
function ssmParameterNames(template: Template): Record<string, string> {
  return Object.fromEntries(
    Object.entries(template.Parameters)
      .filter(([, p]) => p.Type.startsWith('AWS::SSM::Parameter::Value'))
      .map(([key, p]) => [key, String((p as { Default?: unknown }).Default)]),
  );
}

function logicalIdOf(template: Template, type: string): string {
  const found = Object.entries(template.Resources).find(([, r]) => r.Type === type);
  if (!found) throw new Error(`no ${type} in the template`);
  return found[0];
}
