/** Turns a layer's {@link MonitorSpec} into the monitor Datadog receives: name, message, tags and options. */
import type { EnvironmentConfig } from '../config';
import { monitorMessage } from './message';
import { monitorTags } from './tags';
import type { MonitorDefinition, MonitorSpec } from './types';

/**
 * Minutes between re-notifications of a monitor that stays in alert.
 *
 * Criticals remind every 30 minutes so a page that was missed comes back; warnings say it once.
 */
export const RENOTIFY_MINUTES = { critical: 30, warning: 0 } as const;

/** Datadog priority (P1..P5) of each severity, so the monitor list sorts the way the routes do. */
export const PRIORITY = { critical: 1, warning: 3 } as const;

/** Seconds a new group (a new AZ, a new instance) is left alone before it can alert. */
export const NEW_GROUP_DELAY_SECONDS = 300;

/** Builds the monitor of one spec in one environment. */
export function defineMonitor(project: string, env: EnvironmentConfig, spec: MonitorSpec): MonitorDefinition {
  const { thresholds } = spec;
  return {
    id: spec.id,
    layer: spec.layer,
    severity: spec.severity,
    deploy: spec.deploy,
    monitor: {
      name: `[${env.name}] ${spec.title}`,
      type: spec.type,
      query: spec.query,
      message: monitorMessage(spec, env),
      tags: [...monitorTags(project, env, spec.id, spec.layer, spec.severity, spec.deploy)],
      priority: PRIORITY[spec.severity],
      options: {
        thresholds: {
          critical: thresholds.critical,
          ...(thresholds.warning === undefined ? {} : { warning: thresholds.warning }),
          ...(thresholds.criticalRecovery === undefined
            ? {}
            : { criticalRecovery: thresholds.criticalRecovery }),
          ...(thresholds.warningRecovery === undefined
            ? {}
            : { warningRecovery: thresholds.warningRecovery }),
        },
        notifyNoData: spec.noDataMinutes !== null,
        ...(spec.noDataMinutes === null ? {} : { noDataTimeframe: spec.noDataMinutes }),
        renotifyInterval: RENOTIFY_MINUTES[spec.severity],
        requireFullWindow: false,
        includeTags: true,
        notifyAudit: false,
        evaluationDelay: spec.evaluationDelaySeconds,
        newGroupDelay: NEW_GROUP_DELAY_SECONDS,
      },
    },
  };
}
