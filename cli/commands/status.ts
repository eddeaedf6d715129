/** `wheelhouse status`: what `/status` shows in Slack, read the same way (`ops/service-status.ts`), as lines. */
import { createLogger } from '../../ops/logger';
import { readServiceStatus } from '../../ops/service-status';
import { UserError } from '../../ops/user-error';
import { CLI_LOG_NAME } from '../cli-auditor';
import { statusLines } from '../status-lines';
import type { EnvironmentCommand } from './command';

/** The `status` module. */
export const statusCommand: EnvironmentCommand = {
  kind: 'leaf',
  name: 'status',
  summary:
    'the service (tasks, rollout, version), autoscaling, the deploy lock, the database, recent deployments',
  usage: 'status --env <env> [--verbose]',
  description: `Reads what /status shows in Slack, from CloudFormation, ECS, Application Auto Scaling, RDS and
DynamoDB, with your AWS credentials (or the operator role with WHEELHOUSE_ASSUME_OPERATOR_ROLE=true),
and prints it as lines. Changes nothing. Each part is read on its own: one that cannot be read is
listed with the reason, and the rest is shown.`,
  options: {},
  examples: ['wheelhouse status --env dev', 'AWS_PROFILE=prod-readonly wheelhouse status --env prod'],
  exitCodes:
    '0 every part read, 1 some part could not be read (listed), 2 no credentials, access denied or the stack is not deployed.',
  audited: true,
  takesEnvironment: true,
  async run(ctx) {
    const { environment } = ctx;
    const aws = ctx.aws();
    if (!(await aws.hasCredentials(environment.region))) {
      throw new UserError(
        `AWS credentials are missing: cannot read the status of ${environment.name}.`,
        'Set AWS_PROFILE (after `aws sso login`) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; in GitHub Actions, configure-aws-credentials.',
      );
    }
    // Reads that fail unexpectedly are logged here (stderr), with the run's correlation id.
    const logger = createLogger({
      name: CLI_LOG_NAME,
      level: 'warn',
      destination: { write: (line: string) => void ctx.stderr.write(line) },
    }).child({ correlationId: ctx.correlationId });
    const status = await readServiceStatus(aws, environment, logger);
    for (const line of statusLines(environment.name, status, ctx.correlationId)) ctx.print(line);
    return status.unreadable.length > 0 ? 'failed' : 'ok';
  },
};
