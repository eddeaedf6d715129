/**
 * Runbook-style monitor messages: what is wrong, what to do first, where to look, and who is told.
 *
 * Datadog renders the `{{#is_alert}}`-style blocks per transition, so one message carries the text
 * and the recipients of every state: critical alerts and no-data go to the severity's route,
 * warnings to the warning route, and a recovery to every recipient an alert of this monitor can
 * reach (PagerDuty resolves its incident only when the recovery mentions it).
 */
import type { EnvironmentConfig } from '../config';
import { datadogAppUrl } from './datadog-links';
import { routeFor } from './routes';
import type { MonitorSpec } from './types';

/** Links the message offers, in order. */
export function messageLinks(spec: MonitorSpec, env: EnvironmentConfig): readonly string[] {
  const awsConsole = `https://${env.region}.console.aws.amazon.com`;
  // Without `datadog.runbookBaseUrl` there is no link (the first steps are in the message itself), rather
  // than a link that leads nowhere in the middle of an incident.
  const runbook = env.datadog.runbookBaseUrl;
  return [
    ...(runbook === null ? [] : [`Runbook: ${runbook}#${spec.id}`]),
    `Dashboards: ${datadogAppUrl(env.datadog.site)}/dashboard/lists?q=${encodeURIComponent(`${env.stackName} `)}`,
    `Stack: ${awsConsole}/cloudformation/home?region=${env.region}#/stacks?filteringText=${env.stackName}`,
  ];
}

/** The full message of a monitor in an environment. */
export function monitorMessage(spec: MonitorSpec, env: EnvironmentConfig): string {
  const alert = routeFor(env, spec.severity).recipients.map((r) => r.handle);
  const warning = routeFor(env, 'warning').recipients.map((r) => r.handle);
  const everyone = [...new Set([...alert, ...(spec.thresholds.warning === undefined ? [] : warning)])];
  const where = `${spec.title} in ${env.name}`;
  const lines = [
    '{{#is_alert}}',
    `${spec.severity === 'critical' ? 'CRITICAL' : 'WARNING'}: ${where} is at {{value}} (threshold {{threshold}}).`,
    spec.runbook.summary,
    '{{/is_alert}}',
    ...(spec.thresholds.warning === undefined
      ? []
      : [
          '{{#is_warning}}',
          `WARNING: ${where} is at {{value}} (warning threshold {{warn_threshold}}).`,
          spec.runbook.summary,
          '{{/is_warning}}',
        ]),
    ...(spec.noDataMinutes === null
      ? []
      : [
          '{{#is_no_data}}',
          `NO DATA: ${where} has not reported for ${spec.noDataMinutes} minutes; the metric pipeline or the resource may be down.`,
          '{{/is_no_data}}',
        ]),
    '{{#is_recovery}}',
    `RECOVERED: ${where} is back to normal ({{value}}).`,
    '{{/is_recovery}}',
    '',
    'First steps:',
    ...spec.runbook.steps.map((step, i) => `${i + 1}. ${step}`),
    '',
    ...messageLinks(spec, env),
    '',
    `{{#is_alert}}${alert.join(' ')}{{/is_alert}}`,
    ...(spec.noDataMinutes === null ? [] : [`{{#is_no_data}}${alert.join(' ')}{{/is_no_data}}`]),
    ...(spec.thresholds.warning === undefined ? [] : [`{{#is_warning}}${warning.join(' ')}{{/is_warning}}`]),
    `{{#is_recovery}}${everyone.join(' ')}{{/is_recovery}}`,
  ];
  return lines.join('\n');
}
