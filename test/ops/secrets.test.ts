import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsClients } from '../../ops/aws-clients';
import { readSecretString } from '../../ops/secrets';
import { noCredentials, TEST_CREDENTIALS, UNREACHABLE_AWS_ENDPOINT } from '../support/aws-fakes';

const NAME = 'wheelhouse/prod/pagerduty-routing-key';
const WHAT = 'read the PagerDuty routing key of prod';

describe('readSecretString', () => {
  const secrets = mockClient(SecretsManagerClient);
  const aws = new AwsClients({
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
    endpoint: UNREACHABLE_AWS_ENDPOINT,
  });
  afterEach(() => secrets.reset());
  afterAll(async () => {
    secrets.restore();
    await aws.destroy();
  });

  it('reads the string value of the named secret in the region', async () => {
    // GIVEN
    secrets.on(GetSecretValueCommand, { SecretId: NAME }).resolves({ Name: NAME, SecretString: ' abc123\n' });

    // WHEN
    const value = await readSecretString(aws, 'eu-west-1', NAME, WHAT);

    // THEN
    expect(value).toBe('abc123');
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(await (await aws.secretsManager('eu-west-1')).config.region()).toBe('eu-west-1');
  });

  it.each([
    [
      'the secret does not exist',
      () => new ResourceNotFoundException({ $metadata: {}, message: "can't find the specified secret" }),
      `The secret \`${NAME}\` does not exist in eu-west-1: cannot ${WHAT}.`,
    ],
    [
      'AWS denies access',
      () =>
        new SecretsManagerServiceException({
          name: 'AccessDeniedException',
          $fault: 'client',
          $metadata: {},
          message: 'not authorized to perform secretsmanager:GetSecretValue',
        }),
      `AWS denied access: cannot ${WHAT}.`,
    ],
  ])('fails with what to do when %s', async (_name, error, message) => {
    // GIVEN
    secrets.on(GetSecretValueCommand).rejects(error());

    // WHEN / THEN
    await expect(readSecretString(aws, 'eu-west-1', NAME, WHAT)).rejects.toMatchObject({
      name: 'UserError',
      message,
    });
  });

  it('fails when the secret holds no string (a binary secret)', async () => {
    // GIVEN
    secrets.on(GetSecretValueCommand).resolves({ Name: NAME, SecretBinary: new Uint8Array([1, 2]) });

    // WHEN / THEN
    await expect(readSecretString(aws, 'eu-west-1', NAME, WHAT)).rejects.toMatchObject({
      message: `The secret \`${NAME}\` in eu-west-1 holds no string value: cannot ${WHAT}.`,
    });
  });

  it('fails with the credentials to set when there are none', async () => {
    // GIVEN
    const none = new AwsClients({ credentials: noCredentials, endpoint: UNREACHABLE_AWS_ENDPOINT });
    secrets.restore();
    try {
      // WHEN / THEN
      await expect(readSecretString(none, 'eu-west-1', NAME, WHAT)).rejects.toMatchObject({
        name: 'MissingCredentialsError',
        message: `AWS credentials are missing: cannot ${WHAT}.`,
      });
    } finally {
      await none.destroy();
    }
  });
});
