/**
 * `/scale <env> <count> | <min>-<max> [--to-zero]`: sets the service's task count within its
 * autoscaling bounds, or new bounds, never beyond the environment's hard limit. The one change policy
 * (`ops/policy/`) decides: zero tasks only with `--to-zero`, and a protected environment needs an
 * approval above `limits.approvalAboveTasks` or below `tasks.min`. Replies with before and after, then watches in a thread until the
 * running count matches or the deadline passes.
 */
import { z } from 'zod';
import type { EnvironmentConfig } from '../../config';
import { scaleApprovalReason } from '../../ops/policy/approval';
import {
  applyScale,
  checkScaleLimits,
  findScaleRef,
  planScale,
  readScaleState,
  type ScaleState,
  type ScaleTarget,
  watchScale,
} from '../../ops/scale';
import { UsageError } from '../../ops/user-error';
import { escapeMrkdwn, fields, section } from '../../slack/blocks';
import { inChannel, type Reply } from '../../slack/reply';
import { decisionCommand, parseDecision, requestApproval } from './approval-buttons';
import { auditNotes, decideAtApproval, decideInSlack, type SlackChange } from './change-decision';
import type { CommandContext, CommandModule } from './command';
import { takeEnvironment, words } from './environment-argument';
import { planReply } from './plan-reply';
import { rulesBlocks } from './rules-blocks';

/** The slash command name. */
export const name = 'scale';
/** The usage line. */
export const usage = '/scale <env> <count> | <min>-<max> [--to-zero]';

const scaleTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('count'), count: z.number().int().min(0) }),
  z.object({ kind: z.literal('bounds'), min: z.number().int().min(0), max: z.number().int().min(0) }),
]);

/** What an approval request carries; a request stored before `--to-zero` existed is the bare target. */
const scaleArgs = z.union([
  z.object({ target: scaleTarget, toZero: z.boolean() }),
  scaleTarget.transform((target) => ({ target, toZero: false })),
]);

const TO_ZERO = '--to-zero';

/** Parses `<count>` or `<min>-<max>`. */
export function parseScaleTarget(word: string | undefined): ScaleTarget {
  const count = /^(\d{1,4})$/.exec(word ?? '');
  if (count) return { kind: 'count', count: Number(count[1]) };
  const bounds = /^(\d{1,4})-(\d{1,4})$/.exec(word ?? '');
  if (bounds) return { kind: 'bounds', min: Number(bounds[1]), max: Number(bounds[2]) };
  throw new UsageError(
    word === undefined
      ? 'Say how many tasks, or new bounds.'
      : `"${word.slice(0, 30)}" is neither a count nor <min>-<max>.`,
    usage,
  );
}

function describeTarget(target: ScaleTarget): string {
  return target.kind === 'count' ? `${target.count} tasks` : `bounds ${target.min}–${target.max} tasks`;
}

/** The `/scale` module. */
export const scaleCommand: CommandModule = {
  name,
  usage,
  summary: 'Set the task count within the autoscaling bounds, or new bounds (never beyond the hard limit).',
  permission: 'scale',
  parse(text, ctx) {
    const tokens = words(text);
    const { environment, consumed } = takeEnvironment(tokens, ctx, usage, ['approve', 'reject']);
    const rest = tokens.slice(consumed);
    const decision = parseDecision(rest, usage);
    if (decision) {
      return decisionCommand(environment, 'scale', decision, async (run, raw, request) => {
        const { target, toZero } = scaleArgs.parse(raw);
        const decided = await decideAtApproval(run, scaleChange(environment, target, toZero), request, false);
        return {
          what: `scale to ${describeTarget(target)}`,
          start: () => scale(run, environment, target, auditNotes(decided)),
        };
      });
    }
    const target = parseScaleTarget(rest[0]);
    const options = rest.slice(1);
    const toZero = options[0] === TO_ZERO;
    const unexpected = options[toZero ? 1 : 0];
    if (unexpected !== undefined) {
      throw new UsageError(`Unexpected argument "${unexpected.slice(0, 30)}".`, usage);
    }
    checkScaleLimits(environment, target);
    return {
      environment,
      auditArgs: `${environment.name} ${rest[0]}${toZero ? ` ${TO_ZERO}` : ''}`,
      async run(run) {
        // A scale needs nothing looked up to be decided, so a refusal comes before the plan too.
        const decided = await decideInSlack(run, scaleChange(environment, target, toZero));
        if (!(await run.aws.hasCredentials(environment.region))) {
          return planReply(
            `Would scale ${environment.name} to ${describeTarget(target)}:`,
            planScale(environment, target),
            rulesBlocks(environment, 'scale', run.now(), run.config.project.timeZone),
          );
        }
        if (decided.decision.outcome === 'needs') {
          return requestApproval(
            run,
            environment,
            'scale',
            JSON.stringify({ target, toZero }),
            `scale *${environment.name}* to ${describeTarget(target)} (${scaleApprovalReason(decided.facts)})`,
          );
        }
        return scale(run, environment, target, auditNotes(decided));
      },
    };
  },
};

