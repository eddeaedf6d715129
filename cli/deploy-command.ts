/**
 * `wheelhouse deploy`: the command line's way into the one deploy path (`ops/deploy/run-deploy.ts`),
 * decided by the same change policy as `/deploy` in Slack (`ops/policy/`: the image tag exists,
 * freeze windows, the lock, the sign-off), then the Datadog mute and bake through the deploy guard, rollback and history. `--plan` touches nothing:
 * with AWS credentials it diffs the synthesized stack against the deployed one (the stack deployer's
 * read-only `diff`), without them it synthesizes the stack and summarizes it offline (`planDeploy`).
 * In a pull request's plan job (`WHEELHOUSE_ASSUME_PLAN_ROLE`), the diff reads through the environment's
 * plan role, which reads that stack's template and nothing else (`stacks/plan-role.ts`).
 *
 * Where it differs from Slack, and why:
 * - Approvals: the command line cannot ask an approver. In a protected environment it deploys only a
 *   release tag that an approver signed off with `/signoff` (see `ops/deploy/sign-off.ts`).
 * - Freeze overrides: Slack lets only environment admins override; the command line has no Slack
 *   identity to check, so whoever holds AWS credentials able to deploy the stack may, and the reason
 *   is kept in the history and the audit line with the CI run or OS user that gave it.
 * - Without AWS credentials it refuses (exit 2) instead of showing the plan, so that CI never reads
 *   "nothing happened" as success; `--plan` is the explicit way to see what would run.
 */

import {
  ASSUME_PLAN_ROLE_VARIABLE,
  type Config,
  ciPlanRoleName,
  deliveryNames,
  type EnvironmentConfig,
  planRoleName,
} from '../config';
import type { AwsClients } from '../ops/aws-clients';
import type { DeployOutcome, Rollback } from '../ops/deploy/deploy-events';
import type { DeployGuard } from '../ops/deploy/deploy-mute';
import { planDeploy } from '../ops/deploy/deploy-plan';
import { beginDeploy } from '../ops/deploy/run-deploy';
import { isReleaseTag } from '../ops/deploy/sign-off';
import type { StackDiffResult } from '../ops/deploy/stack-deployer';
import type { DecidedChange } from '../ops/policy/decide-change';
import { describeEnvironmentRules } from '../ops/policy/describe-environment-rules';
import { UserError } from '../ops/user-error';
import type { CliIdentity } from './ci-identity';
import { type CliChange, decideOnCommandLine, refuseWithoutLookups } from './cli-change-request';
import type { DeployProgress } from './terminal-progress';

/** What to deploy, as parsed from the arguments. */
export interface DeployCommandOptions {
  readonly environment: EnvironmentConfig;
  /** The image tag; null deploys the infrastructure only and keeps the running tag. */
  readonly version: string | null;
  /** Show the plan and change nothing. */
  readonly plan: boolean;
  /** The reason to deploy inside a freeze window, or null. */
  readonly freezeOverride: string | null;
}

/** What the command uses; `main.ts` builds it, tests pass fakes at the AWS and Datadog edge. */
export interface DeployCommandContext {
  readonly config: Config;
  readonly aws: AwsClients;
  readonly guard: DeployGuard;
  readonly identity: CliIdentity;
  now(): Date;
  /** Writes one line of output (already free of secrets: the caller redacts). */
  print(line: string): void;
  /** Starts the progress display of a running deploy. */
  startProgress(): DeployProgress;
  /**
   * Aborted when the run is interrupted (Ctrl-C, a cancelled CI job): the deploy stops waiting, records
   * itself as interrupted, unmutes and unlocks; CloudFormation carries on by itself.
   */
  readonly signal?: AbortSignal;
}

/** How the command ended, short of a refusal (a thrown {@link UserError}). */
export type DeployCommandResult = 'planned' | 'succeeded' | 'failed';

/** Runs `deploy`: the plan, or the checks then the deploy with progress and its outcome. */
export async function runDeployCommand(
  ctx: DeployCommandContext,
  options: DeployCommandOptions,
): Promise<DeployCommandResult> {
  if (options.plan) {
    await printPlan(ctx, options);
    return 'planned';
  }
  const { environment, version, freezeOverride } = options;
  const change: CliChange = { action: 'deploy', environment, version, scale: null, freezeOverride };
  // What is refused whatever AWS says is refused before asking for credentials.
  refuseWithoutLookups(ctx.config, ctx.identity, change, ctx.now());
  if (!(await ctx.aws.hasCredentials(environment.region))) {
    throw new UserError(
      `AWS credentials are missing: cannot deploy to ${environment.name}.`,
      'Set AWS_PROFILE (after `aws sso login`) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; in GitHub Actions, configure-aws-credentials. --plan shows what would run without them.',
    );
  }
  const { decision, facts } = await decideOnCommandLine(ctx.aws, ctx.config, ctx.identity, change, ctx.now());
  const what = version ?? 'the infrastructure (keeping the running image)';
  return runLockedDeploy(
    ctx,
    { decision, facts },
    { environment, version, kind: 'deploy', freezeOverride },
    `Deploying ${what} to ${environment.name} (${environment.stackName}) as ${ctx.identity.id}.`,
  );
}

