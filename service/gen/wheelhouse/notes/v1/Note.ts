// Original file: service/proto/wheelhouse/notes/v1/notes.proto


/**
 * A note as stored. `version` starts at 1 and grows by one on every update.
 */
export interface Note {
  'id'?: (string);
  'title'?: (string);
  'body'?: (string);
  'version'?: (number);
  /**
   * RFC 3339 timestamps, as in the HTTP API.
   */
  'createdAt'?: (string);
  'updatedAt'?: (string);
}

/**
 * A note as stored. `version` starts at 1 and grows by one on every update.
 */
export interface Note__Output {
  'id': (string);
  'title': (string);
  'body': (string);
  'version': (number);
  /**
   * RFC 3339 timestamps, as in the HTTP API.
   */
  'createdAt': (string);
  'updatedAt': (string);
}
