/**
 * Why one of several independent AWS reads failed, in words a person can act on, without the error's own
 * message (it may carry account ids, ARNs or internals). Error names: the AWS common errors
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/CommonErrors.html).
 */
import { isMissingCredentials } from './aws-clients';

/** The reason shown for a failed read, and whether it is one AWS explains (else: log it, it is ours to look at). */
export interface ReadFailure {
  readonly reason: string;
  readonly expected: boolean;
}

const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'NotAuthorized',
  'UnauthorizedOperation',
  'AuthorizationError',
]);
const NOT_AVAILABLE = new Set([
  'UnknownOperationException',
  'InvalidAction',
  'NotImplemented',
  'NotImplementedException',
  'UnsupportedOperation',
  'UnsupportedOperationException',
  'UnsupportedFeatureException',
]);
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException']);
const THROTTLED = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException']);

/** Describes why `action` (an IAM action such as `ecs:ListServiceDeployments`) failed. */
export function describeReadFailure(error: unknown, action: string): ReadFailure {
  if (isMissingCredentials(error)) return { reason: 'no AWS credentials', expected: true };
  const name = error instanceof Error ? error.name : '';
  const status = httpStatusOf(error);
  if (ACCESS_DENIED.has(name)) {
    return { reason: `access denied: the bot's role lacks ${action}`, expected: true };
  }
  if (EXPIRED.has(name)) return { reason: "the bot's AWS session has expired", expected: true };
  if (NOT_AVAILABLE.has(name) || status === 501) {
    return { reason: `not available: ${action} is not offered here`, expected: true };
  }
  if (THROTTLED.has(name)) return { reason: `throttled by AWS (${action}); try again`, expected: true };
  if (status !== undefined && status >= 500) {
    return { reason: `not available right now: AWS answered ${action} with HTTP ${status}`, expected: true };
  }
  return { reason: 'failed unexpectedly', expected: false };
}

function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) return undefined;
  const metadata = (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata;
  return typeof metadata?.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
}