/** What {@link runLockedDeploy} starts. */
export interface CommandLineDeploy {
  readonly environment: EnvironmentConfig;
  readonly version: string | null;
  readonly kind: 'deploy' | 'rollback';
  readonly freezeOverride: string | null;
}

/**
 * Takes the lock and runs an allowed deploy or rollback with terminal progress: the `headline`, the
 * sign-off and the policy's audit notes, a stale lock taken over, then the outcome. Shared by
 * `wheelhouse deploy` and `wheelhouse rollback`.
 */
export async function runLockedDeploy(
  ctx: DeployCommandContext,
  decided: DecidedChange,
  deploy: CommandLineDeploy,
  headline: string,
): Promise<'succeeded' | 'failed'> {
  const { decision, facts } = decided;
  const { environment } = deploy;
  const locked = await beginDeploy(
    { aws: ctx.aws, guard: ctx.guard, now: ctx.now },
    { ...deploy, config: ctx.config, by: { id: ctx.identity.id, name: ctx.identity.name } },
  );
  ctx.print(headline);
  if (facts.signOff?.status === 'valid') {
    const { signOff } = facts.signOff;
    ctx.print(
      `Signed off by ${signOff.byName} (${signOff.by}) at ${signOff.signedAt.toISOString()}, valid until ${signOff.expiresAt.toISOString()}.`,
    );
  }
  if (decision.outcome !== 'refuse') for (const line of decision.audit) ctx.print(line);
  if (locked.tookOverFrom) {
    ctx.print(
      `Took over the stale lock of ${locked.tookOverFrom.ownerName}, expired ${locked.tookOverFrom.expiresAt.toISOString()}.`,
    );
  }

  const progress = ctx.startProgress();
  let outcome: DeployOutcome;
  try {
    outcome = await locked.run((event) => progress.onEvent(event), { signal: ctx.signal });
  } finally {
    progress.stop();
  }
  for (const line of describeOutcome(environment.name, outcome)) ctx.print(line);
  return outcome.status === 'succeeded' ? 'succeeded' : 'failed';
}

/** The outcome in a few lines: what runs now, how long it took, and why it failed and who rolled back. */
export function describeOutcome(environment: string, outcome: DeployOutcome): string[] {
  const version =
    outcome.version ?? `${outcome.previousVersion ?? 'the running version'} (infrastructure only)`;
  const duration = formatDuration(outcome.durationMs);
  const before = `before: ${outcome.previousVersion ?? 'unknown'}; history id ${outcome.historyId}`;
  if (outcome.status === 'succeeded') {
    return [`Deployed ${version} to ${environment} in ${duration} (${before}).`];
  }
  const lines = [
    `The deploy of ${version} to ${environment} ${{ 'rolled-back': 'was rolled back', interrupted: 'was interrupted', 'lock-lost': 'stopped: it lost its lock', failed: 'failed', 'failed-before-change': 'failed before any change to the stack' }[outcome.status]} after ${duration}: ${outcome.reason ?? 'unknown reason'} (${before}).`,
  ];
  if (outcome.rollback) lines.push(describeRollback(outcome.rollback));
  if (outcome.status === 'failed-before-change') lines.push(nothingDeployed(environment, outcome));
  if (outcome.status === 'lock-lost') lines.push(lockLostAdvice(environment));
  return lines;
}

/** What to do after a deploy that lost its lock: look before deploying again. */
function lockLostAdvice(environment: string): string {
  return `Nothing was rolled back: another deploy may be running. Check \`wheelhouse status --env ${environment}\` (and \`/deploy history ${environment}\`) before deploying again.`;
}

/** What a deploy that failed before any change to the stack leaves: what ran before, still running. */
function nothingDeployed(environment: string, outcome: DeployOutcome): string {
  const running = outcome.previousVersion ?? 'the previous version';
  return `Nothing was deployed and nothing rolled back: ${environment} still runs ${running}. Fix the cause above, then deploy again.`;
}

function describeRollback(rollback: Rollback): string {
  const by = {
    'circuit-breaker': 'the ECS deployment circuit breaker',
    cloudformation: 'CloudFormation (the stack update failed)',
    monitor: `Wheelhouse, because ${rollback.monitors.join(', ')} alerted`,
    'health-check': 'Wheelhouse, because the health checks through the load balancer failed',
  }[rollback.by];
  const result = rollback.succeeded ? '' : '; the rollback failed too: look at the stack now';
  return `Rolled back by ${by}, to ${rollback.to ?? 'the previous version'}${result}.`;
}

/** `1m 12s`. */
function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const minutes = Math.floor(total / 60);
  return minutes > 0 ? `${minutes}m ${total % 60}s` : `${total}s`;
}

/**
 * Prints what a deploy would do and what it needs: with AWS credentials, the diff against the
 * deployed stack and the ImageTag change; without, the synthesized stack's summary (and says so).
 */
