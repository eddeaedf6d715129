import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { findEnvironment } from '../../config';
import { AwsClients, readAssumeOperatorRole, readAssumePlanRole } from '../../ops/aws-clients';
import { listBastionKeys } from '../../ops/bastion-keys';
import { DeployStateStore } from '../../ops/deploy/deploy-state';
import type { StackDeployer } from '../../ops/deploy/stack-deployer';
import { readSecretString } from '../../ops/secrets';
import { TEST_CREDENTIALS } from '../support/aws-fakes';
import { exampleConfig } from '../support/example-config';
import { HttpFake, type RecordedRequest } from '../support/http-fake';

const config = exampleConfig();
const dev = findEnvironment(config, 'dev');
const prod = findEnvironment(config, 'prod');
const NOW = new Date('2030-01-01T12:00:00Z');

/** What each operator role's session is, by environment. */
function session(env: string, expiresInMs = 3_600_000) {
  return {
    AccessKeyId: `ASIA${env.toUpperCase()}OPERATOR`,
    SecretAccessKey: `secret-${env}`,
    SessionToken: `token-${env}`,
    Expiration: new Date(Date.now() + expiresInMs),
  };
}

/** The access key that signed a request (SigV4 `Credential=<key>/<scope>`), and its session token. */
function signer(request: RecordedRequest): { key: string | null; token: string | null } {
  const authorization = String(request.headers.authorization ?? '');
  const token = request.headers['x-amz-security-token'];
  return {
    key: /Credential=([^/]+)\//.exec(authorization)?.[1] ?? null,
    token: typeof token === 'string' ? token : null,
  };
}

/** SSM, DynamoDB and Secrets Manager speak awsJson: one POST to `/`, the operation in `x-amz-target`. */
async function startAwsJsonFake(): Promise<HttpFake> {
  return HttpFake.start([
    {
      method: 'POST',
      pattern: '/',
      handle(request) {
        switch (request.headers['x-amz-target']) {
          case 'AmazonSSM.GetParametersByPath':
            return { status: 200, body: { Parameters: [] } };
          case 'DynamoDB_20120810.GetItem':
            return { status: 200, body: {} };
          case 'secretsmanager.GetSecretValue':
            return { status: 200, body: { Name: 'routing-key', SecretString: 'R0UT1NGKEY' } };
          default:
            return { status: 400, body: { __type: 'UnknownOperationException' } };
        }
      },
    },
  ]);
}

