import { z } from 'zod';
import { ErrorCode, ServiceError } from '../errors';

/** A note as the API returns it, on both protocols. */
export interface Note {
  readonly id: string;
  readonly title: string;
  readonly body: string;
  /** 1 when created, one more on each update; an update must name the version it read. */
  readonly version: number;
  /** RFC 3339. */
  readonly createdAt: string;
  /** RFC 3339. */
  readonly updatedAt: string;
}

/** One page of notes, newest first. */
export interface NotesPage {
  readonly notes: readonly Note[];
  /** Pass as `cursor` for the next page; empty on the last page. */
  readonly nextCursor: string;
}

/** Longest title accepted, in characters. */
export const MAX_TITLE_LENGTH = 200;
/** Longest body accepted, in characters. */
export const MAX_BODY_LENGTH = 10_000;
/** Longest idempotency key accepted. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;
/** Page size when none is asked for. */
export const DEFAULT_PAGE_SIZE = 20;
/** Largest page size. */
export const MAX_PAGE_SIZE = 100;

const title = z
  .string({ error: 'must be a string' })
  .max(MAX_TITLE_LENGTH)
  .refine((value) => value.trim() !== '', 'must not be blank');
const body = z.string({ error: 'must be a string' }).max(MAX_BODY_LENGTH).default('');
const id = z.uuid({ error: 'must be a UUID' });
// gRPC sends '' for an absent string and 0 for an absent number; both mean "not given".
const absentIfEmpty = (value: unknown) => (value === '' || value === 0 || value === null ? undefined : value);

/** Input of a create. */
export const createNoteInput = z.object({
  title,
  body,
  idempotencyKey: z.preprocess(
    absentIfEmpty,
    z.string({ error: 'must be a string' }).max(MAX_IDEMPOTENCY_KEY_LENGTH).optional(),
  ),
});

/** Input of a get or a delete. */
export const noteIdInput = z.object({ id });

/** Input of an update: the whole note, and the version it was read at. */
export const updateNoteInput = z.object({
  id,
  title,
  body,
  version: z.number({ error: 'must be an integer' }).int('must be an integer').min(1, 'must be >= 1'),
});

/** Input of a list; `limit` may come as a query string. */
export const listNotesInput = z.object({
  limit: z.preprocess(
    (value) => absentIfEmpty(typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value),
    z
      .number({ error: 'must be an integer' })
      .int('must be an integer')
      .min(1, 'must be >= 1')
      .max(MAX_PAGE_SIZE, `must be <= ${MAX_PAGE_SIZE}`)
      .default(DEFAULT_PAGE_SIZE),
  ),
  cursor: z.preprocess(
    absentIfEmpty,
    z
      .string({ error: 'must be a string' })
      .regex(/^[A-Za-z0-9_-]{1,40}$/, 'is not a cursor returned by this API')
      .optional(),
  ),
});

/**
 * Validates untrusted input against a schema.
 *
 * @throws ServiceError INVALID_ARGUMENT naming the first bad field
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.map(String).join('.') ?? '';
  if (field === '') {
    throw new ServiceError(ErrorCode.InvalidArgument, 'the request must be a JSON object');
  }
  throw new ServiceError(ErrorCode.InvalidArgument, `${field}: ${issue?.message ?? 'is invalid'}`, { field });
}

const UUID = z.regexes.uuid();

/**
 * {@link parseInput} of {@link createNoteInput}, with a fast path: input that plainly passes (a title, maybe
 * a body and a key, all strings within bounds) is taken as is; anything else goes through the schema, which
 * alone decides on errors. Same result as the schema either way.
 */
export function parseCreateNoteInput(input: unknown): z.output<typeof createNoteInput> {
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const { title, body, idempotencyKey } = input as Record<string, unknown>;
    if (
      typeof title === 'string' &&
      title.length <= MAX_TITLE_LENGTH &&
      title.trim() !== '' &&
      (body === undefined || (typeof body === 'string' && body.length <= MAX_BODY_LENGTH)) &&
      (idempotencyKey === undefined ||
        idempotencyKey === '' ||
        idempotencyKey === null ||
        (typeof idempotencyKey === 'string' && idempotencyKey.length <= MAX_IDEMPOTENCY_KEY_LENGTH))
    ) {
      return {
        title,
        body: body ?? '',
        idempotencyKey: idempotencyKey === '' || idempotencyKey === null ? undefined : idempotencyKey,
      };
    }
  }
  return parseInput(createNoteInput, input);
}

/** {@link parseInput} of {@link noteIdInput}, with a fast path for a valid id (see {@link parseCreateNoteInput}). */
export function parseNoteIdInput(input: unknown): z.output<typeof noteIdInput> {
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const { id } = input as Record<string, unknown>;
    if (typeof id === 'string' && UUID.test(id)) return { id };
  }
  return parseInput(noteIdInput, input);
}
