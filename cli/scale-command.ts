/**
 * `wheelhouse scale`: sets the service's task count within its autoscaling bounds (ECS UpdateService),
 * or new bounds (Application Auto Scaling RegisterScalableTarget), through `ops/scale.ts` as `/scale`
 * does, after the one change policy (`ops/policy/`) allowed it; then watches until the running count
 * matches the desired one or the deadline (`aws.watch.scaleDeadlineMs`) passes.
 *
 * What the policy says for the command line (its rules, not repeated here): a scale that lets the
 * service run no task needs `--to-zero`; in a protected environment, a scale above
 * `service.limits.approvalAboveTasks` or below `service.tasks.min` needs an approval, which the
 * command line cannot ask for, so it refuses and points at `/scale` in Slack.
 *
 * Decisions:
 * - A count outside the live autoscaling bounds is refused before anything is changed (autoscaling
 *   would undo it), naming the `--min`/`--max` to give first. `applyScale` checks it again, with the
 *   words of Slack; this check is here so that the command line's hint is in its own words.
 * - `--plan` exits 3 when the scale would change the desired count or the bounds, 0 when not, and 2
 *   when the policy would stop it (what a run would exit with). Without AWS credentials the current
 *   size is unknown: it prints the calls a scale makes and the rules, and exits 0 unless stopped.
 * - An interrupted watch (Ctrl-C) exits 1: the scale was applied, but it was not seen to settle.
 */
import type { Config, EnvironmentConfig } from '../config';
import type { AwsClients } from '../ops/aws-clients';
import { offlineChangeFacts } from '../ops/policy/change-facts';
import { decideChange, decideRequest } from '../ops/policy/decide-change';
import { describeEnvironmentRules } from '../ops/policy/describe-environment-rules';
import {
  applyScale,
  checkScaleLimits,
  findScaleRef,
  planScale,
  readScaleState,
  type ScaleState,
  type ScaleTarget,
  watchScale,
} from '../ops/scale';
import { UserError } from '../ops/user-error';
import type { CliIdentity } from './ci-identity';
import {
  type CliChange,
  cliChangeRequest,
  decideOnCommandLine,
  refuseWithoutLookups,
} from './cli-change-request';
import { planDecisionLines, refuseIfBlocked } from './policy-decision';

/** What to scale to, as parsed from the arguments. */
export interface ScaleCommandOptions {
  readonly environment: EnvironmentConfig;
  readonly target: ScaleTarget;
  /** `--to-zero`: running no task at all is meant. */
  readonly toZero: boolean;
  /** Show the plan and change nothing. */
  readonly plan: boolean;
}

/** What the command uses; `commands/scale.ts` builds it. */
export interface ScaleCommandContext {
  readonly config: Config;
  readonly aws: AwsClients;
  readonly identity: CliIdentity;
  now(): Date;
  /** Writes one line of output (the caller redacts). */
  print(line: string): void;
  /** Aborted when the run is interrupted: the watch stops (the scale itself stays applied). */
  readonly signal?: AbortSignal;
}

/** How the command ended, short of a refusal (a thrown {@link UserError}). */
export type ScaleCommandResult = 'unchanged' | 'changes' | 'settled' | 'unsettled';

