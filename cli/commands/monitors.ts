/** `wheelhouse monitors plan|apply|routes|alerts`: the Datadog side of an environment, as code. */
import { type MonitorsSubcommand, runMonitorsCommand } from '../monitors-command';
import type { CliOption, CommandGroup, EnvironmentCommand } from './command';

const PRUNE: CliOption = {
  type: 'boolean',
  description: 'also delete the managed monitors, dashboards and synthetic tests that are no longer defined',
};

const READS = `Environment: DD_API_KEY, DD_APP_KEY, DD_SITE, DATADOG_API_URL, DATADOG_TIMEOUT_MS, PAGERDUTY_TOKEN,
PAGERDUTY_API_URL, PAGERDUTY_TIMEOUT_MS; AWS credentials for the synthetic tests' targets (the deployed
stack's outputs) when no domain is configured.`;

/** One subcommand: its help, and `run` through {@link runMonitorsCommand}. */
function subcommand(
  name: MonitorsSubcommand,
  help: Pick<EnvironmentCommand, 'summary' | 'usage' | 'description' | 'examples' | 'exitCodes' | 'options'>,
  audited: boolean,
): EnvironmentCommand {
  return {
    kind: 'leaf',
    name,
    ...help,
    audited,
    takesEnvironment: true,
    run: (ctx, options) =>
      runMonitorsCommand(
        {
          config: ctx.config,
          environment: ctx.environment,
          env: ctx.env,
          print: ctx.print,
          printError: ctx.printError,
          stackEndpoints: ctx.deps.stackEndpoints,
        },
        {
          subcommand: name,
          prune: options.flag('prune'),
          allowMissingRoutes: options.flag('allow-missing-routes'),
        },
      ),
  };
}

/** `monitors plan`. */
export const monitorsPlanCommand = subcommand(
  'plan',
  {
    summary: 'what apply would change (exit 3 when something would)',
    usage: 'monitors plan --env <env> [--prune]',
    description: `Compares the monitors, dashboards, metric tag configurations and synthetic tests defined for the
environment with what Datadog holds, checks the alert routes, and prints what apply would create,
update or delete. Without DD_API_KEY and DD_APP_KEY it shows everything as to be created.

${READS}`,
    options: { prune: PRUNE },
    examples: ['wheelhouse monitors plan --env prod', 'wheelhouse monitors plan --env prod --prune'],
    exitCodes: '0 nothing to change, 3 changes pending, 1 Datadog failed, 2 refused keys or bad input.',
  },
  true,
);

/** `monitors apply`. */
export const monitorsApplyCommand = subcommand(
  'apply',
  {
    summary: 'make Datadog match the definitions',
    usage: 'monitors apply --env <env> [--prune] [--allow-missing-routes]',
    description: `Makes the changes that plan shows. It refuses while an alert route is missing (a PagerDuty
service or escalation policy, Datadog's PagerDuty service, a Slack channel), unless
--allow-missing-routes: an alert without its route notifies nobody.

${READS}`,
    options: {
      prune: PRUNE,
      'allow-missing-routes': {
        type: 'boolean',
        description: 'apply although an alert route is missing or could not be checked',
      },
    },
    examples: ['wheelhouse monitors apply --env prod', 'wheelhouse monitors apply --env stage --prune'],
    exitCodes:
      '0 applied (or nothing to apply), 1 a route missing or Datadog failed, 2 no keys or bad input.',
  },
  true,
);

/** `monitors routes`. */
export const monitorsRoutesCommand = subcommand(
  'routes',
  {
    summary: 'check that every alert route exists (PagerDuty, Datadog, Slack)',
    usage: 'monitors routes --env <env>',
    description: `Checks the alert routes only: the PagerDuty service and escalation policy, Datadog's PagerDuty
service and the Slack channels the monitors notify.

${READS}`,
    options: {},
    examples: ['wheelhouse monitors routes --env prod'],
    exitCodes: '0 every route exists, 1 one is missing or could not be checked.',
  },
  true,
);

/** `monitors alerts`. */
export const monitorsAlertsCommand = subcommand(
  'alerts',
  {
    summary: "the operator's guide tables (offline Markdown)",
    usage: 'monitors alerts --env <env>',
    description: `Prints, per failure we watch, which alert catches it, where it goes and the worst-case time to the
notification, then every alert (what it means, the first step), as Markdown. Offline: it reads the
configuration only. The README's operator's guide embeds prod's.`,
    options: {},
    examples: ['wheelhouse monitors alerts --env prod > alerts.md'],
  },
  // Offline documentation: nothing to audit.
  false,
);

/** The `monitors` group. */
export const monitorsCommand: CommandGroup = {
  kind: 'group',
  name: 'monitors',
  summary: 'Datadog monitors, dashboards and synthetic tests as code: plan, apply, routes, alerts',
  usage: 'monitors <plan|apply|routes|alerts> --env <env> [--prune] [--allow-missing-routes]',
  description: `The Datadog side of an environment, defined in monitors/ from wheelhouse.yml: plan shows what
would change, apply changes it, routes checks where alerts go, alerts prints the operator's guide.
npm run monitors -- <subcommand> is the same as wheelhouse monitors <subcommand>.`,
  subcommands: [monitorsPlanCommand, monitorsApplyCommand, monitorsRoutesCommand, monitorsAlertsCommand],
  examples: [
    'wheelhouse monitors plan --env prod',
    'wheelhouse monitors apply --env prod',
    'wheelhouse monitors routes --env prod',
    'wheelhouse monitors alerts --env prod',
  ],
};
