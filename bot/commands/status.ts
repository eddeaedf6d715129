/** `/status <env>`: the service, its rollout and scaling, the database and recent deployments. */

import { readServiceStatus, type ServiceStatus, type StatusPart } from '../../ops/service-status';
import { UsageError } from '../../ops/user-error';
import { context, escapeMrkdwn, fields, header, section } from '../../slack/blocks';
import { inChannel, type Reply } from '../../slack/reply';
import type { CommandModule } from './command';
import { takeEnvironment, words } from './environment-argument';
import { formatTime } from './format-time';

/** The slash command name. */
export const name = 'status';
/** The usage line. */
export const usage = '/status <env>';

/** The `/status` module. */
export const statusCommand: CommandModule = {
  name,
  usage,
  summary:
    'The service (tasks, rollout, version), its autoscaling bounds, the Aurora cluster and recent deployments.',
  permission: 'status',
  parse(text, ctx) {
    const tokens = words(text);
    const { environment, consumed } = takeEnvironment(tokens, ctx, usage);
    const extra = tokens[consumed];
    if (extra !== undefined) throw new UsageError(`Unexpected argument "${extra.slice(0, 30)}".`, usage);
    return {
      environment,
      auditArgs: environment.name,
      async run(run) {
        const status = await readServiceStatus(run.aws, environment, run.logger);
        const correlationId = (run.logger.bindings() as { correlationId?: string }).correlationId;
        return renderStatus(environment.name, status, run.config.project.timeZone, correlationId);
      },
    };
  },
};

const ROLLOUT_EMOJI: Readonly<Record<string, string>> = {
  COMPLETED: ':large_green_circle:',
  IN_PROGRESS: ':large_blue_circle:',
  FAILED: ':red_circle:',
};

/** How each part is named in the reply's list of what could not be read. */
const PART_LABEL: Readonly<Record<StatusPart, string>> = {
  service: 'Service and tasks',
  image: 'Image and version',
  deployments: 'Recent deployments',
  autoscaling: 'Autoscaling',
  database: 'Database',
  lock: 'Deploy lock',
};

const UNREADABLE = '_could not be read_';

/**
 * Renders a status as Block Kit: what could be read, then one line per read that failed.
 *
 * @param correlationId named on the lines whose error was logged rather than explained
 */
export function renderStatus(
  environmentName: string,
  status: ServiceStatus,
  timeZone: string,
  correlationId?: string,
): Reply {
  const { service, database } = status;
  const failed = new Set(status.unreadable.map((u) => u.part));
  const rollout = service?.rollout
    ? `${ROLLOUT_EMOJI[service.rollout.state] ?? ''} ${service.rollout.state}${service.rollout.reason ? `: ${service.rollout.reason}` : ''}`.trim()
    : 'no deployment';
  const version = service?.version ? `\`${service.version}\`` : failed.has('image') ? UNREADABLE : 'unknown';
  const blocks = [
    header(`${environmentName} · ${status.stackName}`),
    fields([
      ...(service
        ? ([
            ['Service', `${service.name} (${service.status})`],
            ['Tasks', `${service.running} running / ${service.desired} desired / ${service.pending} pending`],
            ['Rollout', rollout],
            ['Version', version],
          ] as [string, string][])
        : ([['Service', UNREADABLE]] as [string, string][])),
      ['Autoscaling', failed.has('autoscaling') ? UNREADABLE : describeScaling(status)],
      ['Stack', status.stackStatus],
      [
        'Deploy lock',
        failed.has('lock')
          ? UNREADABLE
          : status.lock
            ? `:lock: <@${status.lock.owner}> since ${formatTime(status.lock.since, timeZone)}, expires ${formatTime(status.lock.expiresAt, timeZone)}: ${escapeMrkdwn(status.lock.reason)}`
            : 'free',
      ],
    ]),
  ];
  if (failed.has('database')) {
    blocks.push(fields([['Database', UNREADABLE]]));
  } else if (database) {
    blocks.push(
      fields([
        ['Database', `${database.id} (${database.status})`],
        [
          'Capacity',
          database.capacity ? `${database.capacity.min}–${database.capacity.max} ACU` : 'provisioned',
        ],
        ['Writer', database.writer ?? 'none'],
        ['Readers', database.readers.length > 0 ? database.readers.join(', ') : 'none'],
      ]),
    );
  }
  const deployments = status.recentDeployments.map((d) => {
    const when = d.startedAt ? formatTime(d.startedAt, timeZone) : 'not started';
    return `• ${when}: ${d.status}${d.reason ? ` (${d.reason})` : ''}`;
  });
  const listed = failed.has('deployments')
    ? UNREADABLE
    : deployments.length > 0
      ? deployments.join('\n')
      : 'none';
  blocks.push(section(`*Recent deployments*\n${listed}`));
  if (status.unreadable.length > 0) {
    const lines = status.unreadable.map((u) => {
      const logged = u.logged ? (correlationId ? ` (logged with id \`${correlationId}\`)` : ' (logged)') : '';
      return `• ${PART_LABEL[u.part]}: ${u.reason}${logged}`;
    });
    blocks.push(section(`:warning: *Could not read*\n${lines.join('\n')}`));
  }
  blocks.push(context(`Image: ${service?.image ?? 'unknown'}`));
  const summary = service
    ? `${service.running}/${service.desired} tasks, ${service.rollout?.state ?? 'no rollout'}, version ${service.version ?? 'unknown'}`
    : 'the service could not be read';
  const partial =
    status.unreadable.length > 0 ? ` (${status.unreadable.length} part(s) could not be read)` : '';
  return inChannel(`${environmentName}: ${summary}${partial}`, blocks);
}

/** The live bounds, and the stack's when `/scale` has set others. */
function describeScaling(status: ServiceStatus): string {
  const { scaling, configuredScaling: configured } = status;
  if (!scaling) return 'no scalable target';
  const live = `${scaling.min}–${scaling.max} tasks`;
  return scaling.min === configured.min && scaling.max === configured.max
    ? live
    : `${live} :warning: the stack configures ${configured.min}–${configured.max}`;
}
