import { status as GrpcStatus } from '@grpc/grpc-js';

/** The fixed set of error codes that callers see, the same on HTTP and gRPC. */
export enum ErrorCode {
  /** The request is malformed or a field is invalid; `field` says which. */
  InvalidArgument = 'invalid_argument',
  /** No note with that id. */
  NotFound = 'not_found',
  /** A stale version, or an idempotency key reused for a different request. */
  Conflict = 'conflict',
  /** The request body or message is larger than the service accepts. */
  PayloadTooLarge = 'payload_too_large',
  /** The database cannot be reached (or the service is shutting down); retry later. */
  Unavailable = 'unavailable',
  /** Anything else; details are logged, never sent. */
  Internal = 'internal',
}

/** How one {@link ErrorCode} appears on each protocol. */
export interface ErrorMapping {
  /** HTTP status code. */
  readonly http: number;
  /** gRPC status code. */
  readonly grpc: GrpcStatus;
}

/** The one table from error code to HTTP status and gRPC status. */
export const ERROR_MAPPINGS: Readonly<Record<ErrorCode, ErrorMapping>> = {
  [ErrorCode.InvalidArgument]: { http: 400, grpc: GrpcStatus.INVALID_ARGUMENT },
  [ErrorCode.NotFound]: { http: 404, grpc: GrpcStatus.NOT_FOUND },
  [ErrorCode.Conflict]: { http: 409, grpc: GrpcStatus.ABORTED },
  [ErrorCode.PayloadTooLarge]: { http: 413, grpc: GrpcStatus.RESOURCE_EXHAUSTED },
  [ErrorCode.Unavailable]: { http: 503, grpc: GrpcStatus.UNAVAILABLE },
  [ErrorCode.Internal]: { http: 500, grpc: GrpcStatus.INTERNAL },
};

/** The JSON body of an HTTP error response. */
export interface ErrorBody {
  readonly error: {
    readonly code: ErrorCode;
    readonly message: string;
    readonly field?: string;
    readonly requestId: string;
  };
}

/**
 * The one error type of the service: a code from {@link ErrorCode}, a message safe to show the caller,
 * the offending field for invalid input, and the cause (logged, never sent).
 */
export class ServiceError extends Error {
  /** What went wrong, as the caller sees it. */
  readonly code: ErrorCode;
  /** For {@link ErrorCode.InvalidArgument}: the request field at fault, e.g. `title`. */
  readonly field: string | undefined;

  /** Makes an error; `message` goes to the caller, `cause` only to the logs. */
  constructor(code: ErrorCode, message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ServiceError';
    this.code = code;
    this.field = options.field;
  }

  /** The HTTP status and gRPC status of this error. */
  get mapping(): ErrorMapping {
    return ERROR_MAPPINGS[this.code];
  }

  /** The body of an HTTP error response. */
  toBody(requestId: string): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.field === undefined ? {} : { field: this.field }),
        requestId,
      },
    };
  }

  /**
   * Converts anything thrown into a ServiceError: the one place where unknown errors are converted.
   *
   * Client errors raised by the HTTP framework (bad JSON, body too large) keep their meaning; every other
   * error becomes {@link ErrorCode.Internal} with a generic message and the original as `cause`.
   */
  static from(error: unknown): ServiceError {
    if (error instanceof ServiceError) return error;
    const statusCode = httpStatusOf(error);
    if (statusCode === 413) {
      return new ServiceError(ErrorCode.PayloadTooLarge, 'request body is too large', { cause: error });
    }
    if (statusCode !== undefined && statusCode >= 400 && statusCode < 500 && error instanceof Error) {
      return new ServiceError(ErrorCode.InvalidArgument, `invalid request: ${error.message}`, {
        cause: error,
      });
    }
    return new ServiceError(ErrorCode.Internal, 'internal error', { cause: error });
  }
}

function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('statusCode' in error)) return undefined;
  return typeof error.statusCode === 'number' ? error.statusCode : undefined;
}
