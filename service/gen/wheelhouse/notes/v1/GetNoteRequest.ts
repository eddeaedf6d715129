// Original file: service/proto/wheelhouse/notes/v1/notes.proto


export interface GetNoteRequest {
  'id'?: (string);
}

export interface GetNoteRequest__Output {
  'id': (string);
}
