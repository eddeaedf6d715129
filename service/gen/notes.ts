import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { CreateNoteRequest as _wheelhouse_notes_v1_CreateNoteRequest, CreateNoteRequest__Output as _wheelhouse_notes_v1_CreateNoteRequest__Output } from './wheelhouse/notes/v1/CreateNoteRequest';
import type { DeleteNoteRequest as _wheelhouse_notes_v1_DeleteNoteRequest, DeleteNoteRequest__Output as _wheelhouse_notes_v1_DeleteNoteRequest__Output } from './wheelhouse/notes/v1/DeleteNoteRequest';
import type { DeleteNoteResponse as _wheelhouse_notes_v1_DeleteNoteResponse, DeleteNoteResponse__Output as _wheelhouse_notes_v1_DeleteNoteResponse__Output } from './wheelhouse/notes/v1/DeleteNoteResponse';
import type { GetNoteRequest as _wheelhouse_notes_v1_GetNoteRequest, GetNoteRequest__Output as _wheelhouse_notes_v1_GetNoteRequest__Output } from './wheelhouse/notes/v1/GetNoteRequest';
import type { ListNotesRequest as _wheelhouse_notes_v1_ListNotesRequest, ListNotesRequest__Output as _wheelhouse_notes_v1_ListNotesRequest__Output } from './wheelhouse/notes/v1/ListNotesRequest';
import type { ListNotesResponse as _wheelhouse_notes_v1_ListNotesResponse, ListNotesResponse__Output as _wheelhouse_notes_v1_ListNotesResponse__Output } from './wheelhouse/notes/v1/ListNotesResponse';
import type { Note as _wheelhouse_notes_v1_Note, Note__Output as _wheelhouse_notes_v1_Note__Output } from './wheelhouse/notes/v1/Note';
import type { NotesServiceClient as _wheelhouse_notes_v1_NotesServiceClient, NotesServiceDefinition as _wheelhouse_notes_v1_NotesServiceDefinition } from './wheelhouse/notes/v1/NotesService';
import type { UpdateNoteRequest as _wheelhouse_notes_v1_UpdateNoteRequest, UpdateNoteRequest__Output as _wheelhouse_notes_v1_UpdateNoteRequest__Output } from './wheelhouse/notes/v1/UpdateNoteRequest';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  wheelhouse: {
    notes: {
      v1: {
        CreateNoteRequest: MessageTypeDefinition<_wheelhouse_notes_v1_CreateNoteRequest, _wheelhouse_notes_v1_CreateNoteRequest__Output>
        DeleteNoteRequest: MessageTypeDefinition<_wheelhouse_notes_v1_DeleteNoteRequest, _wheelhouse_notes_v1_DeleteNoteRequest__Output>
        DeleteNoteResponse: MessageTypeDefinition<_wheelhouse_notes_v1_DeleteNoteResponse, _wheelhouse_notes_v1_DeleteNoteResponse__Output>
        GetNoteRequest: MessageTypeDefinition<_wheelhouse_notes_v1_GetNoteRequest, _wheelhouse_notes_v1_GetNoteRequest__Output>
        ListNotesRequest: MessageTypeDefinition<_wheelhouse_notes_v1_ListNotesRequest, _wheelhouse_notes_v1_ListNotesRequest__Output>
        ListNotesResponse: MessageTypeDefinition<_wheelhouse_notes_v1_ListNotesResponse, _wheelhouse_notes_v1_ListNotesResponse__Output>
        Note: MessageTypeDefinition<_wheelhouse_notes_v1_Note, _wheelhouse_notes_v1_Note__Output>
        NotesService: SubtypeConstructor<typeof grpc.Client, _wheelhouse_notes_v1_NotesServiceClient> & { service: _wheelhouse_notes_v1_NotesServiceDefinition }
        UpdateNoteRequest: MessageTypeDefinition<_wheelhouse_notes_v1_UpdateNoteRequest, _wheelhouse_notes_v1_UpdateNoteRequest__Output>
      }
    }
  }
}

