/**
 * What every dashboard shares: the environment template variable and the scopes that use it.
 *
 * One variable, `env`, whose prefix is the AWS resource tag: AWS widgets filter with `$env`, and the
 * app's own metrics (tagged `env:<env>` by DD_ENV) with `env:$env.value`, so switching it moves both.
 */
import type { DashboardTemplateVariable } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/models/DashboardTemplateVariable';
import type { WidgetEvent } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/models/WidgetEvent';
import { type EnvironmentConfig, RESOURCE_TAGS } from '../../config';

/** The AWS scope of a widget query. */
export const AWS = '$env';

/** The app scope of a widget query, for the project's service. */
export function appScope(project: string): string {
  return `env:$env.value,service:${project}`;
}

/**
 * The template variables of every dashboard, defaulting to the dashboard's own environment.
 *
 * `defaults` (a list), not `default`, which Datadog's API marks deprecated (Dashboards API reference,
 * template variable `default`: "(deprecated) … Cannot be used in conjunction with `defaults`").
 */
export function templateVariables(env: EnvironmentConfig): DashboardTemplateVariable[] {
  return [{ name: 'env', prefix: RESOURCE_TAGS.environment, defaults: [env.name] }];
}

/**
 * Deployments as events on the graphs: ECS deployment events of the environment, and the events
 * the deploy command posts through `DeployGuard.recordDeployment` (tags `deployment`, `env:<env>`).
 */
export const DEPLOYMENT_EVENTS: readonly WidgetEvent[] = [
  { q: 'source:amazon_ecs $env deployment' },
  { q: 'tags:deployment env:$env.value' },
];
