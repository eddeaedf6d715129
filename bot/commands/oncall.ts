/**
 * `/oncall [env]`: who is on call for an environment now, and who is next, from its PagerDuty
 * escalation policy. Without `env`, a channel bound to one environment answers for it; elsewhere,
 * every environment with PagerDuty enabled that the person may ask about.
 */

import type { OnCall, OnCallShift } from '../../clients/pagerduty-oncalls';
import type { EnvironmentConfig } from '../../config';
import { readOnCall } from '../../ops/pagerduty-oncall';
import { UsageError, UserError } from '../../ops/user-error';
import { type Block, context, escapeMrkdwn, section } from '../../slack/blocks';
import { inChannel, type Reply } from '../../slack/reply';
import { environmentsBoundTo } from '../permissions';
import type { CommandContext, CommandModule } from './command';
import { words } from './environment-argument';
import { formatTime } from './format-time';

/** The slash command name. */
export const name = 'oncall';
/** The usage line. */
export const usage = '/oncall [env]';

/** The `/oncall` module. */
export const oncallCommand: CommandModule = {
  name,
  usage,
  summary: 'Who is on call for an environment now and next, from PagerDuty.',
  permission: 'oncall',
  parse(text, ctx) {
    const tokens = words(text);
    if (tokens.length > 1) throw new UsageError(`Unexpected argument "${tokens[1]!.slice(0, 30)}".`, usage);
    const known = ctx.config.environments;
    const first = tokens[0];
    if (first !== undefined) {
      const environment = known.find((e) => e.name === first);
      if (!environment) {
        throw new UsageError(
          `There is no environment "${first.slice(0, 30)}"; known: ${known.map((e) => e.name).join(', ')}.`,
          usage,
        );
      }
      return { environment, auditArgs: environment.name, run: (run) => oneEnvironment(environment, run) };
    }
    const bound = environmentsBoundTo(ctx.config, ctx.caller.channelId);
    if (bound.length === 1) {
      const environment = bound[0]!;
      return { environment, auditArgs: environment.name, run: (run) => oneEnvironment(environment, run) };
    }
    // No environment to authorize up front: each one is checked in `run`, and those the person may
    // not ask about are left out rather than refused.
    return { environment: null, auditArgs: '', run: (run) => everyEnvironment(run) };
  },
};

async function oneEnvironment(environment: EnvironmentConfig, run: CommandContext): Promise<Reply> {
  const oncall = await readOnCall(run.pagerDuty, environment, run.now());
  return renderOnCall([oncall], run.config.project.timeZone);
}

async function everyEnvironment(run: CommandContext): Promise<Reply> {
  const enabled = run.config.environments.filter((e) => e.pagerduty.enabled);
  if (enabled.length === 0) {
    throw new UserError(
      'No environment has PagerDuty enabled, so nobody is on call through Wheelhouse.',
      'Set pagerduty.enabled: true and pagerduty.escalationPolicyId for an environment in wheelhouse.yml.',
    );
  }
  const allowed: EnvironmentConfig[] = [];
  for (const environment of enabled)
    if (await run.isAllowed(environment, 'oncall')) allowed.push(environment);
  if (allowed.length === 0) {
    throw new UserError(
      `You may not run /${name} in ${enabled.map((e) => e.name).join(', ')}.`,
      'Ask an admin of the environment.',
      'refused',
    );
  }
  const now = run.now();
  const oncalls = await Promise.all(allowed.map((e) => readOnCall(run.pagerDuty, e, now)));
  return renderOnCall(oncalls, run.config.project.timeZone);
}

/** Renders who is on call, one section per environment. */
export function renderOnCall(oncalls: readonly OnCall[], timeZone: string): Reply {
  const blocks: Block[] = [];
  const summaries: string[] = [];
  for (const oncall of oncalls) {
    const lines = [`*On call for ${oncall.env}*`];
    if (oncall.now.length === 0) lines.push(':warning: Nobody is on call now: a page would reach no one.');
    else for (const shift of oncall.now) lines.push(`• ${describeShift(shift, 'now', timeZone)}`);
    if (oncall.next.length > 0) {
      lines.push('*Next*');
      for (const shift of oncall.next) lines.push(`• ${describeShift(shift, 'next', timeZone)}`);
    }
    blocks.push(section(lines.join('\n')));
    const first = oncall.now[0];
    summaries.push(`${oncall.env}: ${first ? first.name : 'nobody'}`);
  }
  blocks.push(context('From PagerDuty. Page someone with `/page <env> <summary>`.'));
  return inChannel(`On call: ${summaries.join('; ')}`, blocks);
}

function describeShift(shift: OnCallShift, when: 'now' | 'next', timeZone: string): string {
  const who = `<${shift.url}|${escapeMrkdwn(shift.name)}>`;
  const level = `level ${shift.level}`;
  const schedule = shift.schedule ? `, ${escapeMrkdwn(shift.schedule)}` : '';
  const span =
    when === 'now'
      ? shift.end
        ? `until ${formatTime(shift.end, timeZone)}`
        : 'always'
      : `from ${shift.start ? formatTime(shift.start, timeZone) : 'now'}${shift.end ? ` until ${formatTime(shift.end, timeZone)}` : ''}`;
  return `${who} (${level}${schedule}) ${span}`;
}
