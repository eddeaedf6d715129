/**
 * `wheelhouse <command> [subcommand] --env <env> [options]`: the one command-line entry, for people and
 * CI (`bin/wheelhouse`, `npx wheelhouse`, `npm run wheelhouse --`; `npm run monitors --` is `wheelhouse
 * monitors`). It parses the arguments against the command table (`commands/registry.ts`), finds `--env`
 * through the one lookup (`environment-lookup.ts`), runs the command, audits it, and turns how it ended
 * into the one exit code (`exit-codes.ts`): 0 ok, 1 failed, 2 refused or bad input, 3 changes pending.
 * The Slack bot is not a command here (`npm start`): cli/ never imports bot/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Config, ConfigError, type EnvironmentConfig } from '../config';
import type { StackEndpointReader } from '../monitors/synthetics/endpoints';
import { AwsClients, readAssumeOperatorRole, readAssumePlanRole } from '../ops/aws-clients';
import { newCorrelationId } from '../ops/correlation-id';
import type { DeployGuard } from '../ops/deploy/deploy-mute';
import { redact } from '../ops/redact';
import { UserError } from '../ops/user-error';
import { type AuditOutcome, COMMAND_LINE_CHANNEL } from '../slack/audit';
import { type CliIdentity, cliIdentity } from './ci-identity';
import { createCliAudit } from './cli-auditor';
import { type CommandLine, commandWords, optionsOf, parseCommandLine } from './command-line';
import type { CliContext, CommandOutcome, EnvironmentCommand, ParsedOptions } from './commands/command';
import { CLI_COMMANDS } from './commands/registry';
import { lookupEnvironment } from './environment-lookup';
import { EXIT, type ExitCode } from './exit-codes';
import { commandHelp, topHelp } from './help-text';
import { isInteractive, type TerminalOutput } from './terminal-progress';

export { EXIT } from './exit-codes';

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
  /** Reads a deployed stack's endpoints for the synthetic tests. @default CloudFormation with `env`'s credentials */
  readonly stackEndpoints?: StackEndpointReader;
  /** @default the real clock */
  now?(): Date;
  /** @default the operating-system user */
  osUser?(): string;
  /** Aborted to interrupt a running deploy (the entry point aborts it on the first SIGINT or SIGTERM). */
  readonly signal?: AbortSignal;
}

const EXIT_OF: Readonly<Record<CommandOutcome, ExitCode>> = {
  ok: EXIT.ok,
  failed: EXIT.failed,
  changes: EXIT.changes,
};

/** Runs the command line and resolves to its exit code. */
export async function main(argv: readonly string[], deps: CliDependencies): Promise<ExitCode> {
  const print = (text: string) => void deps.stdout.write(`${redact(text)}\n`);
  const printError = (text: string) => void deps.stderr.write(`${redact(text)}\n`);

  let line: CommandLine;
  try {
    line = parseCommandLine(argv, CLI_COMMANDS);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    printRefusal(printError, error);
    return EXIT.refused;
  }
  if (line.kind === 'help') {
    print(line.path.length === 0 ? topHelp(CLI_COMMANDS) : commandHelp(line.path));
    return EXIT.ok;
  }
  if (line.kind === 'version') {
    print(`wheelhouse ${packageVersion()}`);
    return EXIT.ok;
  }
  const context: CliContext = {
    env: deps.env,
    stdout: deps.stdout,
    stderr: deps.stderr,
    correlationId: newCorrelationId(),
    print,
    printError,
    commands: CLI_COMMANDS,
    deps,
  };
  const { command } = line;
  if (!command.takesEnvironment) {
    return (await settle(context, line.verbose, () => command.run(context, line.options))).code;
  }
  return runOnEnvironment(context, deps, { ...line, command });
}

/** Runs a command that takes `--env`: the lookup, the run, the exit code and the audit line. */
async function runOnEnvironment(
  context: CliContext,
  deps: CliDependencies,
  line: Extract<CommandLine, { kind: 'run' }> & { readonly command: EnvironmentCommand },
): Promise<ExitCode> {
  const started = performance.now();
  const { command, path, options } = line;
  const words = commandWords(path);
  const identity = cliIdentity(deps.env, deps.osUser);
  let config: Config | null = deps.config ?? null;
  let environment: EnvironmentConfig | null = null;
  let aws: AwsClients | null = null;
  const result = await settle(context, line.verbose, async () => {
    const target = lookupEnvironment(
      deps.env,
      line.envName!,
      { line: command.usage, command: words },
      deps.config,
    );
    ({ config, environment } = target);
    for (const warning of target.warnings) context.printError(`wheelhouse: warning: ${warning}`);
    return command.run(
      {
        ...context,
        config: target.config,
        environment: target.environment,
        identity,
        aws: () => {
          aws ??= deps.aws ?? createAwsClients(deps.env, identity);
          return aws;
        },
      },
      options,
    );
  });
  // Clients made here are ours to close; injected ones belong to the caller.
  if (!deps.aws) await (aws as AwsClients | null)?.destroy();
  if (!command.audited) return result.code;

  const quiet = isInteractive(deps.stdout, deps.env) && !line.verbose;
  const audit = await createCliAudit(config, deps.env, deps.stderr, quiet);
  if (audit.warning) context.printError(`wheelhouse: ${audit.warning}`);
  audit.auditor.record({
    userId: identity.id,
    userName: identity.name,
    channelId: COMMAND_LINE_CHANNEL,
    command: `wheelhouse ${words}`,
    args: auditArgs(line.envName, options, command),
    environment: (environment as EnvironmentConfig | null)?.name ?? null,
    outcome: result.outcome,
    durationMs: Math.round(performance.now() - started),
    correlationId: context.correlationId,
  });
  await audit.auditor.flush();
  return result.code;
}

