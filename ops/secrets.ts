/**
 * Reads secrets from AWS Secrets Manager. The value is returned to the op that needs it and never
 * logged, rendered or put in an error message: errors name the secret, not its value.
 */
import { z } from 'zod';
import type { AwsClients, AwsTarget } from './aws-clients';
import { withAwsErrors } from './aws-errors';
import { UserError } from './user-error';

const getSecretValue = z.object({ SecretString: z.string().optional() });

/**
 * The string value of the secret `secretName` in `where` (an environment, read with its operator
 * role when roles are assumed, or a bare region). Throws a {@link UserError} that says what to
 * create when the secret does not exist or holds no string; `what` completes "cannot …" in
 * messages (e.g. `read the PagerDuty routing key of prod`).
 */
export async function readSecretString(
  aws: AwsClients,
  where: AwsTarget,
  secretName: string,
  what: string,
): Promise<string> {
  const region = typeof where === 'string' ? where : where.region;
  return withAwsErrors(what, async () => {
    const { GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const client = await aws.secretsManager(where);
    let response: z.infer<typeof getSecretValue>;
    try {
      response = getSecretValue.parse(await client.send(new GetSecretValueCommand({ SecretId: secretName })));
    } catch (error) {
      if (error instanceof Error && error.name === 'ResourceNotFoundException') {
        throw new UserError(
          `The secret \`${secretName}\` does not exist in ${region}: cannot ${what}.`,
          `Create it in Secrets Manager (${region}) with the value as a plain string.`,
        );
      }
      throw error;
    }
    const value = response.SecretString?.trim();
    if (!value) {
      throw new UserError(
        `The secret \`${secretName}\` in ${region} holds no string value: cannot ${what}.`,
        'Store the value as a plain string (SecretString), not as binary.',
      );
    }
    return value;
  });
}
