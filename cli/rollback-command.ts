/**
 * `wheelhouse rollback`: redeploys the previous good version of an environment (the newest succeeded
 * deploy of another version than the running one, `previousGoodVersion`), through the one deploy path
 * (`beginDeploy` with kind `rollback`: the lock, the mute and bake, history) after the one change
 * policy (`ops/policy/`) allowed it, as `/rollback` does in Slack.
 *
 * What the policy says for the command line (its rules, not repeated here): a protected
 * environment's rollback needs the target version's sign-off (`/signoff <env> <version>`), since the
 * command line cannot ask an approver; a freeze window does not stop a rollback, which is noted; a
 * lock held by someone else does.
 *
 * Decisions:
 * - No previous good version is a refusal (exit 2), with `--plan` too: there is nothing to plan.
 * - `--plan` prints running → target and what the policy says; it exits 3 when the rollback would
 *   change the running version, and 2 when the policy would stop it (what a run would exit with).
 * - Without AWS credentials, a rollback is refused (exit 2, like deploy); `--plan` then says the target
 *   version needs AWS to be found, prints the environment's rules, and exits 0.
 */
import type { EnvironmentConfig } from '../config';
import { previousGoodVersion } from '../ops/deploy/run-deploy';
import { decideRequest } from '../ops/policy/decide-change';
import { describeEnvironmentRules } from '../ops/policy/describe-environment-rules';
import { readStackOutputs } from '../ops/stack-outputs';
import { UserError } from '../ops/user-error';
import { type CliChange, cliChangeRequest, decideOnCommandLine } from './cli-change-request';
import { type DeployCommandContext, runLockedDeploy } from './deploy-command';
import { planDecisionLines, refuseIfBlocked } from './policy-decision';

/** What to roll back, as parsed from the arguments. */
export interface RollbackCommandOptions {
  readonly environment: EnvironmentConfig;
  /** Show the plan and change nothing. */
  readonly plan: boolean;
}

/** What the command uses: the same as `wheelhouse deploy`'s (`commands/deploy-context.ts` builds both). */
export type RollbackCommandContext = DeployCommandContext;

/** How the command ended, short of a refusal (a thrown {@link UserError}). */
export type RollbackCommandResult = 'unchanged' | 'changes' | 'succeeded' | 'failed';

/** Runs `rollback`: the plan, or the policy then the rollback with progress and its outcome. */
export async function runRollbackCommand(
  ctx: RollbackCommandContext,
  options: RollbackCommandOptions,
): Promise<RollbackCommandResult> {
  const { environment, plan } = options;
  if (!(await ctx.aws.hasCredentials(environment.region))) {
    if (!plan) {
      throw new UserError(
        `AWS credentials are missing: cannot roll back ${environment.name}.`,
        'Set AWS_PROFILE (after `aws sso login`) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; in GitHub Actions, configure-aws-credentials. --plan shows what applies without them.',
      );
    }
    printOfflinePlan(ctx, environment);
    return 'unchanged';
  }

  const running = (await readStackOutputs(ctx.aws, environment)).find('imageTag');
  const target = await previousGoodVersion(ctx.aws, environment, running);
  if (target === null) {
    throw new UserError(
      `There is no previous good version of ${environment.name} to roll back to (running: ${running ?? 'unknown'}).`,
      `A rollback needs a succeeded deploy of another version in the history (/deploy history ${environment.name} in Slack shows it); wheelhouse deploy --env ${environment.name} --version <tag> deploys a given one.`,
    );
  }
  // Unlike a deploy, the version is known only now (from AWS): nothing could be decided before.
  const change: CliChange = {
    action: 'rollback',
    environment,
    version: target,
    scale: null,
    freezeOverride: null,
  };

  if (plan) {
    const request = cliChangeRequest(ctx.identity, change, ctx.now());
    const { decision } = await decideRequest(ctx.aws, ctx.config, request);
    ctx.print(`Rollback plan for ${environment.name} (${environment.stackName}); nothing was changed.`);
    ctx.print(`ImageTag: ${running ?? 'unknown'} → ${target} (the previous good version in the history)`);
    for (const line of planDecisionLines(decision)) ctx.print(line);
    refuseIfBlocked(decision);
    return running === target ? 'unchanged' : 'changes';
  }

  const decided = await decideOnCommandLine(ctx.aws, ctx.config, ctx.identity, change, ctx.now());
  return runLockedDeploy(
    ctx,
    decided,
    { environment, version: target, kind: 'rollback', freezeOverride: null },
    `Rolling back ${environment.name} (${environment.stackName}) from ${running ?? 'unknown'} to ${target} as ${ctx.identity.id}.`,
  );
}

/** The plan without AWS: the target cannot be found, so the rules that will apply instead. */
function printOfflinePlan(ctx: RollbackCommandContext, environment: EnvironmentConfig): void {
  ctx.print(`Rollback plan for ${environment.name} (${environment.stackName}); nothing was changed.`);
  ctx.print(
    'No AWS credentials: the running version (the stack outputs) and the version to roll back to (the deploy history) need AWS to be read.',
  );
  const rules = describeEnvironmentRules(environment, 'rollback', ctx.now(), ctx.config.project.timeZone);
  ctx.print(
    rules.length > 0
      ? 'What applies to a rollback here:'
      : `No rule of the change policy sets ${environment.name} apart.`,
  );
  for (const line of rules) ctx.print(`  ${line}`);
}
