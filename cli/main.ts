/**
 * `npm run wheelhouse -- deploy --env <env> [--version <tag>] [--plan] [--override-freeze "<reason>"]`:
 * the command line (and CI) into the same deploy path as `/deploy` in Slack.
 *
 * Exit codes: 0 deployed (or the plan shown), 1 the deploy failed or was rolled back (or an internal
 * error), 2 refused or bad input (the message and what to do, never a stack trace).
 */
import { parseArgs } from 'node:util';
import { readDatadogSettings } from '../clients/datadog-client';
import { type Config, ConfigError, type EnvironmentConfig, loadConfig } from '../config';
import { AwsClients, readAssumeOperatorRole, readAssumePlanRole } from '../ops/aws-clients';
import { newCorrelationId } from '../ops/correlation-id';
import { createDeployGuard, type DeployGuard } from '../ops/deploy/deploy-mute';
import { IMAGE_TAG_PATTERN } from '../ops/deploy/image-tags';
import { redact } from '../ops/redact';
import { UserError } from '../ops/user-error';
import { type AuditOutcome, COMMAND_LINE_CHANNEL } from '../slack/audit';
import { cliIdentity } from './ci-identity';
import { createCliAudit } from './cli-auditor';
import { runDeployCommand } from './deploy-command';
import { createProgress, isInteractive, type TerminalOutput } from './terminal-progress';

/** Exit codes. */
export const EXIT = { ok: 0, failed: 1, refused: 2 } as const;

/** The usage line. */
export const USAGE =
  'npm run wheelhouse -- deploy --env <env> [--version <tag>] [--plan] [--override-freeze "<reason>"] [--verbose]';

const HELP = `Usage: ${USAGE}

Deploys an environment's stack through the same path as /deploy in Slack: the image tag is checked
in ECR, freeze windows apply, the environment's lock is taken, deploy-sensitive Datadog monitors are
muted, the rollout is watched and health-checked, the deploy bakes against the deploy-gate monitors
and rolls back if one alerts; the history and the audit record who ran it.

Options:
  --env <env>                   the environment, as named in wheelhouse.yml
  --version <tag>               the image tag to deploy; left out, the infrastructure only (the running tag is kept)
  --plan                        change nothing: with AWS credentials, diff the stack against the deployed one
                                (read-only, through the CDK lookup role, or the environment's plan role with
                                WHEELHOUSE_ASSUME_PLAN_ROLE=true) and show the ImageTag change; without them,
                                synthesize the stack and summarize it offline
  --override-freeze "<reason>"  deploy inside a freeze window; the reason is kept in the history and the audit
  --verbose                     the details of an internal error
  -h, --help                    this help

Protected environments take only a release tag (deploy.releaseTagPattern) that an approver signed
off in Slack: /signoff <env> <version>.

Exit codes: 0 deployed (or the plan shown), 1 failed or rolled back, 2 refused or bad input.
Environment: WHEELHOUSE_CONFIG; AWS credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID…), and
WHEELHOUSE_ASSUME_OPERATOR_ROLE=true to act through each environment's operator role, and
WHEELHOUSE_ASSUME_PLAN_ROLE=true (a pull request's plan job) for --plan to read through its plan role;
DD_API_KEY and DD_APP_KEY for the monitor mute and the bake; SLACK_BOT_TOKEN to post to slack.auditChannel; CI=true
(or no terminal) for plain timestamped lines instead of the live display.`;

/** What the command line talks to; tests replace the edges (AWS, Datadog, the clock, the terminal). */
export interface CliDependencies {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: TerminalOutput;
  readonly stderr: TerminalOutput;
  /** @default loaded from WHEELHOUSE_CONFIG or wheelhouse.yml */
  readonly config?: Config;
  /** @default the SDK's default credential chain */
  readonly aws?: AwsClients;
  /** @default from DD_API_KEY and DD_APP_KEY (a no-op without them) */
  readonly guard?: DeployGuard;
  /** @default the real clock */
  now?(): Date;
  /** @default the operating-system user */
  osUser?(): string;
  /** Aborted to interrupt a running deploy (the entry point aborts it on the first SIGINT or SIGTERM). */
  readonly signal?: AbortSignal;
}

/** A mistake in the arguments: the hint is the usage line. */
class CliUsageError extends UserError {
  override readonly name = 'CliUsageError';

