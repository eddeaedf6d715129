/**
 * What a `wheelhouse` command module exports: its name, summary, usage line, options, help text with
 * examples, and how it runs. `cli/commands/registry.ts` lists them; `cli/main.ts` parses the arguments
 * with the module's options (node:util parseArgs, strict), finds `--env` through the one lookup
 * (`cli/environment-lookup.ts`), and turns what `run` returns or throws into the one exit code.
 */
import type { Config, EnvironmentConfig } from '../../config';
import type { StackEndpointReader } from '../../monitors/synthetics/endpoints';
import type { AwsClients } from '../../ops/aws-clients';
import type { DeployGuard } from '../../ops/deploy/deploy-mute';
import type { CliIdentity } from '../ci-identity';
import type { TerminalOutput } from '../terminal-progress';

/** One option of a command, for parseArgs and for the help. */
export interface CliOption {
  readonly type: 'string' | 'boolean';
  /** A one-letter alias (`-h`). */
  readonly short?: string;
  /** The value's placeholder in the help, e.g. `<tag>` (string options). */
  readonly value?: string;
  /** One line for the help. */
  readonly description: string;
}

/** How a run ended, short of a refusal (a thrown `UserError`, exit 2) or an internal error (exit 1). */
export type CommandOutcome = 'ok' | 'failed' | 'changes';

/** The parsed options of one run. */
export interface ParsedOptions {
  /** A string option's value, or null when not given. */
  string(name: string): string | null;
  /** True when a boolean option was given. */
  flag(name: string): boolean;
  /** The words after the command that are not options (only commands with `arguments` take any). */
  readonly positionals: readonly string[];
}

/** What every command gets. */
export interface CliContext {
  /** The process's environment variables (read here, never through `process.env`). */
  readonly env: NodeJS.ProcessEnv;
  /** Where output goes (the live deploy display writes to it directly). */
  readonly stdout: TerminalOutput;
  /** Where errors, warnings and the audit line go. */
  readonly stderr: TerminalOutput;
  /** Ties this run's output, log lines and audit line together. */
  readonly correlationId: string;
  /** Writes one line to stdout, secrets redacted. */
  print(line: string): void;
  /** Writes one line to stderr, secrets redacted. */
  printError(line: string): void;
  /** Every command, for `help`. */
  readonly commands: readonly CliCommand[];
  /** What tests replace (AWS, Datadog, the clock, the synthetics' endpoint lookup). */
  readonly deps: CliEdges;
}

/** What a command that takes `--env` gets on top: the configuration, the environment, who runs it, AWS. */
export interface EnvironmentContext extends CliContext {
  readonly config: Config;
  readonly environment: EnvironmentConfig;
  readonly identity: CliIdentity;
  /** The AWS clients of this run, made on first use (and closed by `main` when it made them). */
  aws(): AwsClients;
}

/** The edges a test can replace; each defaults to the real thing. */
export interface CliEdges {
  /** @default the SDK's default credential chain */
  readonly aws?: AwsClients;
  /** @default from DD_API_KEY and DD_APP_KEY (a no-op without them) */
  readonly guard?: DeployGuard;
  /** Reads the endpoint outputs of a deployed stack. @default CloudFormation with the AWS credentials of `env` */
  readonly stackEndpoints?: StackEndpointReader;
  /** @default the real clock */
  now?(): Date;
  /** Aborted to interrupt a running deploy (the entry point aborts it on the first SIGINT or SIGTERM). */
  readonly signal?: AbortSignal;
}

/** What the help of every command shows. */
interface CommandHelp {
  /** The word that names it: `wheelhouse <name>`. */
  readonly name: string;
  /** One line for the list of commands. */
  readonly summary: string;
  /** The usage line after `wheelhouse `, e.g. `deploy --env <env> [--version <tag>]`. */
  readonly usage: string;
  /** What it does, a paragraph or two. */
  readonly description: string;
  /** Whole command lines, `wheelhouse …`. */
  readonly examples: readonly string[];
  /** What its exit codes mean for this command (the codes keep their one meaning: `cli/exit-codes.ts`). */
  readonly exitCodes?: string;
}

/** A command that runs. */
interface LeafCommand extends CommandHelp {
  readonly kind: 'leaf';
  /** Its options; `--help` and `--verbose` (and `--env` when it takes one) are added to every command. */
  readonly options: Readonly<Record<string, CliOption>>;
  /** The names of the positional arguments it takes, in the usage's words; @default none */
  readonly arguments?: readonly string[];
  /** Recorded in the audit trail (the bot audits its commands the same way). */
  readonly audited: boolean;
}

/** A command that acts on one environment (`--env <env>`, required). */
export interface EnvironmentCommand extends LeafCommand {
  readonly takesEnvironment: true;
  run(ctx: EnvironmentContext, options: ParsedOptions): Promise<CommandOutcome>;
}

/** A command that needs no environment (`help`). */
export interface PlainCommand extends LeafCommand {
  readonly takesEnvironment: false;
  run(ctx: CliContext, options: ParsedOptions): Promise<CommandOutcome>;
}

/** A command made of subcommands (`monitors plan|apply|routes|alerts`). */
export interface CommandGroup extends CommandHelp {
  readonly kind: 'group';
  readonly subcommands: readonly CliCommand[];
}

/** Any entry of the command table. */
export type CliCommand = EnvironmentCommand | PlainCommand | CommandGroup;

/** A command that runs (not a group). */
export type RunnableCommand = EnvironmentCommand | PlainCommand;