/** The change `/scale` asks the policy about. */
function scaleChange(environment: EnvironmentConfig, target: ScaleTarget, toZero: boolean): SlackChange {
  return {
    action: 'scale',
    environment,
    version: null,
    scale: { target, toZero, currentBounds: null },
    freezeOverride: null,
  };
}

function describeState(state: ScaleState): string {
  const bounds = state.bounds ? `${state.bounds.min}–${state.bounds.max}` : 'none';
  return `${state.running} running / ${state.desired} desired / ${state.pending} pending · bounds ${bounds}`;
}

async function scale(
  run: CommandContext,
  environment: EnvironmentConfig,
  target: ScaleTarget,
  audit: string,
): Promise<Reply> {
  const ref = await findScaleRef(run.aws, environment);
  const before = await readScaleState(run.aws, ref);
  await applyScale(run.aws, environment, ref, target, before);
  const after = await readScaleState(run.aws, ref);
  const reply = (extra: string) =>
    inChannel(`Scaled ${environment.name} to ${describeTarget(target)}.${extra}`, [
      section(
        `:straight_ruler: <@${run.caller.userId}> scaled *${environment.name}* to ${describeTarget(target)}.${audit ? ` ${escapeMrkdwn(audit)}` : ''}${extra}`,
      ),
      fields([
        ['Before', describeState(before)],
        ['After', describeState(after)],
      ]),
    ]);
  const progress = await run.startProgress(`Scaling ${environment.name} to ${describeTarget(target)}`);
  const watch = async (): Promise<Reply> => {
    const result = await watchScale(
      run.aws,
      ref,
      (state) => progress?.update(`Watching: ${describeState(state)}`),
      run.signal,
    );
    if (result.interrupted) {
      return inChannel(`${environment.name}: stopped watching, the bot instance restarted.`, [
        section(
          `:double_vertical_bar: *${environment.name}*: the bot instance restarted, so it stopped watching at ${describeState(result.state)}. The scale itself was applied; \`/status ${environment.name}\` shows the tasks now.`,
        ),
      ]);
    }
    return result.matched
      ? inChannel(`${environment.name}: ${result.state.running} tasks running, as desired.`, [
          section(`:white_check_mark: *${environment.name}*: ${describeState(result.state)}.`),
        ])
      : inChannel(`${environment.name}: the running count did not match by the deadline.`, [
          section(
            `:hourglass: *${environment.name}*: the deadline passed with ${describeState(result.state)}. \`/status ${environment.name}\` shows more.`,
          ),
        ]);
  };
  if (!progress) {
    const final = await watch();
    return reply(` ${final.text}`);
  }
  run.runInBackground(() =>
    watch()
      .catch((error: unknown) => {
        run.logger.error({ err: error }, 'scale watch failed');
        return inChannel(`Could not watch ${environment.name}: the log has the details.`);
      })
      .then((final) => progress.finish(final, final.text)),
  );
  return reply(' Watching the tasks in the thread.');
}
