/** A {@link ServiceStatus} as terminal lines: what `/status` shows in Slack, one fact per line. */
import type { ServiceStatus, StatusPart } from '../ops/service-status';

/** How each part is named in the list of what could not be read. */
const PART_LABEL: Readonly<Record<StatusPart, string>> = {
  service: 'Service and tasks',
  image: 'Image and version',
  deployments: 'Recent deployments',
  autoscaling: 'Autoscaling',
  database: 'Database',
  lock: 'Deploy lock',
};

const UNREADABLE = '(could not be read)';

/**
 * The lines of a status, labels aligned; times in UTC (ISO 8601), as a CI log keeps them.
 *
 * @param correlationId named on the lines whose error was logged rather than explained
 */
export function statusLines(environmentName: string, status: ServiceStatus, correlationId: string): string[] {
  const { service, database } = status;
  const failed = new Set(status.unreadable.map((u) => u.part));
  const rows: [string, string][] = [['Stack', `${status.stackName} (${status.stackStatus})`]];
  if (service) {
    const rollout = service.rollout
      ? `${service.rollout.state}${service.rollout.reason ? `: ${service.rollout.reason}` : ''}`
      : 'no deployment';
    rows.push(
      ['Service', `${service.name} (${service.status})`],
      ['Tasks', `${service.running} running / ${service.desired} desired / ${service.pending} pending`],
      ['Rollout', rollout],
      ['Version', service.version ?? (failed.has('image') ? UNREADABLE : 'unknown')],
      ['Image', service.image ?? (failed.has('image') ? UNREADABLE : 'unknown')],
    );
  } else {
    rows.push(['Service', UNREADABLE]);
  }
  rows.push(['Autoscaling', failed.has('autoscaling') ? UNREADABLE : describeScaling(status)]);
  rows.push(['Deploy lock', failed.has('lock') ? UNREADABLE : describeLock(status)]);
  if (failed.has('database')) rows.push(['Database', UNREADABLE]);
  else if (database) {
    const capacity = database.capacity
      ? `${database.capacity.min}–${database.capacity.max} ACU`
      : 'provisioned';
    rows.push(
      ['Database', `${database.id} (${database.status}), ${capacity}`],
      ['Writer', database.writer ?? 'none'],
      ['Readers', database.readers.length > 0 ? database.readers.join(', ') : 'none'],
    );
  }
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  const lines = [
    `${environmentName}:`,
    ...rows.map(([label, value]) => `  ${`${label}:`.padEnd(width + 1)}${value}`),
  ];
  lines.push('Recent deployments:');
  if (failed.has('deployments')) lines.push(`  ${UNREADABLE}`);
  else if (status.recentDeployments.length === 0) lines.push('  none');
  else {
    for (const d of status.recentDeployments) {
      const when = d.startedAt ? d.startedAt.toISOString() : 'not started';
      lines.push(`  ${when}  ${d.status}${d.reason ? ` (${d.reason})` : ''}`);
    }
  }
  if (status.unreadable.length > 0) {
    lines.push('Could not read:');
    for (const u of status.unreadable) {
      lines.push(
        `  ${PART_LABEL[u.part]}: ${u.reason}${u.logged ? ` (logged with id ${correlationId})` : ''}`,
      );
    }
  }
  return lines;
}

function describeLock(status: ServiceStatus): string {
  const { lock } = status;
  if (!lock) return 'free';
  return `held by ${lock.ownerName} (${lock.owner}) since ${lock.since.toISOString()}, expires ${lock.expiresAt.toISOString()}: ${lock.reason}`;
}

/** The live bounds, and the stack's when `/scale` has set others. */
function describeScaling(status: ServiceStatus): string {
  const { scaling, configuredScaling: configured } = status;
  if (!scaling) return 'no scalable target';
  const live = `${scaling.min}–${scaling.max} tasks`;
  return scaling.min === configured.min && scaling.max === configured.max
    ? live
    : `${live} (the stack configures ${configured.min}–${configured.max})`;
}
