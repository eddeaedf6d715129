/**
 * The interface the deploy command uses around a rollout: mute the environment's deploy-sensitive
 * monitors with a Datadog downtime while tasks are replaced, and read which deploy-gate monitors
 * alert during the bake. A no-op where Datadog is not configured (no keys, or `datadog.enabled`
 * false for the environment), so the deploy path is the same everywhere.
 */

import {
  createDatadogClient,
  type DatadogClient,
  type DatadogSettings,
  missingDatadogKeys,
} from '../../clients/datadog-client';
import { toMonitoringError } from '../../clients/monitoring-error';
import type { Config, EnvironmentConfig } from '../../config';
import { findEnvironment } from '../../config';
import { datadogAppUrl } from '../../monitors/datadog-links';
import { muteSettleSeconds } from '../../monitors/deploy-timing';
import { defineMonitors } from '../../monitors/monitors';
import { DEPLOY_GATE_TAG, DEPLOY_SENSITIVE_TAG, idFromTags, managedTags } from '../../monitors/tags';

/** A mute in place; pass it back to {@link DeployGuard.unmute}. Serialisable (the deploy may outlive a process). */
export interface MuteHandle {
  readonly env: string;
  /** The Datadog downtime, or null when muting was a no-op. */
  readonly downtimeId: string | null;
  /** When the downtime ends by itself, so a crashed deploy cannot mute forever (ISO 8601). */
  readonly until: string;
}

/** A deploy-gate monitor that is alerting, or that has no data to judge the deploy by. */
export interface GateAlert {
  /** Datadog's monitor id. */
  readonly monitorId: number;
  /** The monitor's stable id (`app-http-error-rate`), or null. */
  readonly id: string | null;
  readonly name: string;
  /**
   * Datadog's overall state: `Alert`, or `No Data` (the gate cannot judge the deploy: the deploy
   * command says so, and a protected environment does not count the bake as passed).
   */
  readonly state: 'Alert' | 'No Data';
  /** Link to the monitor in Datadog. */
  readonly url: string;
}

/**
 * How a deploy went, as the deployment event on the dashboards says. `interrupted`: the bot instance
 * running it stopped before it ended (CloudFormation finished the stack update by itself).
 * `lock-lost`: its lock was released or taken over, so it stopped without rolling back.
 */
export type DeploymentOutcome =
  | 'started'
  | 'succeeded'
  | 'failed'
  | 'failed-before-change'
  | 'rolled-back'
  | 'interrupted'
  | 'lock-lost';

/** A deployment to mark on the dashboards. */
export interface DeploymentEvent {
  readonly version: string;
  readonly outcome: DeploymentOutcome;
  /** Who deployed, e.g. a Slack user id or `ci`. */
  readonly by: string;
  /** More to say (the reason of a failure, the monitor that rolled it back). @default '' */
  readonly text?: string;
}

/** What the deploy command needs from monitoring. */
export interface DeployGuard {
  /** True when `env` really talks to Datadog (false: every call is a no-op). */
  isActive(env: string): boolean;
  /** Mutes the deploy-sensitive monitors of `env` for at most `durationMinutes`. */
  mute(env: string, reason: string, durationMinutes: number): Promise<MuteHandle>;
  /**
   * Ends a mute once the deploy is over: the downtime now ends when the muted monitors judge only data
   * from after the deploy (now + their longest evaluation delay + window), not at once. A no-op for a
   * no-op handle or a downtime that already ended.
   */
  unmute(handle: MuteHandle): Promise<void>;
  /** The deploy-gate monitors of `env` in Alert or No Data; empty when all are fine (or Datadog is off). */
  gateStatus(env: string): Promise<readonly GateAlert[]>;
  /** Posts a deployment event (tags `deployment`, `env`, `version`) that the dashboards overlay on their graphs. */
  recordDeployment(env: string, event: DeploymentEvent): Promise<void>;
}

/** The tag of deployment events, which the dashboards' event overlays search for. */
export const DEPLOYMENT_EVENT_TAG = 'deployment';

/** Longest mute allowed: a deploy that runs longer has a problem worth hearing about. */
export const MAX_MUTE_MINUTES = 240;

/**
 * Creates the guard for every environment of `config`: Datadog-backed where `datadog.enabled` and
 * the keys are set, a no-op elsewhere. `client` is for tests; by default it is created from `settings`.
 */
