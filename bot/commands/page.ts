/**
 * `/page <env> <summary>`: triggers a PagerDuty incident for the environment's service (Events API
 * v2, with a deduplication key), and answers in the channel with Acknowledge and Resolve buttons
 * that act on PagerDuty and update the message. The buttons carry only the environment and the
 * deduplication key; the routing key is read again by the op at each click, and never shown.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { MAX_SUMMARY_LENGTH, type PageHandle } from '../../clients/pagerduty-events';
import type { EnvironmentConfig } from '../../config';
import {
  acknowledgePage,
  hasRoutingKeyOverride,
  pageEnvironment,
  planIncidentAction,
  planPage,
  requirePagingEnabled,
  resolvePage,
} from '../../ops/pagerduty-paging';
import { redact } from '../../ops/redact';
import { UsageError } from '../../ops/user-error';
import { actions, button, context, escapeMrkdwn, section } from '../../slack/blocks';
import { inChannel, type Reply } from '../../slack/reply';
import type { ActionModule, ClickedMessage, CommandContext, CommandModule } from './command';
import { afterWords, words } from './environment-argument';
import { formatTime } from './format-time';
import { planReply } from './plan-reply';

/** The slash command name. */
export const name = 'page';
/** The usage line. */
export const usage = '/page <env> <summary>';
/** `action_id` of the Acknowledge button on a page. */
export const PAGE_ACKNOWLEDGE_ACTION = 'page_acknowledge';
/** `action_id` of the Resolve button on a page. */
export const PAGE_RESOLVE_ACTION = 'page_resolve';

/** What PagerDuty keeps of a summary; longer ones are refused rather than cut. */
const MAX_SUMMARY = MAX_SUMMARY_LENGTH;

type IncidentAction = 'acknowledge' | 'resolve';

/**
 * A click runs `/page <env> acknowledge|resolve <dedup key>` as the person who clicked, so that it
 * is parsed, authorized (the `page` permission of the environment) and audited like the command.
 * Success answers in the channel and replaces the page message; a refusal or an error answers the
 * clicker alone and leaves the page as it was.
 */
function incidentAction(actionId: string, action: IncidentAction): ActionModule {
  return {
    actionId,
    async handle(value, ctx) {
      const [env, dedupKey, ...rest] = words(value);
      if (!env || !dedupKey || rest.length > 0) {
        throw new UsageError('This button is malformed: it names no incident.', usage);
      }
      const reply = await ctx.runCommand(name, `${env} ${action} ${dedupKey}`);
      if (reply.visibility !== 'in_channel') return { reply, replaceOriginal: false };
      return { reply: withHeadline(ctx.message, reply), replaceOriginal: true };
    },
  };
}

/** How the first block of a page message starts; kept when a click replaces the message. */
const HEADLINE_PREFIX = ':rotating_light: *Paged ';

const mrkdwnSection = z.object({
  type: z.literal('section'),
  text: z.object({ type: z.literal('mrkdwn'), text: z.string() }),
});

/**
 * `reply` under the headline of the clicked page (what was paged, and why), so that the updated
 * message still says what it is about: the buttons carry only the environment and the key.
 */
function withHeadline(message: ClickedMessage | null, reply: Reply): Reply {
  const headline = (message?.blocks ?? [])
    .map((b) => mrkdwnSection.safeParse(b))
    .find((b) => b.success && b.data.text.text.startsWith(HEADLINE_PREFIX))?.data?.text.text;
  if (!headline) return reply;
  return {
    ...reply,
    text: [message?.text, reply.text].filter(Boolean).join(' · '),
    blocks: [section(headline), ...reply.blocks],
  };
}

/** The `/page` module. */
export const pageCommand: CommandModule = {
  name,
  usage,
  summary: "Page the environment's on-call through PagerDuty, with Acknowledge and Resolve buttons.",
  permission: 'page',
  actions: [
    incidentAction(PAGE_ACKNOWLEDGE_ACTION, 'acknowledge'),
    incidentAction(PAGE_RESOLVE_ACTION, 'resolve'),
  ],
  parse(text, ctx) {
    const tokens = words(text);
    const known = ctx.config.environments;
    const first = tokens[0];
    const names = known.map((e) => e.name).join(', ');
    if (first === undefined) throw new UsageError(`Which environment? Name one of: ${names}.`, usage);
    const environment = known.find((e) => e.name === first);
    // The environment is never taken from the channel: a page wakes someone up, so it names its target.
    if (!environment) {
      throw new UsageError(
        `Name the environment first: there is no environment "${first.slice(0, 30)}"; known: ${names}.`,
        usage,
      );
    }
    const verb = tokens[1];
    const key = tokens[2];
    if (
      tokens.length === 3 &&
      (verb === 'acknowledge' || verb === 'resolve') &&
      key !== undefined &&
      isDedupKeyOf(environment, key)
    ) {
      const handle: PageHandle = { env: environment.name, dedupKey: key };
      return {
        environment,
        auditArgs: `${environment.name} ${verb} ${key}`,
        run: (run) => actOnIncident(environment, verb, handle, run),
      };
    }
    const summary = afterWords(text, 1);
    if (summary === '') throw new UsageError(`Say what is wrong after ${environment.name}.`, usage);
    if (summary.length > MAX_SUMMARY) {
      throw new UsageError(
        `The summary is ${summary.length} characters; PagerDuty keeps ${MAX_SUMMARY}. Say it in one line.`,
        usage,
      );
    }
    return {
      environment,
      // A pasted secret in a summary must not reach the audit log.
      auditArgs: redact(`${environment.name} ${summary}`),
      run: (run) => page(environment, summary, run),
    };
  },
};

