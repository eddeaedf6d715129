import { IMAGE_TAG_PATTERN } from '../../ops/deploy/image-tags';
import { CliUsageError } from '../cli-usage-error';
import { runDeployCommand } from '../deploy-command';
import type { EnvironmentCommand } from './command';
import { deployContext } from './deploy-context';

/** The usage line, after `wheelhouse `. */
export const usage =
  'deploy --env <env> [--version <tag>] [--plan] [--override-freeze "<reason>"] [--verbose]';

/** The `deploy` module. */
export const deployCommand: EnvironmentCommand = {
  kind: 'leaf',
  name: 'deploy',
  summary: "deploy an environment's stack (or show the plan) through the same path as /deploy in Slack",
  usage,
  description: `Deploys an environment's stack through the same path as /deploy in Slack: the image tag is checked
in ECR, freeze windows apply, the environment's lock is taken, deploy-sensitive Datadog monitors are
muted, the rollout is watched and health-checked, the deploy bakes against the deploy-gate monitors
and rolls back if one alerts; the history and the audit record who ran it.

--plan changes nothing: with AWS credentials it diffs the stack against the deployed one (read-only,
through the CDK lookup role, or the environment's plan role with WHEELHOUSE_ASSUME_PLAN_ROLE=true) and
shows the ImageTag change; without them it synthesizes the stack and summarizes it offline.

Protected environments take only a release tag (deploy.releaseTagPattern) that an approver signed
off in Slack: /signoff <env> <version>.

Environment: WHEELHOUSE_ASSUME_OPERATOR_ROLE=true to act through each environment's operator role (CI
on AWS); WHEELHOUSE_ASSUME_PLAN_ROLE=true (a pull request's plan job) for --plan to read through its
plan role; DD_API_KEY and DD_APP_KEY for the monitor mute and the bake.`,
  options: {
    version: {
      type: 'string',
      value: '<tag>',
      description: 'the image tag to deploy; left out, the infrastructure only (the running tag is kept)',
    },
    plan: { type: 'boolean', description: 'change nothing: show the diff (or the offline summary)' },
    'override-freeze': {
      type: 'string',
      value: '"<reason>"',
      description: 'deploy inside a freeze window; the reason is kept in the history and the audit',
    },
  },
  examples: [
    'wheelhouse deploy --env dev --version v1.5.0',
    'wheelhouse deploy --env prod --version v1.5.0 --plan',
    'wheelhouse deploy --env stage --override-freeze "hotfix for INC-42"',
  ],
  exitCodes: '0 deployed (or the plan shown), 1 failed or rolled back, 2 refused or bad input.',
  audited: true,
  takesEnvironment: true,
  async run(ctx, options) {
    const version = options.string('version');
    if (version !== null && !IMAGE_TAG_PATTERN.test(version)) {
      throw new CliUsageError(
        `"${version.slice(0, 40)}" is not an image tag (letters, digits, _ . -).`,
        usage,
        'deploy',
      );
    }
    const override = options.string('override-freeze');
    let freezeOverride: string | null = null;
    if (override !== null) {
      if (override.trim() === '' || override.startsWith('--')) {
        throw new CliUsageError(
          '--override-freeze needs a reason: --override-freeze "<reason>".',
          usage,
          'deploy',
        );
      }
      freezeOverride = override.trim().slice(0, 200);
    }
    const plan = options.flag('plan');
    if (plan && freezeOverride !== null) {
      throw new CliUsageError('--plan changes nothing, so it takes no --override-freeze.', usage, 'deploy');
    }
    const result = await runDeployCommand(deployContext(ctx), {
      environment: ctx.environment,
      version,
      plan,
      freezeOverride,
    });
    return result === 'failed' ? 'failed' : 'ok';
  },
};
