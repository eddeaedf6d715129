import { runRollbackCommand } from '../rollback-command';
import type { CommandOutcome, EnvironmentCommand } from './command';
import { deployContext } from './deploy-context';

/** The usage line, after `wheelhouse `. */
export const usage = 'rollback --env <env> [--plan] [--verbose]';

const OUTCOME = {
  unchanged: 'ok',
  changes: 'changes',
  succeeded: 'ok',
  failed: 'failed',
} as const satisfies Record<string, CommandOutcome>;

/** The `rollback` module. */
export const rollbackCommand: EnvironmentCommand = {
  kind: 'leaf',
  name: 'rollback',
  summary: 'redeploy the previous good version (or show the plan), as /rollback in Slack',
  usage,
  description: `Redeploys the previous good version of an environment: the newest succeeded deploy, in the deploy
history, of another version than the running one. The change policy decides first, as for /rollback
in Slack; then the rollback runs the deploy path: the environment's lock, the Datadog mute and bake,
the health check, the history (kind rollback) and the audit.

There must be a previous good version: without one the rollback is refused (exit 2), with --plan too.
A protected environment takes the rollback only when an approver signed that version off in Slack
(/signoff <env> <version>): the command line cannot ask for an approval. A freeze window does not stop
a rollback (it is the way out of a bad deploy); the run says so. A lock held by someone else does.

--plan changes nothing: it prints the running version, the one it would roll back to, and what the
policy says; exit 3 when the rollback would change the running version, 2 when the policy would stop
it. Without AWS credentials it prints the rules that apply and exits 0 (the versions need AWS).

Environment: WHEELHOUSE_ASSUME_OPERATOR_ROLE=true to act through the environment's operator role (CI
on AWS); DD_API_KEY and DD_APP_KEY for the monitor mute and the bake.`,
  options: {
    plan: {
      type: 'boolean',
      description: 'change nothing: show running → target and what the policy says (exit 3: it would change)',
    },
  },
  examples: ['wheelhouse rollback --env dev', 'wheelhouse rollback --env prod --plan'],
  exitCodes:
    '0 rolled back, 1 the rollback failed, 2 refused (no previous good version, the policy, the lock, no credentials) or bad input, 3 --plan: it would change the running version.',
  audited: true,
  takesEnvironment: true,
  async run(ctx, options) {
    const result = await runRollbackCommand(deployContext(ctx), {
      environment: ctx.environment,
      plan: options.flag('plan'),
    });
    return OUTCOME[result];
  },
};
