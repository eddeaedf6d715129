/**
 * Wires the dispatcher into a Bolt app (HTTP or Socket Mode): one listener per registered command
 * and button. Each command is acknowledged at once with its reply when that is ready within the ack
 * budget, else with a short "working" note, and the reply follows through `response_url`.
 */
import type { App, Logger as BoltLoggerInterface, LogLevel, RespondArguments } from '@slack/bolt';
import { z } from 'zod';
import type { Config } from '../../config';
import type { AwsClients } from '../../ops/aws-clients';
import type { BotLogger } from '../../ops/logger';
import { PagerDutyConnection } from '../../ops/pagerduty-connection';
import { redact } from '../../ops/redact';
import { type Auditor, createAuditor } from '../../slack/audit';
import { ephemeral, type Reply } from '../../slack/reply';
import { slackSurface } from '../../slack/slack-surface';
import type { CommandModule } from '../commands/command';
import { createDispatcher, type Dispatcher } from '../dispatcher';
import { createDrain, type Drain } from '../drain';
import { slackGroupDirectory } from '../group-directory';

/** What every Slack adapter takes. */
export interface SlackBotOptions {
  readonly config: Config;
  readonly commands: readonly CommandModule[];
  readonly aws: AwsClients;
  /** PagerDuty for `/oncall` and `/page`. @default none configured (they say what to set) */
  readonly pagerDuty?: PagerDutyConnection;
  readonly logger: BotLogger;
  /** How long a command may take to have its reply sent in the ack itself. @default 1500 */
  readonly ackBudgetMs?: number;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Passed to the audit channel batcher. @default 1000 */
  readonly auditBatchMs?: number;
  /** Passed to progress threads. @default 1000 */
  readonly progressEditIntervalMs?: number;
}

/** The bot's parts once wired into Bolt. */
export interface WiredBot {
  readonly dispatcher: Dispatcher;
  readonly auditor: Auditor;
  /** Commands and background work in flight, for a graceful stop. */
  readonly drain: Drain;
  /**
   * Resolves true once every command and click received so far has been acknowledged to Slack, or
   * false after `ms` (Socket Mode acks over the connection, so it must stay open until then).
   */
  acksSent(ms: number): Promise<boolean>;
}

/** Slack's `response_url` message body for a reply. */
export function toSlackMessage(reply: Reply): SlackMessage {
  return { response_type: reply.visibility, text: reply.text, blocks: reply.blocks };
}

/** A reply as Slack's ack and `response_url` take it. */
export interface SlackMessage {
  readonly response_type: 'ephemeral' | 'in_channel';
  readonly text: string;
  readonly blocks: Reply['blocks'];
}

function asRespond(message: SlackMessage & { readonly replace_original?: boolean }): RespondArguments {
  return message as unknown as RespondArguments;
}

const actionBody = z.object({
  user: z.object({ id: z.string(), username: z.string().optional(), name: z.string().optional() }),
  channel: z.object({ id: z.string() }).optional(),
  container: z.object({ channel_id: z.string().optional() }).optional(),
  message: z.object({ text: z.string().default(''), blocks: z.array(z.unknown()).default([]) }).optional(),
});
const buttonAction = z.object({ type: z.literal('button'), value: z.string().default('') });

