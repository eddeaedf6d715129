import { status } from '@grpc/grpc-js';
import { ERROR_MAPPINGS, ErrorCode, ServiceError } from '../../service/errors';

describe('the error table', () => {
  it.each([
    [ErrorCode.InvalidArgument, 400, status.INVALID_ARGUMENT],
    [ErrorCode.NotFound, 404, status.NOT_FOUND],
    [ErrorCode.Conflict, 409, status.ABORTED],
    [ErrorCode.PayloadTooLarge, 413, status.RESOURCE_EXHAUSTED],
    [ErrorCode.Unavailable, 503, status.UNAVAILABLE],
    [ErrorCode.Internal, 500, status.INTERNAL],
  ])('maps %s to HTTP %i and gRPC %i', (code, http, grpc) => {
    expect(ERROR_MAPPINGS[code]).toEqual({ http, grpc });
  });
});

describe('ServiceError.from', () => {
  it('hides an unknown error behind a generic internal error, keeping it as the cause', () => {
    const cause = new Error('password authentication failed for user "app" at 10.0.0.12');
    const error = ServiceError.from(cause);
    expect(error.code).toBe(ErrorCode.Internal);
    expect(error.message).toBe('internal error');
    expect(error.cause).toBe(cause);
    expect(JSON.stringify(error.toBody('r1'))).not.toContain('10.0.0.12');
  });

  it('keeps the meaning of framework client errors', () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), { statusCode: 413 });
    const badJson = Object.assign(new Error('Body is not valid JSON'), { statusCode: 400 });
    expect(ServiceError.from(tooLarge).code).toBe(ErrorCode.PayloadTooLarge);
    expect(ServiceError.from(badJson).code).toBe(ErrorCode.InvalidArgument);
  });

  it('passes a ServiceError through unchanged', () => {
    const error = new ServiceError(ErrorCode.NotFound, 'gone');
    expect(ServiceError.from(error)).toBe(error);
  });
});
