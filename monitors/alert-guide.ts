/**
 * The operator's guide to the alerts: one Markdown table row per monitor of an environment, with where
 * it goes, what it means and what to do first, from the same specs the monitors are built from. The
 * README embeds the table for prod between markers, and a test keeps the two equal.
 */
import type { Config, EnvironmentConfig } from '../config';
import { LAYERS } from './monitors';
import { routeFor } from './routes';
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

function row(env: EnvironmentConfig, spec: MonitorSpec): string {
  const where = [destination(env, spec.severity)];
  if (spec.severity === 'critical' && spec.thresholds.warning !== undefined) {
    where.push(`warning: ${destination(env, 'warning')}`);
  }
  const role = DEPLOY_ROLE[spec.deploy];
  return `| \`${spec.id}\` | ${spec.severity} | ${cell(where.join('; '))}${role ? `; ${role}` : ''} | ${cell(
    spec.runbook.summary,
  )} | ${cell(spec.runbook.steps[0] ?? '')} |`;
}

/** The alert table of one environment (every monitor it would have with Datadog enabled). */
export function alertGuideMarkdown(config: Config, env: EnvironmentConfig): string {
  const specs = LAYERS.flatMap((layer) => layer(config.project.name, env));
  return [
    '| alert | severity | goes to | what it means | first step |',
    '| --- | --- | --- | --- | --- |',
    ...specs.map((spec) => row(env, spec)),
  ].join('\n');
}