async function printPlan(ctx: DeployCommandContext, options: DeployCommandOptions): Promise<void> {
  const { environment, version } = options;
  if (await ctx.aws.hasCredentials(environment.region)) await printDiff(ctx, options);
  else await printSummary(ctx, options);
  if (environment.protected) {
    const refusal =
      version === null
        ? 'a deploy without --version would be refused'
        : isReleaseTag(environment, version)
          ? `a deploy needs /signoff ${environment.name} ${version} by an approver first`
          : `${version} is not a release tag, so a deploy would be refused`;
    ctx.print(
      `${environment.name} is protected: the command line deploys only signed-off release tags (${refusal}).`,
    );
  }
  // What the change policy will ask for, whatever the credentials (nothing was decided here).
  for (const line of describeEnvironmentRules(
    environment,
    'deploy',
    ctx.now(),
    ctx.config.project.timeZone,
  )) {
    ctx.print(`Rule: ${line}`);
  }
}

/** The diff against the deployed stack (read-only: see the stack deployer's `diff`). */
async function printDiff(ctx: DeployCommandContext, options: DeployCommandOptions): Promise<void> {
  const { environment, version } = options;
  const request = { config: ctx.config, environment, version };
  const planRole = ctx.aws.planRoleOf(environment);
  let diff: StackDiffResult;
  try {
    diff = await (await ctx.aws.planDeployer(environment)).diff(request);
  } catch (error) {
    throw new UserError(
      error instanceof Error ? error.message : String(error),
      planRole === null
        ? "The credentials must be able to assume the environment's CDK lookup role (cdk bootstrap --trust) to read the deployed stack; without AWS credentials, --plan shows the offline summary instead."
        : planRoleHint(ctx.config, environment),
    );
  }
  const { stackName } = environment;
  ctx.print(`Plan for ${environment.name} (${stackName}); nothing was deployed.`);
  if (planRole !== null) ctx.print(`Read through the plan role ${planRole} (the stack's template only).`);
  ctx.print(imageTagLine(version, diff));
  if (!diff.stackExists)
    ctx.print(`${stackName} is not deployed yet: every resource below would be created.`);
  const changes = `${diff.resourceChanges} resource change${diff.resourceChanges === 1 ? '' : 's'}`;
  ctx.print(`Diff for ${stackName} against the deployed stack (${changes} in the template):`);
  ctx.print(diff.text);
  ctx.print(
    "A template diff: parameter values and CloudFormation's change set analysis are not in it; the image tag was not looked up in ECR.",
  );
}

/** What to fix when the plan role refused the credentials, or cannot read the stack. */
function planRoleHint(config: Config, environment: EnvironmentConfig): string {
  const role = planRoleName(environment);
  const ci = ciPlanRoleName(config.project);
  return [
    `${role} must exist, trust the credentials in use (in CI, ${ci}'s) and allow reading ${environment.stackName}:`,
    `deploy ${environment.stackName} (it creates ${role}) and ${deliveryNames(config.project).ciStackName} (it lets ${ci} assume it).`,
    `Without ${ASSUME_PLAN_ROLE_VARIABLE}, --plan diffs through the CDK lookup role instead.`,
  ].join(' ');
}

/** `ImageTag: v1.4.2 → v1.5.0`: what runs now and what the deploy would run. */
function imageTagLine(version: string | null, diff: StackDiffResult): string {
  const running = diff.runningImageTag;
  if (!diff.stackExists) {
    return version === null
      ? 'ImageTag: none (the stack is not deployed yet and no --version was given)'
      : `ImageTag: ${version} (new stack)`;
  }
  if (version === null) return `ImageTag: ${running ?? 'unknown'}, kept (infrastructure only)`;
  if (version === running) return `ImageTag: ${version} (already running: unchanged)`;
  // A parameter change is not in the template diff, yet it rolls the service onto the new image.
  return `ImageTag: ${running ?? 'unknown'} → ${version} (a new task definition; the service rolls onto it)`;
}

/** The synthesized stack's image and resources, offline. */
async function printSummary(ctx: DeployCommandContext, options: DeployCommandOptions): Promise<void> {
  const { environment, version } = options;
  const plan = await planDeploy(ctx.config, environment, version);
  ctx.print(`Plan for ${environment.name} (${plan.stackName}); nothing was deployed.`);
  ctx.print(
    'No AWS credentials, so no diff against the deployed stack: a summary of the synthesized template instead.',
  );
  ctx.print(`ImageTag: ${plan.imageTag ?? 'kept (infrastructure only: the running image tag stays)'}`);
  ctx.print(`The service would run: ${plan.image ?? 'an image without the ImageTag parameter'}`);
  ctx.print(`Parameters: ${plan.parameters.join(', ') || 'none'}`);
  ctx.print('Resources in the synthesized template:');
  for (const r of plan.resources) ctx.print(`${String(r.count).padStart(5)} ${r.type}`);
  ctx.print(
    'Synthesized from the CDK app; not compared with the deployed stack, and the image tag was not looked up in ECR.',
  );
}
