/**
 * Reads the endpoint outputs of an environment's deployed stack (CloudFormation DescribeStacks)
 * with the AWS credentials of the environment variables given: the CLI passes its own, so a test
 * or CI points it at an account (or at moto) without touching the process.
 */
import { type EnvironmentConfig, STACK_OUTPUTS } from '../../config';
import type { StackEndpointReader } from './endpoints';

/** Variables any of which means AWS credentials are available to the default provider chain. */
const CREDENTIAL_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_PROFILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
] as const;

/** A reader of the stack outputs that uses the credentials in `vars` (never the instance metadata). */
export function stackEndpointReader(vars: NodeJS.ProcessEnv): StackEndpointReader {
  return async (env: EnvironmentConfig) => {
    if (!CREDENTIAL_VARIABLES.some((name) => vars[name])) {
      throw new Error(
        `no AWS credentials in the environment: none of ${CREDENTIAL_VARIABLES.join(', ')} is set`,
      );
    }
    const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
    const client = new CloudFormationClient({
      region: env.region,
      ...(vars.AWS_ENDPOINT_URL ? { endpoint: vars.AWS_ENDPOINT_URL } : {}),
      ...(vars.AWS_ACCESS_KEY_ID && vars.AWS_SECRET_ACCESS_KEY
        ? {
            credentials: {
              accessKeyId: vars.AWS_ACCESS_KEY_ID,
              secretAccessKey: vars.AWS_SECRET_ACCESS_KEY,
              ...(vars.AWS_SESSION_TOKEN ? { sessionToken: vars.AWS_SESSION_TOKEN } : {}),
            },
          }
        : {}),
      maxAttempts: 2,
    });
    try {
      const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: env.stackName }));
      const outputs = new Map((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
      return {
        http: outputs.get(STACK_OUTPUTS.httpEndpoint) ?? null,
        grpc: outputs.get(STACK_OUTPUTS.grpcEndpoint) ?? null,
      };
    } finally {
      client.destroy();
    }
  };
}