/**
 * The AWS clients of one run, acting for `identity`: the roles it assumes (each environment's operator
 * role with WHEELHOUSE_ASSUME_OPERATOR_ROLE, its plan role with WHEELHOUSE_ASSUME_PLAN_ROLE) carry the
 * run's source identity (`gh-<run id>` in GitHub Actions, `cli-<user>` at a terminal) and session tags,
 * which their trust policies allow (`stacks/operator-role.ts`). Without a role to assume, the calls use
 * the caller's own credentials, and CloudTrail already names that caller (a person, or CI's role).
 * Kept to this one function so that how the command line reaches AWS is decided in one place.
 */
function createAwsClients(env: NodeJS.ProcessEnv, identity: CliIdentity): AwsClients {
  return new AwsClients({
    assumeOperatorRole: switchSetting(
      () => readAssumeOperatorRole(env),
      "Set it to true in CI (the deploy then uses each environment's operator role), or leave it unset to use your own credentials.",
    ),
    assumePlanRole: switchSetting(
      () => readAssumePlanRole(env),
      "Set it to true in a pull request's plan job (--plan then reads each environment through its plan role), or leave it unset.",
    ),
    roleSessionName: identity.roleSessionName,
  }).actingFor(identity.actor);
}

/** How a run ended: the exit code and the audit outcome. */
interface Settled {
  readonly code: ExitCode;
  readonly outcome: AuditOutcome;
}

/** Runs `run` and maps how it ended to an exit code, printing refusals and internal errors. */
async function settle(
  ctx: CliContext,
  verbose: boolean,
  run: () => Promise<CommandOutcome>,
): Promise<Settled> {
  try {
    // A deploy that failed or was rolled back is audited as run (`ok`): the history says how it ended.
    return { code: EXIT_OF[await run()], outcome: 'ok' };
  } catch (error) {
    if (error instanceof UserError) {
      printRefusal(ctx.printError, error);
      return { code: EXIT.refused, outcome: error.outcome };
    }
    if (error instanceof ConfigError) {
      ctx.printError(`wheelhouse: ${error.message}`);
      return { code: EXIT.refused, outcome: 'usage' };
    }
    // The correlation id is also in the audit line, which ties this run to its log.
    ctx.printError(
      `wheelhouse: something went wrong (${ctx.correlationId}).${verbose ? '' : ' Run it again with --verbose for the details.'}`,
    );
    if (verbose) ctx.printError(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return { code: EXIT.failed, outcome: 'error' };
  }
}

/**
 * The arguments worth auditing, as the bot audits its commands: `--env dev --version v1.5.0 --plan`
 * (free of secrets: `redact` runs on them too). `--verbose` and `--help` say nothing about what ran.
 */
function auditArgs(envName: string | null, options: ParsedOptions, command: EnvironmentCommand): string {
  const words = envName ? [`--env ${envName.slice(0, 30)}`] : [];
  for (const [name, option] of Object.entries(optionsOf(command))) {
    if (name === 'env' || name === 'verbose' || name === 'help') continue;
    if (option.type === 'boolean') {
      if (options.flag(name)) words.push(`--${name}`);
      continue;
    }
    const value = options.string(name);
    if (value === null) continue;
    const kept = value.trim().slice(0, 200);
    words.push(`--${name} ${/\s/.test(kept) || kept === '' ? `"${kept}"` : kept}`);
  }
  return words.join(' ');
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

/** The version in package.json. */
function packageVersion(): string {
  const text = readFileSync(join(__dirname, '..', 'package.json'), 'utf8');
  return (JSON.parse(text) as { version?: string }).version ?? 'unknown';
}

/**
 * Runs `wheelhouse` as a process: the arguments, the real terminal, the exit code; the first SIGINT or
 * SIGTERM interrupts a running deploy cleanly, a second quits at once. `bin/wheelhouse` calls it.
 */
export function runFromProcess(): void {
  // The SDK's "Node 22 from 2027" notice would land in the middle of the output; the README says it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Ctrl-C or a cancelled CI job (SIGINT, SIGTERM): the first one ends the deploy cleanly (recorded as
  // interrupted, monitors unmuted, lock released); a second one quits at once.
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupt.signal.aborted) process.exit(130);
    process.stderr.write(
      `wheelhouse: ${signal}: stopping; a deploy is recorded as interrupted, monitors unmuted and the lock released (CloudFormation carries on by itself). Again to quit at once.\n`,
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

if (require.main === module) runFromProcess();
