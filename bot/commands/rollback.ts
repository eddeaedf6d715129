/**
 * `/rollback <env>`: redeploys the previous good version (the newest succeeded deploy of another
 * version than the running one), through the same path as `/deploy`: lock, approvals, progress.
 * Freeze windows do not stop a rollback: it is the way out of a bad deploy.
 */
import { z } from 'zod';
import type { EnvironmentConfig } from '../../config';
import { MissingCredentialsError } from '../../ops/aws-errors';
import { DeployStateStore } from '../../ops/deploy/deploy-state';
import { previousGoodVersion } from '../../ops/deploy/run-deploy';
import { readStackOutputs } from '../../ops/stack-outputs';
import { UsageError, UserError } from '../../ops/user-error';
import type { Reply } from '../../slack/reply';
import { decisionCommand, parseDecision, requestApproval } from './approval-buttons';
import type { CommandContext, CommandModule } from './command';
import { lockedRefusal, startThreadDeploy } from './deploy-thread';
import { takeEnvironment, words } from './environment-argument';

/** The slash command name. */
export const name = 'rollback';
/** The usage line. */
export const usage = '/rollback <env>';

const rollbackArgs = z.object({ version: z.string() });

/** The `/rollback` module. */
export const rollbackCommand: CommandModule = {
  name,
  usage,
  summary: 'Redeploy the previous good version of an environment (same lock and approvals as /deploy).',
  permission: 'rollback',
  parse(text, ctx) {
    const tokens = words(text);
    const { environment, consumed } = takeEnvironment(tokens, ctx, usage, ['approve', 'reject']);
    const rest = tokens.slice(consumed);
    const decision = parseDecision(rest, usage);
    if (decision) {
      return decisionCommand(environment, 'rollback', decision, async (run, raw, request) => {
        const { version } = rollbackArgs.parse(raw);
        const started = await startThreadDeploy(run, {
          environment,
          version,
          kind: 'rollback',
          by: request.requester,
          approvedBy: run.caller.userId,
          freezeOverride: null,
        });
        return { what: `roll back to \`${version}\``, started };
      });
    }
    if (rest.length > 0) throw new UsageError(`Unexpected argument "${rest[0]!.slice(0, 30)}".`, usage);
    return { environment, auditArgs: environment.name, run: (run) => rollback(run, environment) };
  },
};

async function rollback(run: CommandContext, environment: EnvironmentConfig): Promise<Reply> {
  if (!(await run.aws.hasCredentials(environment.region))) {
    throw new MissingCredentialsError(`find the previous version of ${environment.name}`);
  }
  const running = (await readStackOutputs(run.aws, environment)).find('imageTag');
  const version = await previousGoodVersion(run.aws, environment, running);
  if (!version) {
    throw new UserError(
      `There is no previous good version of ${environment.name} to roll back to (running: ${running ?? 'unknown'}).`,
      `\`/deploy history ${environment.name}\` shows what was deployed; \`/deploy ${environment.name} <version>\` deploys a given one.`,
    );
  }
  if (environment.protected) {
    const lock = await new DeployStateStore(run.aws, environment).readLock(run.now());
    if (lock && lock.owner !== run.caller.userId)
      throw lockedRefusal(environment.name, lock, run.config.project.timeZone);
    return requestApproval(
      run,
      environment,
      'rollback',
      JSON.stringify({ version }),
      `roll *${environment.name}* back from \`${running ?? 'unknown'}\` to \`${version}\``,
    );
  }
  return startThreadDeploy(run, {
    environment,
    version,
    kind: 'rollback',
    by: run.caller.userId,
    approvedBy: null,
    freezeOverride: null,
  });
}