/** Runs `scale`: the plan, or the policy, the change and the watch. */
export async function runScaleCommand(
  ctx: ScaleCommandContext,
  options: ScaleCommandOptions,
): Promise<ScaleCommandResult> {
  const { environment, target, toZero, plan } = options;
  checkScaleLimits(environment, target);
  const changeOf = (currentBounds: ScaleState['bounds']): CliChange => ({
    action: 'scale',
    environment,
    version: null,
    scale: { target, toZero, currentBounds },
    freezeOverride: null,
  });

  // Every scale rule reads the request alone: a scale it refuses is refused before asking for credentials.
  if (!plan) refuseWithoutLookups(ctx.config, ctx.identity, changeOf(null), ctx.now());
  if (!(await ctx.aws.hasCredentials(environment.region))) {
    if (!plan) {
      throw new UserError(
        `AWS credentials are missing: cannot scale ${environment.name}.`,
        'Set AWS_PROFILE (after `aws sso login`) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; in GitHub Actions, configure-aws-credentials. --plan shows what a scale would do without them.',
      );
    }
    printOfflinePlan(ctx, environment, target);
    // Offline, the whole decision (with its notes) for the plan, from the request alone.
    const request = cliChangeRequest(ctx.identity, changeOf(null), ctx.now());
    const decision = decideChange(offlineChangeFacts(ctx.config, request));
    for (const line of planDecisionLines(decision)) ctx.print(line);
    refuseIfBlocked(decision);
    return 'unchanged';
  }

  const ref = await findScaleRef(ctx.aws, environment);
  const before = await readScaleState(ctx.aws, ref);
  const changes = wouldChange(before, target);

  if (plan) {
    const request = cliChangeRequest(ctx.identity, changeOf(before.bounds), ctx.now());
    const { decision } = await decideRequest(ctx.aws, ctx.config, request);
    ctx.print(`Scale plan for ${environment.name} (${ref.service}); nothing was changed.`);
    ctx.print(`Now: ${describeState(before)}`);
    ctx.print(`Requested: ${describeTarget(target)}${changes ? '' : ' (already so: nothing would change)'}`);
    for (const line of planDecisionLines(decision)) ctx.print(line);
    refuseIfBlocked(decision);
    assertWithinBounds(environment, target, before);
    return changes ? 'changes' : 'unchanged';
  }

  const { decision } = await decideOnCommandLine(
    ctx.aws,
    ctx.config,
    ctx.identity,
    changeOf(before.bounds),
    ctx.now(),
  );
  const notes = decision.outcome === 'refuse' ? [] : decision.audit;
  assertWithinBounds(environment, target, before);
  for (const note of notes) ctx.print(note);
  await applyScale(ctx.aws, environment, ref, target, before);
  ctx.print(
    `Scaled ${environment.name} to ${describeTarget(target)} as ${ctx.identity.id} (before: ${describeState(before)}).`,
  );
  ctx.print(
    `Watching until the running count matches the desired one (up to ${Math.round(ctx.aws.watch.scaleDeadlineMs / 1000)}s):`,
  );
  const result = await watchScale(
    ctx.aws,
    ref,
    (state) => ctx.print(`  ${describeState(state)}`),
    ctx.signal,
  );
  if (result.interrupted) {
    ctx.print(
      `Stopped watching at ${describeState(result.state)}: the scale was applied; wheelhouse status --env ${environment.name} shows the tasks now.`,
    );
    return 'unsettled';
  }
  if (result.matched) {
    ctx.print(`${environment.name}: ${result.state.running} tasks running, as desired.`);
    return 'settled';
  }
  ctx.print(
    `${environment.name}: the deadline passed with ${describeState(result.state)}; the scale was applied, but the tasks did not settle. wheelhouse status --env ${environment.name} shows more.`,
  );
  return 'unsettled';
}

/** True when `target` differs from the desired count or the bounds in `state`. */
function wouldChange(state: ScaleState, target: ScaleTarget): boolean {
  if (target.kind === 'count') return state.desired !== target.count;
  return state.bounds === null || state.bounds.min !== target.min || state.bounds.max !== target.max;
}

/** Refuses a count outside the live bounds, with the command line's words for the bounds to set first. */
function assertWithinBounds(environment: EnvironmentConfig, target: ScaleTarget, state: ScaleState): void {
  if (target.kind !== 'count' || state.bounds === null) return;
  const { min, max } = state.bounds;
  if (target.count >= min && target.count <= max) return;
  const name = environment.name;
  throw new UserError(
    `${target.count} tasks is outside the autoscaling bounds of ${name} (${min}–${max}): autoscaling would undo it.`,
    `Set new bounds first: wheelhouse scale --env ${name} --min ${Math.min(min, target.count)} --max ${Math.max(max, target.count)}, then --count ${target.count}.`,
  );
}

/** `3 tasks`, `bounds 2–6 tasks`. */
function describeTarget(target: ScaleTarget): string {
  return target.kind === 'count' ? `${target.count} tasks` : `bounds ${target.min}–${target.max} tasks`;
}

/** `2 running / 3 desired / 1 pending · bounds 1–4`. */
function describeState(state: ScaleState): string {
  const bounds = state.bounds ? `${state.bounds.min}–${state.bounds.max}` : 'none';
  return `${state.running} running / ${state.desired} desired / ${state.pending} pending · bounds ${bounds}`;
}

/** The plan without AWS: the calls a scale makes, and the rules that apply. */
function printOfflinePlan(
  ctx: ScaleCommandContext,
  environment: EnvironmentConfig,
  target: ScaleTarget,
): void {
  ctx.print(`Scale plan for ${environment.name} (${environment.stackName}); nothing was changed.`);
  ctx.print(
    `No AWS credentials: the current size needs AWS to be read. Scaling to ${describeTarget(target)} would make these calls:`,
  );
  for (const step of planScale(environment, target)) {
    ctx.print(`  ${step.call} ${step.resource}: ${step.detail}`);
  }
  ctx.print('What applies to a scale here:');
  const rules = describeEnvironmentRules(environment, 'scale', ctx.now(), ctx.config.project.timeZone);
  for (const line of rules) ctx.print(`  ${line}`);
}