describe('AwsClients with operator roles', () => {
  const sts = mockClient(STSClient);
  let fake: HttpFake;
  let aws: AwsClients;
  const clients = (assumeOperatorRole: boolean) =>
    new AwsClients({ credentials: TEST_CREDENTIALS, maxAttempts: 1, endpoint: fake.url, assumeOperatorRole });

  beforeAll(async () => {
    fake = await startAwsJsonFake();
  });
  beforeEach(() => {
    sts.reset();
    fake.requests.length = 0;
    sts.on(AssumeRoleCommand).callsFake((input: { RoleArn?: string }) => ({
      Credentials: session(/wheelhouse-(\w+)-operator$/.exec(input.RoleArn ?? '')?.[1] ?? 'unknown'),
    }));
  });
  afterEach(async () => {
    await aws?.destroy();
  });
  afterAll(async () => {
    sts.restore();
    await fake.close();
  });

  it("signs an environment's calls with its operator role's session, assumed from the process's own credentials", async () => {
    // GIVEN
    aws = clients(true);

    // WHEN
    await listBastionKeys(aws, dev, NOW);

    // THEN
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      { RoleArn: 'arn:aws:iam::222222222222:role/wheelhouse-dev-operator', RoleSessionName: 'wheelhouse' },
    ]);
    const stsClient = sts.commandCalls(AssumeRoleCommand)[0]!.thisValue as STSClient;
    expect(await stsClient.config.credentials()).toMatchObject({ accessKeyId: TEST_CREDENTIALS.accessKeyId });
    expect(fake.requests.map(signer)).toEqual([{ key: 'ASIADEVOPERATOR', token: 'token-dev' }]);
  });

  it("assumes each environment's role once for all its clients, and keeps environments apart", async () => {
    // GIVEN
    aws = clients(true);

    // WHEN
    await listBastionKeys(aws, dev, NOW);
    await new DeployStateStore(aws, dev).readLock(NOW);
    await readSecretString(aws, prod, prod.pagerduty.routingKeySecretName, 'read the routing key');

    // THEN
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn)).toEqual([
      'arn:aws:iam::222222222222:role/wheelhouse-dev-operator',
      'arn:aws:iam::444444444444:role/wheelhouse-prod-operator',
    ]);
    expect(fake.requests.map((r) => [r.headers['x-amz-target'], signer(r).key])).toEqual([
      ['AmazonSSM.GetParametersByPath', 'ASIADEVOPERATOR'],
      ['DynamoDB_20120810.GetItem', 'ASIADEVOPERATOR'],
      ['secretsmanager.GetSecretValue', 'ASIAPRODOPERATOR'],
    ]);
  });

  it('assumes the role again before its session expires, never signing with a dying session', async () => {
    // GIVEN a first session of six minutes, a minute more than the renewal margin
    aws = clients(true);
    sts
      .on(AssumeRoleCommand)
      .resolvesOnce({ Credentials: { ...session('dev', 6 * 60_000), AccessKeyId: 'ASIAFIRST' } })
      .resolves({ Credentials: { ...session('dev'), AccessKeyId: 'ASIASECOND' } });
    await listBastionKeys(aws, dev, NOW);
    await listBastionKeys(aws, dev, NOW);
    const later = Date.now() + 2 * 60_000;
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => later);

    try {
      // WHEN two minutes have passed: four minutes left
      await listBastionKeys(aws, dev, NOW);
      await listBastionKeys(aws, dev, NOW);
    } finally {
      clock.mockRestore();
    }

    // THEN
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
    expect(fake.requests.map((r) => signer(r).key)).toEqual([
      'ASIAFIRST',
      'ASIAFIRST',
      'ASIASECOND',
      'ASIASECOND',
    ]);
  });

  it('shares one AssumeRole among calls that need the role at the same moment', async () => {
    // GIVEN
    aws = clients(true);

    // WHEN
    await Promise.all([
      listBastionKeys(aws, dev, NOW),
      new DeployStateStore(aws, dev).readLock(NOW),
      readSecretString(aws, dev, 'some-secret', 'read a secret'),
    ]);

    // THEN
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
  });

  it('says AWS denied access when the role cannot be assumed, and tries again on the next call', async () => {
    // GIVEN
    aws = clients(true);
    sts
      .on(AssumeRoleCommand)
      .rejectsOnce(
        new STSServiceException({
          name: 'AccessDenied',
          $fault: 'client',
          $metadata: {},
          message: 'not authorized to perform: sts:AssumeRole',
        }),
      )
      .resolves({ Credentials: session('dev') });

    // WHEN / THEN
    await expect(listBastionKeys(aws, dev, NOW)).rejects.toMatchObject({
      name: 'UserError',
      message: 'AWS denied access: cannot list the bastion keys of dev.',
    });
    expect(fake.requests).toHaveLength(0);
    await expect(listBastionKeys(aws, dev, NOW)).resolves.toEqual([]);
    expect(fake.requests.map((r) => signer(r).key)).toEqual(['ASIADEVOPERATOR']);
  });

  it('uses the process’s own credentials without the switch, as locally and in existing tests', async () => {
    // GIVEN
    aws = clients(false);

    // WHEN
    await listBastionKeys(aws, dev, NOW);

    // THEN
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
    expect(fake.requests.map(signer)).toEqual([{ key: TEST_CREDENTIALS.accessKeyId, token: null }]);
  });

  it('uses the process’s own credentials for a bare region (the registry in the tools account)', async () => {
    // GIVEN
    aws = clients(true);

    // WHEN
    await readSecretString(aws, 'eu-west-1', 'some-secret', 'read a secret');

    // THEN
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
    expect(fake.requests.map((r) => signer(r).key)).toEqual([TEST_CREDENTIALS.accessKeyId]);
  });
});

