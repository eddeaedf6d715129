import { randomUUID } from 'node:crypto';
import type { Database } from '../db/database';
import { ErrorCode, ServiceError } from '../errors';
import {
  listNotesInput,
  type Note,
  type NotesPage,
  parseCreateNoteInput,
  parseInput,
  parseNoteIdInput,
  updateNoteInput,
} from './note';
import { notesRepository as repo } from './notes-repository';

/**
 * The notes API, once for both protocols: validates untrusted input, runs it on the right endpoint with the
 * right retry rule, and answers with a {@link Note} or a {@link ServiceError}.
 */
export class NotesService {
  /** Serves notes from `database`. */
  constructor(private readonly database: Database) {}

  /**
   * Creates a note. With an idempotency key, a repeat returns the first result and makes no duplicate, so the
   * call is retried across a failover; a repeat with a different title or body is a conflict.
   */
  async create(input: unknown): Promise<Note> {
    const { title, body, idempotencyKey } = parseCreateNoteInput(input);
    const id = randomUUID();
    if (idempotencyKey === undefined) {
      return this.database.write((client) => repo.insert(client, id, title, body), { idempotent: false });
    }
    // The key lookup must see the first create's commit, so it runs on the writer too.
    const note = await this.database.write(
      async (client) =>
        (await repo.insertWithKey(client, idempotencyKey, id, title, body)) ??
        repo.findByKey(client, idempotencyKey),
      { idempotent: true },
    );
    if (!note) throw new ServiceError(ErrorCode.Internal, 'internal error');
    if (note.title !== title || note.body !== body) {
      throw new ServiceError(
        ErrorCode.Conflict,
        'this idempotency key was already used for a different request',
      );
    }
    return note;
  }

  /**
   * Reads a note from the reader; when the reader has not got it, from the writer, so that a caller who has
   * just created a note can read it at once despite replica lag.
   */
  async get(input: unknown): Promise<Note> {
    const { id } = parseNoteIdInput(input);
    const note =
      (await this.database.read((client) => repo.find(client, id))) ??
      (await this.database.write((client) => repo.find(client, id), { idempotent: true }));
    if (!note) throw notFound(id);
    return note;
  }

  /** Lists notes newest first, a page at a time. */
  async list(input: unknown): Promise<NotesPage> {
    const { limit, cursor } = parseInput(listNotesInput, input);
    const beforeSeq = cursor === undefined ? undefined : decodeCursor(cursor);
    const page = await this.database.read((client) => repo.list(client, limit, beforeSeq));
    return {
      notes: page.notes,
      nextCursor: page.more && page.lastSeq !== undefined ? encodeCursor(page.lastSeq) : '',
    };
  }

  /**
   * Replaces a note's title and body if it is still at the given version.
   *
   * Retried across a failover: when an earlier attempt may have been applied, finding the note one version
   * on with exactly this content counts as success.
   */
  async update(input: unknown): Promise<Note> {
    const { id, title, body, version } = parseInput(updateNoteInput, input);
    return this.database.write(
      async (client, attempt) => {
        const updated = await repo.update(client, id, title, body, version);
        if (updated) return updated;
        const current = await repo.find(client, id);
        if (!current) throw notFound(id);
        if (
          attempt.mayHaveApplied &&
          current.version === version + 1 &&
          current.title === title &&
          current.body === body
        ) {
          return current;
        }
        throw new ServiceError(
          ErrorCode.Conflict,
          `version ${version} is stale: the note is at version ${current.version}; read it again and retry`,
          { field: 'version' },
        );
      },
      { idempotent: true },
    );
  }

  /**
   * Deletes a note. Retried across a failover: when an earlier attempt may have been applied, a note that is
   * already gone counts as deleted.
   */
  async delete(input: unknown): Promise<void> {
    const { id } = parseNoteIdInput(input);
    await this.database.write(
      async (client, attempt) => {
        if (!(await repo.delete(client, id)) && !attempt.mayHaveApplied) throw notFound(id);
      },
      { idempotent: true },
    );
  }
}

function notFound(id: string): ServiceError {
  return new ServiceError(ErrorCode.NotFound, `note ${id} does not exist`);
}

function encodeCursor(seq: string): string {
  return Buffer.from(seq, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const seq = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^\d{1,19}$/.test(seq)) {
    throw new ServiceError(ErrorCode.InvalidArgument, 'cursor: is not a cursor returned by this API', {
      field: 'cursor',
    });
  }
  return seq;
}