/** Registers every command and action of `options.commands` on `app`. */
export function wireBolt(app: App, options: SlackBotOptions): WiredBot {
  const { logger } = options;
  const budget = options.ackBudgetMs ?? 1500;
  const surface = slackSurface(app.client);
  const auditor = createAuditor({
    logger,
    channelId: options.config.slack.auditChannel,
    surface,
    batchMs: options.auditBatchMs,
  });
  const drain = createDrain();
  // The same bookkeeping, for the acks alone (each is sent within the ack budget).
  const acks = createDrain();
  const dispatcher = createDispatcher({
    config: options.config,
    commands: options.commands,
    aws: options.aws,
    pagerDuty: options.pagerDuty ?? new PagerDutyConnection({}),
    groups: slackGroupDirectory(app.client, logger),
    logger,
    auditor,
    surface,
    now: options.now,
    progressEditIntervalMs: options.progressEditIntervalMs,
    drain,
  });

  // One listener for every command and one for every button: Bolt runs each listener's middleware
  // chain on every request, so one per module would cost each request a chain per module.
  const byName = new Map(options.commands.map((m) => [`/${m.name}`, m]));
  // Each listener is tracked whole, the follow-up through response_url included, so that a stopping
  // instance does not exit between a command's "Working on…" and its answer.
  app.command(anyOf([...byName.keys()]), ({ command, ack, respond }) => {
    const module = byName.get(command.command);
    if (!module) return Promise.resolve();
    return drain.track(
      (async () => {
        const pending = dispatcher.runCommand({
          command: module.name,
          text: command.text ?? '',
          caller: { userId: command.user_id, userName: command.user_name, channelId: command.channel_id },
        });
        const early = await acks.track(
          (async () => {
            const ready = await within(pending, budget);
            if (ready) {
              await ack(asRespond(toSlackMessage(ready)));
              return ready;
            }
            // Only the first word of what was typed is echoed: the rest may be long, or a pasted secret.
            const first = redact((command.text ?? '').trim().split(/\s+/)[0] ?? '').slice(0, 40);
            await ack(
              asRespond(
                toSlackMessage(
                  ephemeral(`:hourglass_flowing_sand: Working on \`/${module.name} ${first}\`…`),
                ),
              ),
            );
            return null;
          })(),
        );
        if (early) return;
        const reply = await pending;
        await respond(
          asRespond({ ...toSlackMessage(reply), replace_original: reply.visibility === 'ephemeral' }),
        );
      })(),
    );
  });

  if (dispatcher.actionIds.length > 0) {
    app.action(anyOf(dispatcher.actionIds), ({ ack, body, action, respond }) =>
      drain.track(
        (async () => {
          await acks.track(ack());
          const who = actionBody.parse(body);
          const clicked = buttonAction.safeParse(action);
          const actionId = z.object({ action_id: z.string() }).parse(action).action_id;
          const result = await dispatcher.runAction({
            actionId,
            value: clicked.success ? clicked.data.value : '',
            caller: {
              userId: who.user.id,
              userName: who.user.username ?? who.user.name ?? who.user.id,
              channelId: who.channel?.id ?? who.container?.channel_id ?? '',
            },
            message: who.message ?? null,
          });
          if (!result) return;
          await respond(
            asRespond({
              ...toSlackMessage(result.reply),
              response_type: 'ephemeral',
              replace_original: result.replaceOriginal,
            }),
          );
        })(),
      ),
    );
  }

  app.error(async (error) => {
    logger.error({ err: error }, 'Bolt listener failed');
  });
  return { dispatcher, auditor, drain, acksSent: (ms) => acks.settled(ms) };
}

/** A pattern that matches exactly one of `names`. */
function anyOf(names: readonly string[]): RegExp {
  return new RegExp(`^(?:${names.map((n) => n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})$`);
}

const NOT_YET = Symbol('not yet');

/** Resolves to the value if `promise` settles within `ms`, else to null (the promise keeps running). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  // Most replies are ready within the same turn of the event loop: settle those without a timer.
  const first = await Promise.race([promise, new Promise<typeof NOT_YET>((r) => setImmediate(r, NOT_YET))]);
  if (first !== NOT_YET) return first;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Bolt's logger interface on top of pino, so that Bolt's own lines are structured and redacted too. */
export function boltLogger(logger: BotLogger): BoltLoggerInterface {
  const write =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...msg: unknown[]) =>
      logger[level](
        { component: 'bolt' },
        msg.map((m) => (m instanceof Error ? m.message : String(m))).join(' '),
      );
  let level = 'info' as LogLevel;
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
