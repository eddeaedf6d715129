/**
 * Runs a deploy (from `/deploy`, `/rollback` or an approval) in a progress thread: takes the lock
 * now, so that a refusal is an immediate reply, then renders the deploy op's events into the one
 * edited thread message and ends it with the outcome, the duration and, on failure, the reason and
 * what was rolled back.
 */

import { readDatadogSettings } from '../../clients/datadog-client';
import type { EnvironmentConfig } from '../../config';
import type { DeployEvent, DeployOutcome } from '../../ops/deploy/deploy-events';
import { createDeployGuard, type DeployGuard } from '../../ops/deploy/deploy-mute';
import type { DeployLock } from '../../ops/deploy/deploy-state';
import { beginDeploy, DeployLockedError, type DeployRequest } from '../../ops/deploy/run-deploy';
import { RefusalError } from '../../ops/user-error';
import { context, escapeMrkdwn, fields, section } from '../../slack/blocks';
import { ephemeral, inChannel, type Reply } from '../../slack/reply';
import type { CommandContext } from './command';
import { formatTime } from './format-time';

/** A deploy to start on behalf of `by` (the requester; `approvedBy` when it needed an approval). */
export interface ThreadDeploy {
  readonly environment: EnvironmentConfig;
  readonly version: string | null;
  readonly kind: 'deploy' | 'rollback';
  readonly by: string;
  readonly approvedBy: string | null;
  readonly freezeOverride: string | null;
  /** What the change policy said must be seen although it allowed the change (a freeze window), or ''. */
  readonly audit: string;
}

/** The Datadog deploy guard, created from the environment variables (a no-op without keys). */
function deployGuard(run: CommandContext): DeployGuard {
  return createDeployGuard(run.config, readDatadogSettings(process.env));
}

/**
 * Explains who holds the lock, with their Slack mention, since when, and what to do. A lock past its
 * `expiresAt` is still held (deploy-state.ts says why a wall clock decides nothing): it is called
 * stale, and an admin may release it.
 */
export function lockedRefusal(environment: string, holder: DeployLock, timeZone: string): RefusalError {
  const who =
    holder.owner.startsWith('U') || holder.owner.startsWith('W') ? `<@${holder.owner}>` : holder.ownerName;
  return new RefusalError(
    `${environment} is locked by ${who} since ${formatTime(holder.since, timeZone)}: ${escapeMrkdwn(holder.reason)}.`,
    holder.stale
      ? `The lock looks stale: it expired ${formatTime(holder.expiresAt, timeZone)} without a renewal (a crashed deploy?). Wheelhouse takes it over once it has seen it unchanged for a whole lease; an admin can release it now with \`/unlock ${environment} --force\`.`
      : `The lock expires ${formatTime(holder.expiresAt, timeZone)}. Wait for it, or ask them to \`/unlock ${environment}\`.`,
  );
}

/** Takes the lock and starts the deploy in a progress thread; returns the immediate reply. */
export async function startThreadDeploy(run: CommandContext, deploy: ThreadDeploy): Promise<Reply> {
  const { environment } = deploy;
  const tz = run.config.project.timeZone;
  const request: DeployRequest = {
    config: run.config,
    environment,
    version: deploy.version,
    kind: deploy.kind,
    by: { id: deploy.by, name: deploy.by === run.caller.userId ? run.caller.userName : deploy.by },
    freezeOverride: deploy.freezeOverride,
  };
  const guard = deployGuard(run);
  let locked: Awaited<ReturnType<typeof beginDeploy>>;
  try {
    locked = await beginDeploy({ aws: run.aws, guard, now: run.now }, request);
  } catch (error) {
    if (error instanceof DeployLockedError) throw lockedRefusal(environment.name, error.holder, tz);
    throw error;
  }
  const what = deploy.version === null ? 'the infrastructure' : `\`${deploy.version}\``;
  const verb = deploy.kind === 'rollback' ? 'Rolling back' : 'Deploying';
  const title = `${verb} ${what} ${deploy.kind === 'rollback' ? 'in' : 'to'} ${environment.name} (<@${deploy.by}>${deploy.approvedBy ? `, approved by <@${deploy.approvedBy}>` : ''})${deploy.audit ? `. ${escapeMrkdwn(deploy.audit)}` : ''}`;
  const progress = await run.startProgress(title);
  const view = new ProgressView(title);
  const execute = async (): Promise<Reply> => {
    try {
      const outcome = await locked.run(
        (event) => {
          view.add(event);
          progress?.update(view.text());
        },
        // The bot instance stopping at its drain deadline ends the deploy as `interrupted`.
        { signal: run.signal },
      );
      return outcomeReply(environment.name, outcome, view);
    } catch (error) {
      run.logger.error({ err: error, environment: environment.name }, 'deploy failed');
      return inChannel(
        `The deploy to ${environment.name} failed: ${error instanceof Error ? error.message : 'internal error'}`,
        [
          section(
            `:boom: *The deploy to ${environment.name} failed* before it finished: ${escapeMrkdwn(error instanceof Error ? error.message : 'internal error')}. The lock was released; the log has the details.`,
          ),
        ],
      );
    }
  };
  if (!progress) return execute();
  // In the background, so that a stopping bot instance waits for the deploy and its last message.
  run.runInBackground(() => execute().then((reply) => progress.finish(reply, summaryOf(reply))));
  const note = locked.tookOverFrom
    ? ` (took over the stale lock of ${locked.tookOverFrom.ownerName}, unchanged for a whole lease, expired ${formatTime(locked.tookOverFrom.expiresAt, tz)})`
    : '';
  return ephemeral(
    `${verb} ${deploy.version ?? 'the infrastructure'} in ${environment.name}: follow the thread${note}.${deploy.audit ? ` ${deploy.audit}` : ''}`,
  );
}