  constructor(message: string) {
    super(message, `Usage: ${USAGE} (--help for more)`, 'usage');
  }
}

interface ParsedDeploy {
  readonly envName: string;
  readonly version: string | null;
  readonly plan: boolean;
  readonly freezeOverride: string | null;
  readonly verbose: boolean;
}

/** Runs the command line and resolves to its exit code. */
export async function main(argv: readonly string[], deps: CliDependencies): Promise<number> {
  const started = performance.now();
  const print = (text: string) => void deps.stdout.write(`${redact(text)}\n`);
  const printError = (text: string) => void deps.stderr.write(`${redact(text)}\n`);

  let parsed: ParsedDeploy | 'help';
  try {
    parsed = parse(argv);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    printRefusal(printError, error);
    return EXIT.refused;
  }
  if (parsed === 'help') {
    print(HELP);
    return EXIT.ok;
  }

  const correlationId = newCorrelationId();
  const identity = cliIdentity(deps.env, deps.osUser);
  let config: Config | null = deps.config ?? null;
  let environment: EnvironmentConfig | null = null;
  let outcome: AuditOutcome = 'ok';
  let code: number = EXIT.ok;
  let aws: AwsClients | null = null;
  try {
    config ??= loadConfig({ env: deps.env }).config;
    environment = findEnvironment(config, parsed.envName);
    aws =
      deps.aws ??
      new AwsClients({
        assumeOperatorRole: operatorRoleSetting(deps.env),
        assumePlanRole: planRoleSetting(deps.env),
        roleSessionName: identity.roleSessionName,
      });
    const mode = isInteractive(deps.stdout, deps.env) ? 'live' : 'plain';
    const result = await runDeployCommand(
      {
        config,
        aws,
        guard: deps.guard ?? createDeployGuard(config, readDatadogSettings(deps.env)),
        identity,
        now: deps.now ?? (() => new Date()),
        print,
        startProgress: () => createProgress(deps.stdout, mode),
        signal: deps.signal,
      },
      { environment, version: parsed.version, plan: parsed.plan, freezeOverride: parsed.freezeOverride },
    );
    code = result === 'failed' ? EXIT.failed : EXIT.ok;
  } catch (error) {
    if (error instanceof UserError) {
      outcome = error.outcome;
      printRefusal(printError, error);
      code = EXIT.refused;
    } else if (error instanceof ConfigError) {
      outcome = 'usage';
      printError(`wheelhouse: ${error.message}`);
      code = EXIT.refused;
    } else {
      // The correlation id is also in the audit line, which ties this run to its log.
      outcome = 'error';
      printError(
        `wheelhouse: something went wrong (${correlationId}).${parsed.verbose ? '' : ' Run it again with --verbose for the details.'}`,
      );
      if (parsed.verbose) printError(error instanceof Error ? (error.stack ?? error.message) : String(error));
      code = EXIT.failed;
    }
  } finally {
    // Deploy clients made here are ours to close; injected ones belong to the caller.
    if (!deps.aws) await aws?.destroy();
  }

  const quiet = isInteractive(deps.stdout, deps.env) && !parsed.verbose;
  const audit = await createCliAudit(config, deps.env, deps.stderr, quiet);
  if (audit.warning) printError(`wheelhouse: ${audit.warning}`);
  audit.auditor.record({
    userId: identity.id,
    userName: identity.name,
    channelId: COMMAND_LINE_CHANNEL,
    command: 'wheelhouse deploy',
    args: auditArgs(parsed),
    environment: environment?.name ?? null,
    outcome,
    durationMs: Math.round(performance.now() - started),
    correlationId,
  });
  await audit.auditor.flush();
  return code;
}

