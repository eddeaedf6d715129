// Original file: service/proto/wheelhouse/notes/v1/notes.proto


export interface DeleteNoteResponse {
}

export interface DeleteNoteResponse__Output {
}
