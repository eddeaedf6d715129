/**
 * `/rollback <env>`: redeploys the previous good version (the newest succeeded deploy of another
 * version than the running one), through the same path as `/deploy`: lock, approvals, progress,
 * decided by the one change policy (`ops/policy/`). Freeze windows do not stop a rollback, on purpose
 * (`ops/policy/freeze-window.ts` says why); one inside a window says so in the request and the thread.
 */
import { z } from 'zod';
import type { EnvironmentConfig } from '../../config';
import { MissingCredentialsError } from '../../ops/aws-errors';
import { previousGoodVersion } from '../../ops/deploy/run-deploy';
import { readStackOutputs } from '../../ops/stack-outputs';
import { UsageError, UserError } from '../../ops/user-error';
import { escapeMrkdwn } from '../../slack/blocks';
import type { Reply } from '../../slack/reply';
import { decisionCommand, parseDecision, requestApproval } from './approval-buttons';
import { auditNotes, decideAtApproval, decideInSlack, type SlackChange } from './change-decision';
import type { CommandContext, CommandModule } from './command';
import { startThreadDeploy } from './deploy-thread';
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
        const decided = await decideAtApproval(run, rollbackChange(environment, version), request, false);
        return {
          what: `roll back to \`${version}\``,
          start: () =>
            startThreadDeploy(run, {
              environment,
              version,
              kind: 'rollback',
              by: request.requester,
              approvedBy: run.caller.userId,
              freezeOverride: null,
              audit: auditNotes(decided),
            }),
        };
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
  const decided = await decideInSlack(run, rollbackChange(environment, version));
  const audit = auditNotes(decided);
  if (decided.decision.outcome === 'needs') {
    return requestApproval(
      run,
      environment,
      'rollback',
      JSON.stringify({ version }),
      `roll *${environment.name}* back from \`${running ?? 'unknown'}\` to \`${version}\`${audit ? ` (${escapeMrkdwn(audit)})` : ''}`,
    );
  }
  return startThreadDeploy(run, {
    environment,
    version,
    kind: 'rollback',
    by: run.caller.userId,
    approvedBy: null,
    freezeOverride: null,
    audit,
  });
}

/** The change `/rollback` asks the policy about. */
function rollbackChange(environment: EnvironmentConfig, version: string): SlackChange {
  return { action: 'rollback', environment, version, scale: null, freezeOverride: null };
}