/** Parses the arguments; throws {@link CliUsageError} saying what is wrong. */
function parse(argv: readonly string[]): ParsedDeploy | 'help' {
  let values: {
    env?: string;
    version?: string;
    plan?: boolean;
    'override-freeze'?: string;
    verbose?: boolean;
    help?: boolean;
  };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        env: { type: 'string' },
        version: { type: 'string' },
        plan: { type: 'boolean' },
        'override-freeze': { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    // parseArgs names the option: "Unknown option '--force'", "Option '--env <value>' argument missing".
    const message = error instanceof Error ? error.message : String(error);
    throw new CliUsageError(message.replace(/\. To specify a positional argument.*$/s, '.'));
  }
  if (values.help) return 'help';
  const [command, ...extra] = positionals;
  if (command === undefined) throw new CliUsageError('Say what to do: deploy.');
  if (command !== 'deploy')
    throw new CliUsageError(`There is no command "${command.slice(0, 30)}"; known: deploy.`);
  if (extra.length > 0) throw new CliUsageError(`Unexpected argument "${extra[0]!.slice(0, 30)}".`);
  if (values.env === undefined || values.env === '') throw new CliUsageError('--env is required.');
  const version = values.version ?? null;
  if (version !== null && !IMAGE_TAG_PATTERN.test(version)) {
    throw new CliUsageError(`"${version.slice(0, 40)}" is not an image tag (letters, digits, _ . -).`);
  }
  const override = values['override-freeze'];
  let freezeOverride: string | null = null;
  if (override !== undefined) {
    if (override.trim() === '' || override.startsWith('--')) {
      throw new CliUsageError('--override-freeze needs a reason: --override-freeze "<reason>".');
    }
    freezeOverride = override.trim().slice(0, 200);
  }
  if (values.plan && freezeOverride !== null) {
    throw new CliUsageError('--plan changes nothing, so it takes no --override-freeze.');
  }
  return {
    envName: values.env,
    version,
    plan: values.plan ?? false,
    freezeOverride,
    verbose: values.verbose ?? false,
  };
}

/** The environment named `--env`, or a usage error listing the known ones. */
function findEnvironment(config: Config, name: string): EnvironmentConfig {
  const found = config.environments.find((e) => e.name === name);
  if (found) return found;
  const known = config.environments.map((e) => e.name).join(', ');
  throw new CliUsageError(`There is no environment "${name.slice(0, 30)}"; known: ${known}.`);
}

/** The arguments worth auditing, as the bot audits `/deploy` (free of secrets: `redact` runs on them too). */
function auditArgs(parsed: ParsedDeploy): string {
  return [
    `--env ${parsed.envName.slice(0, 30)}`,
    parsed.version ? `--version ${parsed.version}` : '',
    parsed.plan ? '--plan' : '',
    parsed.freezeOverride ? `--override-freeze "${parsed.freezeOverride}"` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

/** `WHEELHOUSE_ASSUME_OPERATOR_ROLE` (true in CI on AWS): act on each environment through its operator role. */
function operatorRoleSetting(env: NodeJS.ProcessEnv): boolean {
  return switchSetting(
    () => readAssumeOperatorRole(env),
    "Set it to true in CI (the deploy then uses each environment's operator role), or leave it unset to use your own credentials.",
  );
}

/** `WHEELHOUSE_ASSUME_PLAN_ROLE` (true in a pull request's plan job): `--plan` reads through each environment's plan role. */
function planRoleSetting(env: NodeJS.ProcessEnv): boolean {
  return switchSetting(
    () => readAssumePlanRole(env),
    "Set it to true in a pull request's plan job (--plan then reads each environment through its plan role), or leave it unset.",
  );
}

/** A true/false variable read by `read`; a bad value is a usage error with `hint`. */
function switchSetting(read: () => boolean, hint: string): boolean {
  try {
    return read();
  } catch (error) {
    throw new UserError(error instanceof Error ? error.message : String(error), hint, 'usage');
  }
}

function printRefusal(printError: (text: string) => void, error: UserError): void {
  printError(`wheelhouse: ${error.message}`);
  if (error.hint) printError(`  ${error.hint}`);
}

if (require.main === module) {
  // The SDK's "Node 22 from 2027" notice would land in the middle of the output; the README says it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Ctrl-C or a cancelled CI job (SIGINT, SIGTERM): the first one ends the deploy cleanly (recorded as
  // interrupted, monitors unmuted, lock released); a second one quits at once.
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupt.signal.aborted) process.exit(130);
    process.stderr.write(
      `wheelhouse: ${signal}: stopping; the deploy is recorded as interrupted, monitors unmuted and the lock released (CloudFormation carries on by itself). Again to quit at once.\n`,
    );
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const deps = { env: process.env, stdout: process.stdout, stderr: process.stderr, signal: interrupt.signal };
  main(process.argv.slice(2), deps).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`wheelhouse: ${redact(error instanceof Error ? error.message : String(error))}\n`);
      process.exitCode = EXIT.failed;
    },
  );
}
