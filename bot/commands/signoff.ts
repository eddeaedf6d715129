/**
 * `/signoff <env> <version>`: an approver signs a release tag off for a protected environment, so that
 * the command line (CI: `npm run wheelhouse -- deploy`) may deploy that version there without an
 * approval in Slack, until `deploy.signOffExpiryDays` have passed. The rule it feeds, and why it is
 * a sign-off rather than an approval request, is in `ops/deploy/sign-off.ts`.
 */
import type { EnvironmentConfig } from '../../config';
import { MissingCredentialsError } from '../../ops/aws-errors';
import { DeployStateStore } from '../../ops/deploy/deploy-state';
import { assertImageTagExists, IMAGE_TAG_PATTERN } from '../../ops/deploy/image-tags';
import { assertReleaseTag } from '../../ops/deploy/sign-off';
import { describeRoles } from '../../ops/describe-roles';
import { RefusalError, UsageError, UserError } from '../../ops/user-error';
import { context, section } from '../../slack/blocks';
import { inChannel, type Reply } from '../../slack/reply';
import type { CommandContext, CommandModule } from './command';
import { takeEnvironment, words } from './environment-argument';
import { formatTime } from './format-time';

/** The slash command name. */
export const name = 'signoff';
/** The usage line. */
export const usage = '/signoff <env> <version>';

/** The `/signoff` module. */
export const signoffCommand: CommandModule = {
  name,
  usage,
  summary:
    'Sign a release tag off for a protected environment, so that CI may deploy it there (approvers only).',
  permission: 'signoff',
  parse(text, ctx) {
    const tokens = words(text);
    const { environment, consumed } = takeEnvironment(tokens, ctx, usage);
    const [version, extra] = tokens.slice(consumed);
    if (version === undefined) throw new UsageError('Say which release tag to sign off.', usage);
    if (!IMAGE_TAG_PATTERN.test(version)) {
      throw new UsageError(`"${version.slice(0, 40)}" is not an image tag (letters, digits, _ . -).`, usage);
    }
    if (extra !== undefined) throw new UsageError(`Unexpected argument "${extra.slice(0, 30)}".`, usage);
    return {
      environment,
      auditArgs: `${environment.name} ${version}`,
      run: (run) => signOff(run, environment, version),
    };
  },
};

async function signOff(run: CommandContext, environment: EnvironmentConfig, version: string): Promise<Reply> {
  if (!environment.protected) {
    const protectedNames = run.config.environments.filter((e) => e.protected).map((e) => e.name);
    throw new UserError(
      `${environment.name} is not protected: the command line deploys any version there without a sign-off.`,
      `Sign-offs are for protected environments (${protectedNames.join(', ') || 'none is configured'}).`,
    );
  }
  // The same people as the Approve button: a sign-off is an approval given ahead of time.
  if (!(await run.isApprover(environment))) {
    throw new RefusalError(
      `Only ${environment.name} approvers may sign a release off.`,
      `Approvers are ${describeRoles(environment.permissions.approvers)}.`,
    );
  }
  assertReleaseTag(environment, version, 'only releases are signed off');
  if (!(await run.aws.hasCredentials(environment.region))) {
    throw new MissingCredentialsError(`record the sign-off of ${version} for ${environment.name}`);
  }
  await assertImageTagExists(run.aws, run.config, environment, version);
  const recorded = await new DeployStateStore(run.aws, environment).recordSignOff(
    version,
    { id: run.caller.userId, name: run.caller.userName },
    run.now(),
  );
  const until = formatTime(recorded.expiresAt, run.config.project.timeZone);
  return inChannel(`${run.caller.userName} signed off ${version} for ${environment.name} until ${until}.`, [
    section(
      `:white_check_mark: <@${run.caller.userId}> signed off \`${version}\` for *${environment.name}*: the command line (CI) may deploy it there until ${until}.`,
    ),
    context(
      `\`npm run wheelhouse -- deploy --env ${environment.name} --version ${version}\` deploys it with the same lock, freeze windows and history as /deploy.`,
    ),
  ]);
}
