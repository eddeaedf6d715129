/**
 * The shape of a command module. A command is one file that exports its name, usage line and a
 * {@link CommandModule}; `registry.ts` lists the modules, one line each.
 */
import type { CommandName, Config, EnvironmentConfig } from '../../config';
import type { AwsClients } from '../../ops/aws-clients';
import type { BotLogger } from '../../ops/logger';
import type { PagerDutyConnection } from '../../ops/pagerduty-connection';
import type { ProgressThread } from '../../slack/progress-thread';
import type { Reply } from '../../slack/reply';
import type { Caller } from '../caller';

/** What a parser may look at: the configuration and where the command was typed. */
export interface ParseContext {
  readonly config: Config;
  readonly caller: Caller;
}

/** A parsed command, ready to run once permissions allow it. */
export interface PreparedCommand {
  /** The environment it acts on, or null for commands that act on none (`/help`). */
  readonly environment: EnvironmentConfig | null;
  /** Arguments worth auditing, already free of secrets (e.g. `remove SHA256:…`). */
  readonly auditArgs: string;
  /** Does the work and renders the reply. */
  run(ctx: CommandContext): Promise<Reply>;
}

/** What a running command may use. Everything that talks to the outside is passed in here. */
export interface CommandContext {
  readonly config: Config;
  readonly caller: Caller;
  /** The AWS clients for ops (commands never call an SDK directly). */
  readonly aws: AwsClients;
  /** PagerDuty, for ops that page or look up on-call (commands never call its client directly). */
  readonly pagerDuty: PagerDutyConnection;
  /** Every registered command, for `/help`. */
  readonly commands: readonly CommandModule[];
  /** Logger with the command's correlation id bound. */
  readonly logger: BotLogger;
  /** The clock (tests pin it). */
  now(): Date;
  /** True when the caller is an admin of `environment`. */
  isAdmin(environment: EnvironmentConfig): Promise<boolean>;
  /** True when the caller may approve deploys and scaling in `environment` (`permissions.approvers`). */
  isApprover(environment: EnvironmentConfig): Promise<boolean>;
  /** True when the caller may run commands governed by `permission` in `environment` (admins may run all). */
  isAllowed(environment: EnvironmentConfig, permission: CommandName): Promise<boolean>;
  /**
   * Starts a progress thread for long work: a parent message in the channel and one thread reply
   * that {@link ProgressThread.update} edits. Null where there is no channel to post in.
   */
  startProgress(title: string): Promise<ProgressThread | null>;
  /**
   * Runs work that outlives the reply (a deploy thread, a scale watch) so that a stopping bot
   * instance waits for it before it exits. `work` handles its own errors; one that escapes is logged.
   */
  runInBackground(work: () => Promise<void>): void;
  /**
   * Aborted when the bot instance must stop now (its drain deadline passed): long work (a deploy,
   * a watch) ends at once, cleanly, and says how far it got.
   */
  readonly signal: AbortSignal;
}

/** A button handled by a command module. */
export interface ActionModule {
  /** The exported `action_id` constant of the button. */
  readonly actionId: string;
  /** Handles a click; `value` is the button's value. */
  handle(value: string, ctx: ActionContext): Promise<ActionResult>;
}

/** What a button handler may use. */
export interface ActionContext {
  readonly config: Config;
  readonly caller: Caller;
  /** Runs a command as the clicking person, with the same parsing, permissions and audit. */
  runCommand(commandName: string, text: string): Promise<Reply>;
  /** The message the button is on, as Slack sent it back; null where there is none (the shell). */
  readonly message: ClickedMessage | null;
}

/** A message a button was clicked on. Its blocks are as Slack sent them: narrow them before use. */
export interface ClickedMessage {
  readonly text: string;
  readonly blocks: readonly unknown[];
}

/** What a button click answers: a reply that replaces the clicked message, or a new ephemeral one. */
export interface ActionResult {
  readonly reply: Reply;
  readonly replaceOriginal: boolean;
}

/** One slash command. */
export interface CommandModule {
  /** The slash command without the slash, e.g. `status`. */
  readonly name: string;
  /** The usage line, e.g. `/status <env>`. */
  readonly usage: string;
  /** One line for `/help`. */
  readonly summary: string;
  /** Which `permissions.commands` entry governs it; null for commands open to everyone (`/help`). */
  readonly permission: CommandName | null;
  /** Parses the text after the command; throws a `UsageError` with the usage line when it is wrong. */
  parse(text: string, ctx: ParseContext): PreparedCommand;
  /** Buttons that this command's replies carry. @default [] */
  readonly actions?: readonly ActionModule[];
}
