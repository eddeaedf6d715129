/**
 * Runs commands and button clicks through the same steps: parse, authorize, run, audit. Errors a
 * person should read become ephemeral replies that say what to do; anything else is logged with a
 * correlation id and gets a short reply naming it. Every reply is redacted before it leaves.
 */
import type { Config } from '../config';
import type { AwsClients } from '../ops/aws-clients';
import { newCorrelationId } from '../ops/correlation-id';
import type { BotLogger } from '../ops/logger';
import type { PagerDutyConnection } from '../ops/pagerduty-connection';
import { redact, redactDeep } from '../ops/redact';
import { RestartingError, UserError } from '../ops/user-error';
import type { AuditOutcome, Auditor } from '../slack/audit';
import { type MessageSurface, type ProgressThread, startProgressThread } from '../slack/progress-thread';
import { internalErrorReply, type Reply, userErrorReply } from '../slack/reply';
import type { Caller } from './caller';
import type {
  ActionResult,
  ClickedMessage,
  CommandContext,
  CommandModule,
  PreparedCommand,
} from './commands/command';
import { createDrain, type Drain } from './drain';
import type { GroupDirectory } from './group-directory';
import { authorize, isOneOf } from './permissions';
import { slackActor } from './slack-actor';

/** Everything the dispatcher needs; adapters build it once. */
export interface DispatcherOptions {
  readonly config: Config;
  readonly commands: readonly CommandModule[];
  readonly aws: AwsClients;
  /** PagerDuty for `/oncall` and `/page`. */
  readonly pagerDuty: PagerDutyConnection;
  readonly groups: GroupDirectory;
  readonly logger: BotLogger;
  readonly auditor: Auditor;
  /** Where progress threads are posted; null where there is none. */
  readonly surface: MessageSurface | null;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Passed to progress threads. @default 1000 */
  readonly progressEditIntervalMs?: number;
  /** Tracks commands and background work, for a graceful stop. @default a drain of its own */
  readonly drain?: Drain;
}

/** A slash command as an adapter received it. */
export interface CommandInvocation {
  /** Without the slash. */
  readonly command: string;
  readonly text: string;
  readonly caller: Caller;
}

/** A button click as an adapter received it. */
export interface ActionInvocation {
  readonly actionId: string;
  readonly value: string;
  readonly caller: Caller;
  /** The message the button is on. @default null */
  readonly message?: ClickedMessage | null;
}

/** Runs commands and actions. */
export interface Dispatcher {
  /** Parses, authorizes, runs and audits one command; always resolves to the reply to show. */
  runCommand(invocation: CommandInvocation): Promise<Reply>;
  /** Handles one button click; null when no module owns the action id. */
  runAction(invocation: ActionInvocation): Promise<ActionResult | null>;
  /** The registered action ids. */
  readonly actionIds: readonly string[];
  /** The commands and background work in flight. */
  readonly drain: Drain;
}

