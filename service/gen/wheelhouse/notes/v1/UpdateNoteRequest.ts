// Original file: service/proto/wheelhouse/notes/v1/notes.proto


export interface UpdateNoteRequest {
  'id'?: (string);
  'title'?: (string);
  'body'?: (string);
  /**
   * The version read earlier; a stale version is ABORTED (HTTP 409).
   */
  'version'?: (number);
}

export interface UpdateNoteRequest__Output {
  'id': (string);
  'title': (string);
  'body': (string);
  /**
   * The version read earlier; a stale version is ABORTED (HTTP 409).
   */
  'version': (number);
}
