// Original file: service/proto/wheelhouse/notes/v1/notes.proto

import type { Note as _wheelhouse_notes_v1_Note, Note__Output as _wheelhouse_notes_v1_Note__Output } from '../../../wheelhouse/notes/v1/Note';

export interface ListNotesResponse {
  'notes'?: (_wheelhouse_notes_v1_Note)[];
  /**
   * Empty on the last page.
   */
  'nextCursor'?: (string);
}

export interface ListNotesResponse__Output {
  'notes': (_wheelhouse_notes_v1_Note__Output)[];
  /**
   * Empty on the last page.
   */
  'nextCursor': (string);
}