/** Builds the dispatcher over the registered command modules. */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { config, commands, aws, pagerDuty, groups, logger, auditor, surface } = options;
  const now = options.now ?? (() => new Date());
  const drain = options.drain ?? createDrain();
  const byName = new Map(commands.map((c) => [c.name, c]));
  const actions = new Map(commands.flatMap((c) => (c.actions ?? []).map((a) => [a.actionId, a] as const)));

  const runCommand = (invocation: CommandInvocation): Promise<Reply> => drain.track(run(invocation));

  const run = async (invocation: CommandInvocation): Promise<Reply> => {
    const started = performance.now();
    const correlationId = newCorrelationId();
    const { caller } = invocation;
    // A child logger costs an allocation and a serialization: make it only when something logs.
    let child: BotLogger | null = null;
    const log = (): BotLogger => {
      child ??= logger.child({ correlationId });
      return child;
    };
    let prepared: PreparedCommand | null = null;
    let outcome: AuditOutcome = 'ok';
    let reply: Reply;
    const module = byName.get(invocation.command);
    try {
      // A stopping instance starts nothing new: Slack gives the retry to another instance.
      if (drain.draining) throw new RestartingError(`\`/${invocation.command.slice(0, 30)}\``);
      if (!module) {
        throw new UserError(
          `There is no /${invocation.command.slice(0, 30)} command.`,
          `/help lists them: ${commands.map((c) => `/${c.name}`).join(', ')}.`,
          'usage',
        );
      }
      prepared = module.parse(invocation.text, { config, caller });
      await authorize(config, caller, module.name, module.permission, prepared.environment, groups);
      const ctx: CommandContext = {
        config,
        caller,
        // Every AWS call of the command is made for the person who ran it (CloudTrail's source identity).
        aws: aws.actingFor(slackActor(caller)),
        pagerDuty,
        commands,
        get logger() {
          return log();
        },
        now,
        isAdmin: (environment) => isOneOf(environment.permissions.admins, caller.userId, groups),
        isApprover: (environment) => isOneOf(environment.permissions.approvers, caller.userId, groups),
        isAllowed: async (environment, permission) =>
          (await isOneOf(environment.permissions.commands[permission], caller.userId, groups)) ||
          isOneOf(environment.permissions.admins, caller.userId, groups),
        startProgress: (title: string): Promise<ProgressThread | null> =>
          surface && /^[CGD][A-Z0-9]+$/.test(caller.channelId)
            ? startProgressThread(surface, caller.channelId, title, {
                minEditIntervalMs: options.progressEditIntervalMs ?? 1000,
              })
            : Promise.resolve(null),
        runInBackground: (work) => {
          void drain.track(
            work().catch((error: unknown) => {
              log().error({ err: error, command: invocation.command }, 'background work failed');
            }),
          );
        },
        signal: drain.signal,
      };
      reply = await prepared.run(ctx);
    } catch (error) {
      if (error instanceof UserError) {
        outcome = error.outcome;
        reply = userErrorReply(error.message, error.hint);
      } else {
        outcome = 'error';
        log().error({ err: error, command: invocation.command, userId: caller.userId }, 'command failed');
        reply = internalErrorReply(correlationId);
      }
    }
    auditor.record({
      userId: caller.userId,
      userName: caller.userName,
      channelId: caller.channelId,
      command: `/${invocation.command}`,
      // Before a successful parse, only the first word is kept: the rest may be a pasted secret.
      args: prepared ? prepared.auditArgs : redact(invocation.text.trim().split(/\s+/)[0] ?? ''),
      environment: prepared?.environment?.name ?? null,
      outcome,
      durationMs: Math.round(performance.now() - started),
      correlationId,
    });
    return redactDeep(reply);
  };

  const runAction = async (invocation: ActionInvocation): Promise<ActionResult | null> => {
    const action = actions.get(invocation.actionId);
    if (!action) return null;
    const { caller } = invocation;
    try {
      if (drain.draining) throw new RestartingError('this click');
      const result = await action.handle(invocation.value, {
        config,
        caller,
        runCommand: (command, text) => runCommand({ command, text, caller }),
        message: invocation.message ?? null,
      });
      return { ...result, reply: redactDeep(result.reply) };
    } catch (error) {
      const correlationId = newCorrelationId();
      const userFacing = error instanceof UserError;
      if (!userFacing)
        logger.error({ err: error, correlationId, actionId: invocation.actionId }, 'action failed');
      auditor.record({
        userId: caller.userId,
        userName: caller.userName,
        channelId: caller.channelId,
        command: `action:${invocation.actionId}`,
        args: '',
        environment: null,
        outcome: userFacing ? error.outcome : 'error',
        durationMs: 0,
        correlationId,
      });
      const reply = userFacing
        ? userErrorReply(error.message, error.hint)
        : internalErrorReply(correlationId);
      return { reply: redactDeep(reply), replaceOriginal: false };
    }
  };

  return {
    runCommand,
    runAction: (invocation) => drain.track(runAction(invocation)),
    actionIds: [...actions.keys()],
    drain,
  };
}