export function createDeployGuard(
  config: Config,
  settings: DatadogSettings,
  client?: DatadogClient,
): DeployGuard {
  const hasKeys = missingDatadogKeys(settings).length === 0;
  let datadog = client;
  const api = (): DatadogClient => {
    datadog ??= createDatadogClient(settings);
    return datadog;
  };
  const active = (env: EnvironmentConfig) => env.datadog.enabled && (hasKeys || client !== undefined);
  const project = config.project.name;

  return {
    isActive: (env) => active(findEnvironment(config, env)),

    async mute(envName, reason, durationMinutes) {
      if (!Number.isInteger(durationMinutes) || durationMinutes < 1 || durationMinutes > MAX_MUTE_MINUTES) {
        throw new RangeError(
          `durationMinutes must be a whole number from 1 to ${MAX_MUTE_MINUTES}, got ${durationMinutes}`,
        );
      }
      const env = findEnvironment(config, envName);
      // Whole seconds: Datadog keeps no milliseconds, and the handle must name the end Datadog has.
      const start = new Date(Math.floor(Date.now() / 1000) * 1000);
      const until = new Date(start.getTime() + durationMinutes * 60_000);
      if (!active(env)) return { env: env.name, downtimeId: null, until: until.toISOString() };
      try {
        const response = await api()
          .downtimes()
          .createDowntime({
            body: {
              data: {
                type: 'downtime',
                attributes: {
                  // Every group: AWS-metric monitors group by AZ or instance, not by env; the tags pick the monitors.
                  scope: '*',
                  monitorIdentifier: {
                    monitorTags: [...managedTags(project, env.name), DEPLOY_SENSITIVE_TAG],
                  },
                  message: `Deploy in ${env.name}: ${reason}`,
                  // The recovery right after the rollout is the deploy ending, not news.
                  muteFirstRecoveryNotification: true,
                  schedule: { start, end: until },
                },
              },
            },
          });
        const id = response.data?.id;
        if (!id) throw new Error('Datadog created the downtime without an id');
        return { env: env.name, downtimeId: id, until: until.toISOString() };
      } catch (error) {
        throw toMonitoringError('datadog', `mute the deploy-sensitive monitors of ${env.name}`, error);
      }
    },

    async unmute(handle) {
      if (handle.downtimeId === null) return;
      const env = findEnvironment(config, handle.env);
      const settle = muteSettleSeconds(
        defineMonitors(config, env)
          .filter((m) => m.deploy === 'sensitive')
          .map((m) => ({
            query: m.monitor.query,
            evaluationDelaySeconds: m.monitor.options?.evaluationDelay ?? 0,
          })),
      );
      try {
        if (settle === 0) {
          await api().downtimes().cancelDowntime({ downtimeId: handle.downtimeId });
          return;
        }
        const end = new Date((Math.floor(Date.now() / 1000) + settle) * 1000);
        await api()
          .downtimes()
          .updateDowntime({
            downtimeId: handle.downtimeId,
            body: { data: { id: handle.downtimeId, type: 'downtime', attributes: { schedule: { end } } } },
          });
      } catch (error) {
        const e = toMonitoringError(
          'datadog',
          `unmute the deploy-sensitive monitors of ${handle.env}`,
          error,
        );
        // Already gone (expired and cleaned up, or cancelled by a person): the monitors are unmuted.
        if (e.code !== 'not-found') throw e;
      }
    },

    async gateStatus(envName) {
      const env = findEnvironment(config, envName);
      if (!active(env)) return [];
      const tags = [...managedTags(project, env.name), DEPLOY_GATE_TAG];
      const alerts: GateAlert[] = [];
      try {
        for await (const m of api()
          .monitors()
          .listMonitorsWithPagination({ monitorTags: tags.join(','), pageSize: 100 })) {
          const state = m.overallState;
          if (m.id === undefined || !tags.every((t) => m.tags?.includes(t))) continue;
          if (state !== 'Alert' && state !== 'No Data') continue;
          alerts.push({
            monitorId: m.id,
            id: idFromTags(m.tags),
            name: m.name ?? '',
            state,
            url: `${datadogAppUrl(api().settings.site)}/monitors/${m.id}`,
          });
        }
      } catch (error) {
        throw toMonitoringError('datadog', `read the deploy-gate monitors of ${env.name}`, error);
      }
      return alerts;
    },

    async recordDeployment(envName, event) {
      const env = findEnvironment(config, envName);
      if (!active(env)) return;
      const failed =
        event.outcome === 'failed' ||
        event.outcome === 'failed-before-change' ||
        event.outcome === 'rolled-back';
      try {
        await api()
          .events()
          .createEvent({
            body: {
              title: `Deploy ${event.version} to ${env.name}: ${event.outcome}`,
              text: [`By ${event.by}.`, event.text ?? ''].filter(Boolean).join(' '),
              alertType: failed
                ? 'error'
                : event.outcome === 'succeeded'
                  ? 'success'
                  : event.outcome === 'interrupted' || event.outcome === 'lock-lost'
                    ? 'warning'
                    : 'info',
              sourceTypeName: project,
              // One deploy's events group together in the event stream.
              aggregationKey: `${env.stackName}/${event.version}`,
              tags: [
                DEPLOYMENT_EVENT_TAG,
                ...managedTags(project, env.name),
                `version:${event.version}`,
                `outcome:${event.outcome}`,
              ],
            },
          });
      } catch (error) {
        throw toMonitoringError('datadog', `record the deployment of ${event.version} to ${env.name}`, error);
      }
    },
  };
}
