// Original file: service/proto/wheelhouse/notes/v1/notes.proto


export interface ListNotesRequest {
  /**
   * 1..100; 0 means the default (20).
   */
  'limit'?: (number);
  /**
   * The `next_cursor` of the previous page; empty for the first page.
   */
  'cursor'?: (string);
}

export interface ListNotesRequest__Output {
  /**
   * 1..100; 0 means the default (20).
   */
  'limit': (number);
  /**
   * The `next_cursor` of the previous page; empty for the first page.
   */
  'cursor': (string);
}
