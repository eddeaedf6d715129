/** Reads an environment stack's outputs (CloudFormation DescribeStacks), the bot's map of the environment. */
import { z } from 'zod';
import { type EnvironmentConfig, STACK_OUTPUTS } from '../config';
import type { AwsClients } from './aws-clients';
import { withAwsErrors } from './aws-errors';
import { UserError } from './user-error';

/** A key of {@link STACK_OUTPUTS}. */
export type StackOutputName = keyof typeof STACK_OUTPUTS;

/** The outputs of one deployed stack. */
export interface StackOutputs {
  readonly stackName: string;
  /** CloudFormation's stack status, e.g. `UPDATE_COMPLETE`. */
  readonly stackStatus: string;
  /** The value of an output; throws a {@link UserError} that names the stack and output when it is absent. */
  get(name: StackOutputName): string;
  /** The value of an output, or null when absent. */
  find(name: StackOutputName): string | null;
}

const describeStacksResponse = z.object({
  Stacks: z
    .array(
      z.object({
        StackName: z.string(),
        StackStatus: z.string(),
        Outputs: z
          .array(z.object({ OutputKey: z.string().optional(), OutputValue: z.string().optional() }))
          .optional(),
      }),
    )
    .optional(),
});

/** Reads the outputs of `environment`'s stack; a stack that does not exist is a {@link UserError}. */
export async function readStackOutputs(
  aws: AwsClients,
  environment: EnvironmentConfig,
): Promise<StackOutputs> {
  const { stackName } = environment;
  return withAwsErrors(`read the outputs of stack ${stackName}`, async () => {
    const { DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
    const client = await aws.cloudFormation(environment);
    let response: unknown;
    try {
      response = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    } catch (error) {
      if (error instanceof Error && /does not exist/.test(error.message)) {
        throw new UserError(
          `Stack ${stackName} does not exist in ${environment.account}/${environment.region}.`,
          `Deploy the ${environment.name} environment first (cdk deploy ${stackName}).`,
        );
      }
      throw error;
    }
    const stack = describeStacksResponse.parse(response).Stacks?.[0];
    if (!stack)
      throw new UserError(
        `Stack ${stackName} was not found.`,
        `Deploy the ${environment.name} environment first.`,
      );
    const values = new Map<string, string>();
    for (const output of stack.Outputs ?? []) {
      if (output.OutputKey && output.OutputValue !== undefined)
        values.set(output.OutputKey, output.OutputValue);
    }
    const find = (name: StackOutputName): string | null => values.get(STACK_OUTPUTS[name]) ?? null;
    return {
      stackName,
      stackStatus: stack.StackStatus,
      find,
      get(name) {
        const value = find(name);
        if (value === null) {
          throw new UserError(
            `Stack ${stackName} has no output ${STACK_OUTPUTS[name]}.`,
            `It was deployed by an older version of Wheelhouse: deploy ${stackName} again.`,
          );
        }
        return value;
      },
    };
  });
}