function summaryOf(reply: Reply): string {
  return reply.text.split('\n')[0] ?? reply.text;
}

const PHASE_EMOJI: Readonly<Record<string, string>> = {
  muting: ':mute:',
  deploying: ':rocket:',
  'health-check': ':stethoscope:',
  baking: ':bread:',
  'rolling-back': ':rewind:',
  unmuting: ':loud_sound:',
  finished: ':checkered_flag:',
};

/** The state of the progress message, built from events. */
export class ProgressView {
  private phase = 'Starting…';
  private readonly stack: string[] = [];
  private tasks: string | null = null;
  readonly health: string[] = [];
  readonly notes: string[] = [];
  private started = Date.now();

  constructor(private readonly title: string) {}

  /** Folds one event into the view. */
  add(event: DeployEvent): void {
    switch (event.type) {
      case 'phase':
        this.phase = `${PHASE_EMOJI[event.phase] ?? ''} ${event.detail}`.trim();
        break;
      case 'stack':
        this.stack.push(
          `${event.logicalId} (${event.resourceType}) ${event.status}${event.reason ? `: ${event.reason}` : ''}`,
        );
        if (this.stack.length > 6) this.stack.shift();
        break;
      case 'service':
        this.tasks = `${event.running} running, ${event.pending} pending of ${event.desired}; ${event.draining} draining${event.failedTasks > 0 ? `; ${event.failedTasks} failed` : ''} · ${event.rolloutState ?? 'no rollout'}${event.reason ? ` (${event.reason})` : ''}`;
        break;
      case 'health':
        this.health.push(
          `${event.status === 'ok' ? ':large_green_circle:' : event.status === 'failed' ? ':red_circle:' : ':white_circle:'} ${event.check === 'rollout' ? 'ECS rollout' : `${(event.protocol ?? '').toUpperCase()}${event.check === 'targets' ? ' targets' : ''}`} ${event.detail}`,
        );
        break;
      case 'gate-alert':
        this.notes.push(
          `:rotating_light: Deploy-gate monitor alerted: ${event.monitors.map((m) => `<${m.url}|${escapeMrkdwn(m.name)}>`).join(', ')}`,
        );
        break;
      case 'note':
        this.notes.push(
          `${event.level === 'warn' ? ':warning:' : ':information_source:'} ${escapeMrkdwn(event.message)}`,
        );
        break;
    }
  }

  /** The progress message's text. */
  text(): string {
    const seconds = Math.round((Date.now() - this.started) / 1000);
    return [
      `*${this.title}* · ${seconds}s`,
      this.phase,
      this.stack.length > 0 ? `*Stack*\n${this.stack.map((l) => `• ${escapeMrkdwn(l)}`).join('\n')}` : '',
      this.tasks ? `*Tasks* ${escapeMrkdwn(this.tasks)}` : '',
      this.health.length > 0 ? `*Health*\n${this.health.join('\n')}` : '',
      ...this.notes,
    ]
      .filter(Boolean)
      .join('\n');
  }
}

/** `1m 12s`. */
export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const minutes = Math.floor(total / 60);
  return minutes > 0 ? `${minutes}m ${total % 60}s` : `${total}s`;
}

