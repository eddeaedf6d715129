/**
 * `/deploy <env> <version> [--override-freeze "<reason>"]`: deploys an image version to an
 * environment through its CDK stack (the one deploy path), with the lock, approvals in protected
 * environments, freeze windows and a progress thread. `/deploy history <env>` lists past deploys.
 */
import { z } from 'zod';
import type { EnvironmentConfig } from '../../config';
import { MissingCredentialsError } from '../../ops/aws-errors';
import { planDeploy } from '../../ops/deploy/deploy-plan';
import { DeployStateStore, type HistoryOutcome } from '../../ops/deploy/deploy-state';
import { IMAGE_TAG_PATTERN } from '../../ops/deploy/image-tags';
import { UsageError } from '../../ops/user-error';
import { codeBlock, context, escapeMrkdwn, mention, section } from '../../slack/blocks';
import { ephemeral, type Reply } from '../../slack/reply';
import { APPROVAL_ACTIONS, decisionCommand, parseDecision, requestApproval } from './approval-buttons';
import { auditNotes, decideAtApproval, decideInSlack, type SlackChange } from './change-decision';
import type { CommandContext, CommandModule } from './command';
import { startThreadDeploy } from './deploy-thread';
import { afterWords, takeEnvironment, words } from './environment-argument';
import { formatTime } from './format-time';
import { rulesBlocks } from './rules-blocks';

/** The slash command name. */
export const name = 'deploy';
/** The usage line. */
export const usage = '/deploy <env> <version> [--override-freeze "<reason>"] | history <env>';

