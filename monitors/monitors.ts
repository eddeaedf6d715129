/** Every monitor of one environment, from the configuration: the layers' specs, routed, tagged and ready for Datadog. */
import type { Config, EnvironmentConfig } from '../config';
import { appMonitors } from './app-monitors';
import { bastionMonitors } from './bastion-monitors';
import { databaseMonitors } from './database-monitors';
import { defineMonitor } from './define-monitor';
import { gateFitsBake } from './deploy-timing';
import { loadBalancerMonitors } from './load-balancer-monitors';
import { natMonitors } from './nat-monitors';
import { serviceMonitors } from './service-monitors';
import type { MonitorDefinition, MonitorSpec } from './types';

/** The layer builders, in the order the monitors are listed. */
export const LAYERS: readonly ((project: string, env: EnvironmentConfig) => readonly MonitorSpec[])[] = [
  loadBalancerMonitors,
  serviceMonitors,
  appMonitors,
  databaseMonitors,
  bastionMonitors,
  natMonitors,
];

/** The monitors of one environment; none when Datadog is disabled there. Throws on a duplicate id. */
export function monitorsFor(config: Config, env: EnvironmentConfig): readonly MonitorDefinition[] {
  return env.datadog.enabled ? defineMonitors(config, env) : [];
}

/** The monitors one environment would have with Datadog enabled (golden files show every environment). */
export function defineMonitors(config: Config, env: EnvironmentConfig): readonly MonitorDefinition[] {
  const specs = LAYERS.flatMap((layer) => layer(config.project.name, env));
  const seen = new Set<string>();
  for (const spec of specs) {
    if (seen.has(spec.id)) throw new Error(`monitor id ${spec.id} is defined twice in ${env.name}`);
    seen.add(spec.id);
  }
  return specs.map((spec) => defineMonitor(config.project.name, env, gateWithinBake(spec, env)));
}

/**
 * The spec as the environment's deploys can use it: a gate whose evaluation delay plus window does
 * not fit in the bake would judge data from before the rollout for the whole bake, so it is no gate
 * there (it still alerts as usual).
 */
export function gateWithinBake(spec: MonitorSpec, env: EnvironmentConfig): MonitorSpec {
  if (spec.deploy !== 'gate' || gateFitsBake(spec, env.datadog.bakeMinutes)) return spec;
  return { ...spec, deploy: 'none' };
}