/** The final message of a deploy thread. */
export function outcomeReply(environment: string, outcome: DeployOutcome, view: ProgressView): Reply {
  const version =
    outcome.version ?? `${outcome.previousVersion ?? 'the running version'} (infrastructure only)`;
  const duration = formatDuration(outcome.durationMs);
  const headline =
    outcome.status === 'succeeded'
      ? `:white_check_mark: Deployed ${version} to ${environment} in ${duration}.`
      : outcome.status === 'lock-lost'
        ? `:unlock: The deploy of ${version} to ${environment} stopped after ${duration}: ${outcome.reason ?? 'it lost its lock'}.`
        : outcome.status === 'interrupted'
          ? `:double_vertical_bar: The deploy of ${version} to ${environment} was interrupted after ${duration}: ${outcome.reason ?? 'the bot instance stopped'}.`
          : outcome.status === 'failed-before-change'
            ? `:no_entry_sign: The deploy of ${version} to ${environment} failed before any change to the stack, after ${duration}: ${outcome.reason ?? 'unknown reason'}.`
            : `:x: The deploy of ${version} to ${environment} failed after ${duration}: ${outcome.reason ?? 'unknown reason'}.`;
  const blocks = [section(escapeMrkdwn(headline))];
  if (outcome.status === 'interrupted') blocks.push(section(interruptionAdvice(environment, outcome)));
  if (outcome.status === 'lock-lost') {
    blocks.push(
      section(
        `:warning: *This deploy lost its lock*, so it stopped before its next step and rolled nothing back: another deploy may be running, and a rollback would have redeployed an old version over it. Wheelhouse ended its mute of the monitors. *Next:* \`/status ${environment}\` shows what runs now and \`/deploy history ${environment}\` how deploys ended.`,
      ),
    );
  }
  if (outcome.status === 'failed-before-change') {
    const running = outcome.previousVersion ? `\`${outcome.previousVersion}\`` : 'the previous version';
    blocks.push(
      section(
        `Nothing was deployed and nothing rolled back: CloudFormation never started changing the stack, so ${environment} still runs ${running}. Fix the cause above (an asset upload, the change set, a permission), then deploy again.`,
      ),
    );
  }
  const rows: [string, string][] = [
    ['Version', `\`${version}\``],
    ['Before', outcome.previousVersion ? `\`${outcome.previousVersion}\`` : 'unknown'],
    ['Outcome', outcome.status],
    ['Duration', duration],
  ];
  if (outcome.status === 'interrupted' || outcome.status === 'lock-lost')
    rows.push(['Stopped during', outcome.interruptedIn ?? 'the start']);
  if (outcome.rollback) {
    const by = {
      'circuit-breaker': 'the ECS deployment circuit breaker',
      cloudformation: 'CloudFormation (the stack update failed)',
      monitor: `Wheelhouse, because ${outcome.rollback.monitors.join(', ')} alerted`,
      'health-check': 'Wheelhouse, because the health checks through the load balancer failed',
    }[outcome.rollback.by];
    rows.push([
      'Rolled back',
      `by ${by}, to \`${outcome.rollback.to ?? 'the previous version'}\`${outcome.rollback.succeeded ? '' : ' — the rollback failed too'}`,
    ]);
  }
  blocks.push(fields(rows));
  if (view.health.length > 0) blocks.push(section(`*Health*\n${view.health.join('\n')}`));
  if (view.notes.length > 0) blocks.push(context(view.notes.join('\n')));
  return inChannel(headline.replace(/^:[a-z_]+: /, ''), blocks);
}

/**
 * What an interrupted deploy leaves behind, by the step it stopped in, and what to do: CloudFormation
 * does not depend on the bot, so the stack update goes on; what only the bot does (the health check,
 * the bake, the automatic rollback) did not happen.
 */
function interruptionAdvice(environment: string, outcome: DeployOutcome): string {
  const version = outcome.version ? `\`${outcome.version}\`` : 'the infrastructure';
  const before = outcome.previousVersion ? `\`${outcome.previousVersion}\`` : 'the previous version';
  const state = {
    start: 'Nothing was deployed: the stack was not touched.',
    muting: 'Nothing was deployed: the stack was not touched.',
    deploying: `CloudFormation carries on with the stack update to ${version} by itself: it finishes, or rolls back on its own if it fails. The health check, the bake and the automatic rollback did not run.`,
    'health-check': `The stack update had finished, so ${version} runs, but its health check through the load balancer did not finish and nothing will roll it back automatically.`,
    baking: `The stack update had finished, so ${version} runs, but its bake did not finish and nothing will roll it back automatically.`,
    'rolling-back': `CloudFormation carries on with the rollback to ${before} by itself.`,
    unmuting: 'The deploy itself had ended.',
    finished: 'The deploy itself had ended.',
  }[outcome.interruptedIn ?? 'start'];
  const redeploy = outcome.version
    ? `\`/deploy ${environment} ${outcome.version}\``
    : `\`/deploy ${environment} <version>\``;
  return [
    `:warning: *The bot instance running this deploy stopped* (a restart of the bot). ${state}`,
    'Wheelhouse ended its mute of the monitors and released the lock: CloudFormation refuses a second update while one is in progress, so no deploy can race this one.',
    `*Next:* \`/status ${environment}\` shows what runs now and \`/deploy history ${environment}\` how deploys ended. Then redeploy with ${redeploy}, or go back with \`/rollback ${environment}\`.`,
  ].join('\n');
}