describe("AwsClients with plan roles (a pull request's --plan)", () => {
  // Made once the operator role tests above have restored theirs: one stub of STSClient at a time.
  let sts: AwsClientStub<STSClient>;
  const standIn: StackDeployer = {
    async deploy() {
      throw new Error('a plan never deploys');
    },
    async diff() {
      throw new Error('not called here');
    },
  };
  let aws: AwsClients | undefined;
  const clients = (assumePlanRole: boolean) =>
    new AwsClients({
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
      stackDeployer: standIn,
      assumePlanRole,
      roleSessionName: 'wheelhouse-ci-octocat-4242',
    });

  beforeAll(() => {
    sts = mockClient(STSClient);
  });
  beforeEach(() => {
    sts.reset();
    sts.on(AssumeRoleCommand).resolves({ Credentials: session('dev') });
  });
  afterEach(async () => {
    await aws?.destroy();
  });
  afterAll(() => sts.restore());

  it("assumes the environment's plan role up front, with the run's session name", async () => {
    // GIVEN
    aws = clients(true);

    // WHEN
    const deployer = await aws.planDeployer(dev);

    // THEN
    expect(deployer).toBe(standIn);
    expect(aws.planRoleOf(dev)).toBe('arn:aws:iam::222222222222:role/wheelhouse-dev-plan');
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      {
        RoleArn: 'arn:aws:iam::222222222222:role/wheelhouse-dev-plan',
        RoleSessionName: 'wheelhouse-ci-octocat-4242',
      },
    ]);
  });

  it('fails naming the plan role when STS refuses it', async () => {
    // GIVEN
    aws = clients(true);
    sts.on(AssumeRoleCommand).rejects(
      new STSServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: {},
        message: 'not authorized to perform: sts:AssumeRole',
      }),
    );

    // WHEN / THEN
    await expect(aws.planDeployer(prod)).rejects.toThrow(
      'cannot assume the plan role arn:aws:iam::444444444444:role/wheelhouse-prod-plan: not authorized to perform: sts:AssumeRole',
    );
  });

  it('is the stack deployer, with no role assumed, without the switch', async () => {
    // GIVEN
    aws = clients(false);

    // WHEN
    const deployer = await aws.planDeployer(dev);

    // THEN
    expect(deployer).toBe(standIn);
    expect(aws.planRoleOf(dev)).toBeNull();
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });
});

describe('readAssumePlanRole', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['0', false],
    ['true', true],
    ['1', true],
  ])('reads %p as %p', (value, expected) => {
    expect(readAssumePlanRole(value === undefined ? {} : { WHEELHOUSE_ASSUME_PLAN_ROLE: value })).toBe(
      expected,
    );
  });

  it('fails on anything else, naming the variable and the value', () => {
    expect(() => readAssumePlanRole({ WHEELHOUSE_ASSUME_PLAN_ROLE: 'plan' })).toThrow(
      'WHEELHOUSE_ASSUME_PLAN_ROLE must be true or false, got "plan"',
    );
  });
});

describe('readAssumeOperatorRole', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['false', false],
    ['0', false],
    ['true', true],
    ['TRUE', true],
    ['1', true],
  ])('reads %p as %p', (value, expected) => {
    expect(
      readAssumeOperatorRole(value === undefined ? {} : { WHEELHOUSE_ASSUME_OPERATOR_ROLE: value }),
    ).toBe(expected);
  });

  it('fails on anything else, naming the variable and the value', () => {
    expect(() => readAssumeOperatorRole({ WHEELHOUSE_ASSUME_OPERATOR_ROLE: 'yes' })).toThrow(
      'WHEELHOUSE_ASSUME_OPERATOR_ROLE must be true or false, got "yes"',
    );
  });
});
