/**
 * What makes an environment different under the change policy, in a few sentences, for the plans
 * shown without credentials (the bot's plan replies, `wheelhouse deploy --plan`): nothing is looked
 * up, so these are the rules that will apply, not a decision.
 */
import type { EnvironmentConfig, FreezeWindowConfig } from '../../config';
import { activeFreezeWindow } from '../deploy/freeze-windows';
import { describeRoles } from '../describe-roles';
import type { ChangeAction } from './change-facts';

/**
 * Longest step of the search for the next opening of a freeze window; windows start on whole minutes.
 * A window shorter than a step could fall between two steps, so the step is never longer than the
 * shortest window searched for.
 */
const STEP_MINUTES = 15;
/** How far ahead to look: every window is weekly. */
const HORIZON_DAYS = 8;

/** The policy's sentences about `environment` for `action` (`deploy` also covers rollback). */
export function describeEnvironmentRules(
  environment: EnvironmentConfig,
  action: ChangeAction,
  now: Date,
  timeZone: string,
): string[] {
  const lines: string[] = [];
  const { name } = environment;
  const approvers = describeRoles(environment.permissions.approvers);
  if (action === 'scale') {
    const { min } = environment.service.tasks;
    const { approvalAboveTasks, maxTasks } = environment.service.limits;
    if (environment.protected) {
      lines.push(
        `${name}: a scale above ${approvalAboveTasks} tasks or below ${min} needs an approval by ${approvers}.`,
      );
    }
    lines.push(`${name}: never more than ${maxTasks} tasks; 0 tasks only with --to-zero.`);
    return lines;
  }
  if (environment.protected) {
    lines.push(
      `${name} needs a sign-off and an approval: from Slack, an approval by ${approvers} other than the requester; from the command line, a release tag (${environment.deploy.releaseTagPattern}) signed off with /signoff ${name} <version>.`,
    );
  }
  for (const window of environment.deploy.freezeWindows) {
    lines.push(
      `${name}: freeze window "${window.reason}" applies (${describeWindow(window, now, timeZone)}); rollbacks are allowed in it, and audited.`,
    );
  }
  return lines;
}

function describeWindow(window: FreezeWindowConfig, now: Date, timeZone: string): string {
  const days = `${window.days.join(', ')} ${window.from}–${window.to} ${timeZone}`;
  const only = [window];
  if (activeFreezeWindow(only, now, timeZone)) return `${days}; open now`;
  const next = nextOpening(only, now, timeZone);
  return next === null ? days : `${days}; next: ${formatInZone(next, timeZone)}`;
}

/** The first minute at or after `now` inside one of `windows`, or null within the horizon. */
export function nextOpening(
  windows: readonly FreezeWindowConfig[],
  now: Date,
  timeZone: string,
): Date | null {
  const start = Math.floor(now.getTime() / 60_000) * 60_000;
  const end = start + HORIZON_DAYS * 24 * 3600_000;
  const lengths = windows.map((w) => minutesOf(w.to) - minutesOf(w.from)).filter((m) => m > 0);
  const step = Math.max(1, Math.min(STEP_MINUTES, ...lengths)) * 60_000;
  for (let t = start; t <= end; t += step) {
    if (!activeFreezeWindow(windows, new Date(t), timeZone)) continue;
    // Went past the opening by up to a step: walk back minute by minute.
    let first = t;
    while (first - 60_000 >= start && activeFreezeWindow(windows, new Date(first - 60_000), timeZone)) {
      first -= 60_000;
    }
    return new Date(first);
  }
  return null;
}

/** `2026-11-27 15:00` in `timeZone`. */
function formatInZone(date: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

/** `15:30` as minutes of the day. */
function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}
