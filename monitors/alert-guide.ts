/**
 * The operator's guide to the alerts: first, per failure we watch, the alert that catches it first,
 * where it goes and the worst-case time to the notification (`alert-times.ts`); then one Markdown
 * table row per alert of an environment (monitors and synthetic tests), with where it goes, what it
 * means and what to do first, from the same specs the alerts are built from. The README embeds both
 * tables for prod between markers, and a test keeps the two equal.
 */
import type { Config, EnvironmentConfig } from '../config';
import { failureTableMarkdown } from './alert-times';
import { LAYERS } from './monitors';
import { routeFor } from './routes';
import { SYNTHETIC_SPECS } from './synthetics/synthetic-tests';
import type { MonitorSpec, Severity } from './types';

/** The markers around the generated table in the README. */
export const ALERT_GUIDE_MARKERS = {
  start: '<!-- alert-guide:start (npm run monitors -- alerts --env prod) -->',
  end: '<!-- alert-guide:end -->',
} as const;

const DEPLOY_ROLE = { gate: 'gates the bake', sensitive: 'muted during deploys', none: '' } as const;

/** `|` and line breaks would end a table cell early. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function destination(env: EnvironmentConfig, severity: Severity): string {
  return routeFor(env, severity)
    .recipients.map((r) => (r.channel === 'pagerduty' ? 'pages on-call' : `Slack #${r.name}`))
    .join(', ');
}

function row(
  env: EnvironmentConfig,
  spec: Pick<MonitorSpec, 'id' | 'severity' | 'runbook'> &
    Partial<Pick<MonitorSpec, 'thresholds' | 'deploy'>>,
): string {
  const where = [destination(env, spec.severity)];
  if (spec.severity === 'critical' && spec.thresholds?.warning !== undefined) {
    where.push(`warning: ${destination(env, 'warning')}`);
  }
  const role = DEPLOY_ROLE[spec.deploy ?? 'none'];
  return `| \`${spec.id}\` | ${spec.severity} | ${cell(where.join('; '))}${role ? `; ${role}` : ''} | ${cell(
    spec.runbook.summary,
  )} | ${cell(spec.runbook.steps[0] ?? '')} |`;
}

/** The failure table and the alert table of one environment (every alert it would have with Datadog enabled). */
export function alertGuideMarkdown(config: Config, env: EnvironmentConfig): string {
  const specs = LAYERS.flatMap((layer) => layer(config.project.name, env));
  return [
    failureTableMarkdown(config, env),
    '',
    '| alert | severity | goes to | what it means | first step |',
    '| --- | --- | --- | --- | --- |',
    ...SYNTHETIC_SPECS.map((spec) => row(env, spec)),
    ...specs.map((spec) => row(env, spec)),
  ].join('\n');
}
