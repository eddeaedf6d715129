/** Turns the AWS errors that a person can act on into {@link UserError}s; everything else stays internal. */

import { isMissingCredentials } from './aws-clients';
import { UserError } from './user-error';

/** Thrown by read-only ops when no AWS credentials are found. */
export class MissingCredentialsError extends UserError {
  override readonly name = 'MissingCredentialsError';

  constructor(what: string) {
    super(
      `AWS credentials are missing: cannot ${what}.`,
      'Set AWS_PROFILE (after `aws sso login`) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for the bot, or run it with an IAM role.',
    );
  }
}

/** Runs `call`, translating missing credentials, access denied and missing stacks into person-facing errors. */
export async function withAwsErrors<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof UserError) throw error;
    if (isMissingCredentials(error)) throw new MissingCredentialsError(what);
    if (error instanceof Error) {
      if (error.name === 'AccessDeniedException' || error.name === 'AccessDenied') {
        throw new UserError(
          `AWS denied access: cannot ${what}.`,
          "The bot's IAM role lacks a permission; the platform team can grant it (the log has the denied action).",
        );
      }
      if (error.name === 'ExpiredTokenException' || error.name === 'ExpiredToken') {
        throw new UserError(
          `The bot's AWS session has expired: cannot ${what}.`,
          'Renew its credentials (aws sso login) and retry.',
        );
      }
    }
    throw error;
  }
}
