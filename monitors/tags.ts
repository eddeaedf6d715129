/**
 * Tags that mark what Wheelhouse manages in Datadog and scope metrics to an environment.
 *
 * The sync finds its monitors by {@link managedTags} and matches them by the {@link ID_TAG_KEY}
 * tag; the deploy command finds its monitors by {@link DEPLOY_GATE_TAG} and {@link DEPLOY_SENSITIVE_TAG}.
 */
import { type EnvironmentConfig, RESOURCE_TAGS } from '../config';
import type { DeployRole, Layer, Severity } from './types';

/** Key of the tag that holds a monitor's stable id (`monitor-id:alb-5xx-rate`). */
export const ID_TAG_KEY = 'monitor-id';

/** Marks the monitors the deploy command watches during the bake. */
export const DEPLOY_GATE_TAG = 'deploy-gate';

/** Marks the monitors the deploy command mutes while tasks are replaced. */
export const DEPLOY_SENSITIVE_TAG = 'deploy-sensitive';

/** Key of the marker in a dashboard's description that holds its stable id. */
export const DASHBOARD_ID_MARKER = 'dashboard-id';

/** The tag that says "Wheelhouse owns this": `managed-by:<project>`. */
export function managedByTag(project: string): string {
  return `managed-by:${project}`;
}

/** The unified-service-tagging environment tag (`env:<env>`), as DD_ENV sets it on the app's metrics. */
export function envTag(env: string): string {
  return `env:${env}`;
}

/** The tags every managed object of one environment carries; listing by them finds exactly ours. */
export function managedTags(project: string, env: string): readonly string[] {
  return [managedByTag(project), envTag(env)];
}

/** The tag that holds a monitor's stable id. */
export function idTag(id: string): string {
  return `${ID_TAG_KEY}:${id}`;
}

/** Reads the stable id back from a monitor's tags, or null for a managed monitor without one. */
export function idFromTags(tags: readonly string[] | undefined): string | null {
  const prefix = `${ID_TAG_KEY}:`;
  const tag = tags?.find((t) => t.startsWith(prefix));
  return tag ? tag.slice(prefix.length) : null;
}

/** The marker tag of a deploy role, or none. */
export function deployRoleTags(role: DeployRole): readonly string[] {
  if (role === 'gate') return [DEPLOY_GATE_TAG];
  if (role === 'sensitive') return [DEPLOY_SENSITIVE_TAG];
  return [];
}

/** Every tag of a monitor, sorted and unique (Datadog keeps tags as a set, so order carries no meaning). */
export function monitorTags(
  project: string,
  env: EnvironmentConfig,
  id: string,
  layer: Layer,
  severity: Severity,
  deploy: DeployRole,
): readonly string[] {
  const tags = [
    ...managedTags(project, env.name),
    idTag(id),
    `layer:${layer}`,
    `severity:${severity}`,
    `service:${project}`,
    ...deployRoleTags(deploy),
    ...env.datadog.tags,
  ];
  return [...new Set(tags)].sort();
}

/**
 * The metric scope of an environment's AWS resources (`wheelhouse:environment:prod`).
 *
 * The stacks tag every resource with {@link RESOURCE_TAGS}, and Datadog's AWS integration turns
 * resource tags into metric tags, so this selects one environment's load balancer, tasks and database.
 */
export function awsScope(env: EnvironmentConfig): string {
  return `${RESOURCE_TAGS.environment}:${env.name}`;
}

/** The metric scope of the app's own DogStatsD metrics (`env:prod,service:wheelhouse`), from DD_ENV and DD_SERVICE. */
export function appScope(project: string, env: EnvironmentConfig): string {
  return `${envTag(env.name)},service:${project}`;
}

/** The marker a dashboard's description carries, from which the sync reads the owner, environment and id. */
export function dashboardMarker(project: string, env: string, id: string): string {
  return `[${managedByTag(project)} ${envTag(env)} ${DASHBOARD_ID_MARKER}:${id}]`;
}

/** Reads a dashboard marker back from a description, or null when the dashboard is not one of ours. */
export function parseDashboardMarker(
  description: string | undefined,
): { readonly project: string; readonly env: string; readonly id: string } | null {
  const match = /\[managed-by:([a-z0-9-]+) env:([a-z0-9-]+) dashboard-id:([a-z0-9-]+)\]/.exec(
    description ?? '',
  );
  if (!match) return null;
  return { project: match[1]!, env: match[2]!, id: match[3]! };
}
