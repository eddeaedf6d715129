import { type ClientBase, Query, type QueryResult } from 'pg';
import type { Note } from './note';

interface NoteRow {
  id: string;
  title: string;
  body: string;
  version: number;
  created_at: Date;
  updated_at: Date;
  seq?: string;
}

const COLUMNS = 'id, title, body, version, created_at, updated_at';

/** A statement run as a named prepared statement: see {@link runPrepared}. */
interface Prepared {
  readonly name: string;
  readonly text: string;
}

const INSERT: Prepared = {
  name: 'notes_insert',
  text: `INSERT INTO notes (id, title, body) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
};
const FIND: Prepared = { name: 'notes_find', text: `SELECT ${COLUMNS} FROM notes WHERE id = $1` };

/**
 * Runs a hot statement as a named prepared statement, so that each connection parses and plans it once (pg
 * prepares a named statement on a connection's first use of it; a new connection after a failover prepares
 * it again). Same as `client.query({ name, text, values })`, which pg however copies property by property
 * on every call, at a cost above the parse it saves; a `Query` made from the text is not copied.
 * The pool's `query_timeout` applies all the same.
 */
function runPrepared<R extends object>(
  client: ClientBase,
  statement: Prepared,
  values: unknown[],
): Promise<QueryResult<R & Record<string, unknown>>> {
  return new Promise((resolve, reject) => {
    const query = new Query<R & Record<string, unknown>>(statement.text, values, (error, result) =>
      error ? reject(error) : resolve(result as unknown as QueryResult<R & Record<string, unknown>>),
    );
    (query as { name?: string }).name = statement.name;
    client.query(query);
  });
}

function toNote(row: NoteRow): Note {
  return {
    id: row.id,
    title: row.title,
    body: row.body,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The SQL of the notes API; every statement is parameterised, one round trip where it can be. */
export const notesRepository = {
  /** Inserts a note. */
  async insert(client: ClientBase, id: string, title: string, body: string): Promise<Note> {
    const result = await runPrepared<NoteRow>(client, INSERT, [id, title, body]);
    return toNote(result.rows[0]!);
  },

  /**
   * Claims an idempotency key and inserts the note in one statement.
   *
   * @returns the new note, or `undefined` when the key was claimed before (a concurrent claim waits for the
   *   first one's commit, so at most one note is ever made per key)
   */
  async insertWithKey(
    client: ClientBase,
    key: string,
    id: string,
    title: string,
    body: string,
  ): Promise<Note | undefined> {
    const result = await client.query<NoteRow>(
      `WITH claimed AS (
         INSERT INTO idempotency_keys (key, note_id, title, body) VALUES ($1, $2, $3, $4)
         ON CONFLICT (key) DO NOTHING
         RETURNING note_id
       )
       INSERT INTO notes (id, title, body) SELECT note_id, $3, $4 FROM claimed RETURNING ${COLUMNS}`,
      [key, id, title, body],
    );
    const row = result.rows[0];
    return row ? toNote(row) : undefined;
  },

  /** The first result of the create that claimed `key`, and what it was asked to store. */
  async findByKey(client: ClientBase, key: string): Promise<Note | undefined> {
    const result = await client.query<NoteRow>(
      `SELECT note_id AS id, title, body, 1 AS version, created_at, created_at AS updated_at
         FROM idempotency_keys WHERE key = $1`,
      [key],
    );
    const row = result.rows[0];
    return row ? toNote(row) : undefined;
  },

  /** One note by id. */
  async find(client: ClientBase, id: string): Promise<Note | undefined> {
    const result = await runPrepared<NoteRow>(client, FIND, [id]);
    const row = result.rows[0];
    return row ? toNote(row) : undefined;
  },

  /** Up to `limit` notes older than `beforeSeq`, newest first, and whether more follow. */
  async list(
    client: ClientBase,
    limit: number,
    beforeSeq: string | undefined,
  ): Promise<{ notes: Note[]; lastSeq: string | undefined; more: boolean }> {
    const result = await client.query<NoteRow>(
      `SELECT ${COLUMNS}, seq FROM notes
        WHERE $1::bigint IS NULL OR seq < $1::bigint
        ORDER BY seq DESC LIMIT $2`,
      [beforeSeq ?? null, limit + 1],
    );
    const rows = result.rows.slice(0, limit);
    return { notes: rows.map(toNote), lastSeq: rows.at(-1)?.seq, more: result.rows.length > limit };
  },

  /** Updates a note if it is still at `version`. */
  async update(
    client: ClientBase,
    id: string,
    title: string,
    body: string,
    version: number,
  ): Promise<Note | undefined> {
    const result = await client.query<NoteRow>(
      `UPDATE notes SET title = $2, body = $3, version = version + 1, updated_at = now()
        WHERE id = $1 AND version = $4 RETURNING ${COLUMNS}`,
      [id, title, body, version],
    );
    const row = result.rows[0];
    return row ? toNote(row) : undefined;
  },

  /** Deletes a note; whether it existed. */
  async delete(client: ClientBase, id: string): Promise<boolean> {
    const result = await client.query('DELETE FROM notes WHERE id = $1', [id]);
    return (result.rowCount ?? 0) > 0;
  },
};