/** Deduplication keys the bot makes: `<stack name>/<uuid>` (see {@link page}). */
function isDedupKeyOf(environment: EnvironmentConfig, key: string): boolean {
  const prefix = `${environment.stackName}/`;
  return (
    key.startsWith(prefix) &&
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(key.slice(prefix.length))
  );
}

async function page(environment: EnvironmentConfig, summary: string, run: CommandContext): Promise<Reply> {
  requirePagingEnabled(environment, `page ${environment.name}`);
  const options = {
    summary,
    requestedBy: `${run.caller.userName} (Slack ${run.caller.userId})`,
    dedupKey: `${environment.stackName}/${randomUUID()}`,
  };
  if (
    !hasRoutingKeyOverride(run.pagerDuty, environment) &&
    !(await run.aws.hasCredentials(environment.region))
  ) {
    return planReply(`Would page ${environment.name}:`, await planPage(run.pagerDuty, environment, options));
  }
  const handle = await pageEnvironment(run.aws, run.pagerDuty, environment, options);
  const when = formatTime(run.now(), run.config.project.timeZone);
  const text = escapeMrkdwn(summary);
  return inChannel(`Paged ${environment.name}: ${summary}`, [
    section(`${HEADLINE_PREFIX}${environment.name}*: ${text}`),
    context(`Triggered by <@${run.caller.userId}> at ${when} · incident \`${handle.dedupKey}\``),
    actions([acknowledgeButton(handle), resolveButton(handle)]),
  ]);
}

async function actOnIncident(
  environment: EnvironmentConfig,
  action: IncidentAction,
  handle: PageHandle,
  run: CommandContext,
): Promise<Reply> {
  requirePagingEnabled(environment, `${action} the ${environment.name} incident`);
  if (
    !hasRoutingKeyOverride(run.pagerDuty, environment) &&
    !(await run.aws.hasCredentials(environment.region))
  ) {
    return planReply(
      `Would ${action} the ${environment.name} incident \`${handle.dedupKey}\`:`,
      planIncidentAction(run.pagerDuty, environment, action, handle),
    );
  }
  const when = formatTime(run.now(), run.config.project.timeZone);
  const by = `<@${run.caller.userId}>`;
  if (action === 'acknowledge') {
    await acknowledgePage(run.aws, run.pagerDuty, environment, handle);
    return inChannel(`Acknowledged the ${environment.name} incident ${handle.dedupKey}`, [
      section(`:eyes: *Acknowledged*: the page of *${environment.name}* is being handled.`),
      context(
        `Acknowledged by ${by} at ${when} · incident \`${handle.dedupKey}\` · PagerDuty stops escalating it.`,
      ),
      actions([resolveButton(handle)]),
    ]);
  }
  await resolvePage(run.aws, run.pagerDuty, environment, handle);
  return inChannel(`Resolved the ${environment.name} incident ${handle.dedupKey}`, [
    section(`:white_check_mark: *Resolved*: the page of *${environment.name}* is closed.`),
    context(`Resolved by ${by} at ${when} · incident \`${handle.dedupKey}\``),
  ]);
}

/** The button value: the environment and the deduplication key, nothing else (no routing key). */
function buttonValue(handle: PageHandle): string {
  return `${handle.env} ${handle.dedupKey}`;
}

function acknowledgeButton(handle: PageHandle) {
  return button(PAGE_ACKNOWLEDGE_ACTION, 'Acknowledge', buttonValue(handle), { style: 'primary' });
}

function resolveButton(handle: PageHandle) {
  return button(PAGE_RESOLVE_ACTION, 'Resolve', buttonValue(handle), {
    confirm: `Resolve the ${handle.env} incident? PagerDuty closes it and stops paging.`,
  });
}
