import type { IncomingMessage } from 'node:http';
import { ErrorCode, ServiceError } from '../errors';

/** Whether a Content-Type header names JSON: `application/json`, any case, with or without parameters. */
function isJson(contentType: string): boolean {
  if (contentType === 'application/json') return true;
  const semicolon = contentType.indexOf(';');
  const essence = semicolon === -1 ? contentType : contentType.slice(0, semicolon);
  return essence.trim().toLowerCase() === 'application/json';
}

function tooLarge(maxBytes: number): ServiceError {
  return new ServiceError(
    ErrorCode.PayloadTooLarge,
    `request body is too large: at most ${maxBytes} bytes are accepted`,
  );
}

function invalid(message: string, cause?: unknown): ServiceError {
  return new ServiceError(ErrorCode.InvalidArgument, message, { cause });
}

/**
 * Reads and parses the JSON body of `request`; `undefined` when it has none (no Content-Type, no
 * Content-Length or `0`, no Transfer-Encoding).
 *
 * The body is gathered as raw buffers and decoded once at the end, so that a character split across two
 * chunks stays whole; a byte-order mark is dropped. It is plain `JSON.parse`: callers validate the result
 * with zod, which keeps only the known fields, so a `__proto__` key goes nowhere.
 *
 * @throws ServiceError PAYLOAD_TOO_LARGE for a body over `maxBytes` (announced by Content-Length or counted as
 *   it arrives; the rest of it is then read and dropped by node:http, so that the connection stays usable);
 *   INVALID_ARGUMENT for another content type, an empty body, malformed JSON or a body that broke off
 */
export function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const headers = request.headers;
  const contentType = headers['content-type'];
  const contentLength = headers['content-length'];
  if (
    contentType === undefined &&
    headers['transfer-encoding'] === undefined &&
    (contentLength === undefined || contentLength === '0')
  ) {
    return Promise.resolve(undefined);
  }
  if (contentType === undefined || !isJson(contentType)) {
    return Promise.reject(
      invalid(
        `the request body must be JSON, sent with Content-Type: application/json${
          contentType === undefined ? '' : ` (got ${JSON.stringify(contentType.slice(0, 100))})`
        }`,
      ),
    );
  }
  if (contentLength !== undefined && Number(contentLength) > maxBytes) {
    return Promise.reject(tooLarge(maxBytes));
  }
  // Inline listeners, none removed: a body over the limit is rejected once and its further chunks dropped
  // (the stream keeps flowing, so node:http reads the rest), which keeps the common case to three listeners.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    request.on('data', (chunk: Buffer) => {
      if (received > maxBytes) return;
      received += chunk.length;
      if (received > maxBytes) reject(tooLarge(maxBytes));
      else chunks.push(chunk);
    });
    request.on('end', () => {
      if (received > maxBytes) return;
      let text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text.length === 0) {
        reject(invalid('the request body is empty: send a JSON object'));
        return;
      }
      try {
        resolve(JSON.parse(text));
      } catch (error) {
        reject(invalid('the request body is not valid JSON', error));
      }
    });
    request.on('error', (error: unknown) =>
      reject(invalid('the request body could not be read to its end', error)),
    );
  });
}