const OVERRIDE = /^--override-freeze(?:\s+(?:["“”]([^"“”]+)["“”]|(.+)))?$/s;
/** How many deploys `/deploy history` lists. */
export const HISTORY_LENGTH = 10;

/** What an approved deploy request carries. */
const deployArgs = z.object({
  version: z.string(),
  freezeOverride: z.string().nullable(),
  /** The requester was an admin when they asked (requests stored before this field: no). */
  overrideByAdmin: z.boolean().default(false),
});

/** The `/deploy` module. */
export const deployCommand: CommandModule = {
  name,
  usage,
  summary:
    'Deploy an image version to an environment (lock, approvals, freeze windows, progress), or show its history.',
  permission: 'deploy',
  actions: APPROVAL_ACTIONS,
  parse(text, ctx) {
    const tokens = words(text);
    if (tokens[0] === 'history') {
      const { environment, consumed } = takeEnvironment(tokens.slice(1), ctx, usage);
      if (tokens.length > consumed + 1) throw new UsageError('`history` takes only the environment.', usage);
      return {
        environment,
        auditArgs: `history ${environment.name}`,
        run: (run) => history(run, environment),
      };
    }
    const { environment, consumed } = takeEnvironment(tokens, ctx, usage, ['history']);
    const rest = tokens.slice(consumed);
    const decision = parseDecision(rest, usage);
    if (decision) {
      return decisionCommand(environment, 'deploy', decision, async (run, raw, request) => {
        const args = deployArgs.parse(raw);
        const change = deployChange(environment, args.version, args.freezeOverride);
        const decided = await decideAtApproval(run, change, request, args.overrideByAdmin);
        return {
          what: `deploy \`${args.version}\``,
          start: () =>
            startThreadDeploy(run, {
              environment,
              version: args.version,
              kind: 'deploy',
              by: request.requester,
              approvedBy: run.caller.userId,
              freezeOverride: args.freezeOverride,
              audit: auditNotes(decided),
            }),
        };
      });
    }
    const version = rest[0];
    if (version === undefined) throw new UsageError('Say which version (an image tag) to deploy.', usage);
    if (!IMAGE_TAG_PATTERN.test(version)) {
      throw new UsageError(`"${version.slice(0, 40)}" is not an image tag (letters, digits, _ . -).`, usage);
    }
    const options = afterWords(text, consumed + 1);
    let freezeOverride: string | null = null;
    if (options !== '') {
      const match = OVERRIDE.exec(options);
      const reason = (match?.[1] ?? match?.[2] ?? '').trim();
      if (!match || reason === '') {
        throw new UsageError(
          'The only option is `--override-freeze "<reason>"`, and it needs a reason.',
          usage,
        );
      }
      freezeOverride = reason.slice(0, 200);
    }
    return {
      environment,
      auditArgs: `${environment.name} ${version}${freezeOverride ? ` --override-freeze "${freezeOverride}"` : ''}`,
      run: (run) => deploy(run, environment, version, freezeOverride),
    };
  },
};

/** The change `/deploy` asks the policy about. */
function deployChange(
  environment: EnvironmentConfig,
  version: string,
  freezeOverride: string | null,
): SlackChange {
  return { action: 'deploy', environment, version, scale: null, freezeOverride };
}

async function deploy(
  run: CommandContext,
  environment: EnvironmentConfig,
  version: string,
  freezeOverride: string | null,
): Promise<Reply> {
  if (!(await run.aws.hasCredentials(environment.region))) return planReply(run, environment, version);
  const decided = await decideInSlack(run, deployChange(environment, version, freezeOverride));
  const audit = auditNotes(decided);
  if (decided.decision.outcome === 'needs') {
    // The sign-off was read with the rest, so that the approver sees whether CI may already deploy it.
    const found = decided.facts.signOff;
    const signedOff =
      found?.status === 'valid'
        ? ` (signed off by ${mention(found.signOff.by)} until ${formatTime(found.signOff.expiresAt, run.config.project.timeZone)})`
        : '';
    const override = freezeOverride ? ` (overriding the freeze: ${escapeMrkdwn(freezeOverride)})` : '';
    return requestApproval(
      run,
      environment,
      'deploy',
      JSON.stringify({ version, freezeOverride, overrideByAdmin: decided.facts.actor.isAdmin }),
      `deploy \`${version}\` to *${environment.name}*${signedOff}${override}`,
    );
  }
  return startThreadDeploy(run, {
    environment,
    version,
    kind: 'deploy',
    by: run.caller.userId,
    approvedBy: null,
    freezeOverride,
    audit,
  });
}

async function planReply(
  run: CommandContext,
  environment: EnvironmentConfig,
  version: string,
): Promise<Reply> {
  const plan = await planDeploy(run.config, environment, version);
  const resources = plan.resources.map((r) => `${String(r.count).padStart(3)} ${r.type}`).join('\n');
  return ephemeral(`Plan only (no AWS credentials): deploy ${version} to ${environment.name}`, [
    section(
      `:clipboard: *Plan only: no AWS credentials, nothing was deployed.* Synthesized ${plan.stackName} with \`ImageTag=${version}\`.`,
    ),
    section(`The service would run \`${plan.image ?? 'an image without the ImageTag parameter'}\`.`),
    codeBlock(`Resources in the synthesized template:\n${resources}`),
    ...rulesBlocks(environment, 'deploy', run.now(), run.config.project.timeZone),
    context(
      'Not compared with the deployed stack, and the image tag was not checked in ECR: give the bot AWS credentials to deploy.',
    ),
  ]);
}

async function history(run: CommandContext, environment: EnvironmentConfig): Promise<Reply> {
  if (!(await run.aws.hasCredentials(environment.region))) {
    throw new MissingCredentialsError(`read the deploy history of ${environment.name}`);
  }
  const entries = await new DeployStateStore(run.aws, environment).listHistory(HISTORY_LENGTH);
  const tz = run.config.project.timeZone;
  if (entries.length === 0) return ephemeral(`No deploys recorded in ${environment.name} yet.`);
  const emoji: Readonly<Record<HistoryOutcome, string>> = {
    succeeded: ':white_check_mark:',
    failed: ':x:',
    'failed-before-change': ':no_entry_sign:',
    'rolled-back': ':rewind:',
    interrupted: ':double_vertical_bar:',
    'lock-lost': ':unlock:',
  };
  const lines = entries.map((e) => {
    const version = e.version ?? 'infrastructure only';
    const extra = [e.reason, e.freezeOverride ? `freeze overridden: ${e.freezeOverride}` : null]
      .filter(Boolean)
      .map((x) => escapeMrkdwn(String(x)))
      .join('; ');
    return `${emoji[e.outcome]} ${formatTime(e.startedAt, tz)} · \`${version}\` · ${e.kind} by ${mention(e.by)} · ${e.outcome}${extra ? ` (${extra})` : ''}`;
  });
  return ephemeral(`The last ${entries.length} deploys in ${environment.name}`, [
    section(`*Deploy history of ${environment.name}*\n${lines.join('\n')}`),
  ]);
}
