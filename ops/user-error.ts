/**
 * An error a person should read: bad arguments, not allowed, nothing to act on, missing credentials.
 *
 * The dispatcher turns it into an ephemeral reply with {@link UserError.message} and, when set, the
 * {@link UserError.hint} that says what to do next. Every other error is internal: logged with a
 * correlation id and answered with a short generic reply.
 */
export class UserError extends Error {
  override readonly name: string = 'UserError';

  constructor(
    message: string,
    /** What to do about it, e.g. the usage line or who to ask. */
    readonly hint?: string,
    /** How the audit log classifies it. @default 'rejected' */
    readonly outcome: UserErrorOutcome = 'rejected',
  ) {
    super(message);
  }
}

/** Audit outcome of a {@link UserError}: a usage mistake, a refusal by permissions, or any other rejection. */
export type UserErrorOutcome = 'usage' | 'refused' | 'rejected';

/** A usage mistake: unknown subcommand or bad argument; the hint is the usage line. */
export class UsageError extends UserError {
  override readonly name = 'UsageError';

  constructor(message: string, usage: string) {
    super(message, `Usage: \`${usage}\``, 'usage');
  }
}

/** Not allowed: wrong channel or not in the people sets that may run it; the hint says who can. */
export class RefusalError extends UserError {
  override readonly name = 'RefusalError';

  constructor(message: string, hint: string) {
    super(message, hint, 'refused');
  }
}

/**
 * The bot instance is stopping (a redeploy of the bot, Fargate maintenance): it runs nothing new.
 * Slack sends the next command to another instance, so trying again is the fix.
 */
export class RestartingError extends UserError {
  override readonly name = 'RestartingError';

  constructor(what: string) {
    super(
      `This bot instance is restarting, so it did not run ${what}.`,
      'Try again in a few seconds: another instance will answer.',
    );
  }
}
