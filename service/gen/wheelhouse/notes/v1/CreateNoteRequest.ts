// Original file: service/proto/wheelhouse/notes/v1/notes.proto


export interface CreateNoteRequest {
  'title'?: (string);
  'body'?: (string);
  /**
   * Optional. A retried create with the same key returns the first result and never makes a duplicate.
   */
  'idempotencyKey'?: (string);
}

export interface CreateNoteRequest__Output {
  'title': (string);
  'body': (string);
  /**
   * Optional. A retried create with the same key returns the first result and never makes a duplicate.
   */
  'idempotencyKey': (string);
}
