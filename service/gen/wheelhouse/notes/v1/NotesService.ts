// Original file: service/proto/wheelhouse/notes/v1/notes.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CreateNoteRequest as _wheelhouse_notes_v1_CreateNoteRequest, CreateNoteRequest__Output as _wheelhouse_notes_v1_CreateNoteRequest__Output } from '../../../wheelhouse/notes/v1/CreateNoteRequest';
import type { DeleteNoteRequest as _wheelhouse_notes_v1_DeleteNoteRequest, DeleteNoteRequest__Output as _wheelhouse_notes_v1_DeleteNoteRequest__Output } from '../../../wheelhouse/notes/v1/DeleteNoteRequest';
import type { DeleteNoteResponse as _wheelhouse_notes_v1_DeleteNoteResponse, DeleteNoteResponse__Output as _wheelhouse_notes_v1_DeleteNoteResponse__Output } from '../../../wheelhouse/notes/v1/DeleteNoteResponse';
import type { GetNoteRequest as _wheelhouse_notes_v1_GetNoteRequest, GetNoteRequest__Output as _wheelhouse_notes_v1_GetNoteRequest__Output } from '../../../wheelhouse/notes/v1/GetNoteRequest';
import type { ListNotesRequest as _wheelhouse_notes_v1_ListNotesRequest, ListNotesRequest__Output as _wheelhouse_notes_v1_ListNotesRequest__Output } from '../../../wheelhouse/notes/v1/ListNotesRequest';
import type { ListNotesResponse as _wheelhouse_notes_v1_ListNotesResponse, ListNotesResponse__Output as _wheelhouse_notes_v1_ListNotesResponse__Output } from '../../../wheelhouse/notes/v1/ListNotesResponse';
import type { Note as _wheelhouse_notes_v1_Note, Note__Output as _wheelhouse_notes_v1_Note__Output } from '../../../wheelhouse/notes/v1/Note';
import type { UpdateNoteRequest as _wheelhouse_notes_v1_UpdateNoteRequest, UpdateNoteRequest__Output as _wheelhouse_notes_v1_UpdateNoteRequest__Output } from '../../../wheelhouse/notes/v1/UpdateNoteRequest';

export interface NotesServiceClient extends grpc.Client {
  CreateNote(argument: _wheelhouse_notes_v1_CreateNoteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wheelhouse_notes_v1_Note__Output>): grpc.ClientUnaryCall;
  CreateNote(argument: _wheelhouse_notes_v1_CreateNoteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wheelhouse_notes_v1_Note__Output>): grpc.ClientUnaryCall;
  CreateNote(argument: _wheelhouse_notes_v1_CreateNoteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wheelhouse_notes_v1_Note__Output>): grpc.ClientUnaryCall;
  CreateNote(argument: _wheelhouse_notes_v1_CreateNoteRequest, callback: grpc.requestCallback<_wheelhouse_notes_v1_Note__Output>): grpc.ClientUnaryCall;
  createNote(argument: _wheelhouse_notes_v1_CreateNoteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wheelhouse_notes_v1_Note__Output>): grpc.ClientUnaryCall;
  createNote(argument: _wheelhouse_notes_v1_CreateNoteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wheelhouse_notes_v1_Note__Output>): grpc.ClientUnaryCall;
  createNote(argument: _wheelhouse_notes_v1_CreateNoteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wheelhouse_notes_v1_Note__Output>): grpc.ClientUnaryCall;
  createNote(argument: _wheelhouse_notes_v1_CreateNoteRequest, callback: grpc.requestCallback<_wheelhouse_notes_v1_Note__Output>): grpc.ClientUnaryCall;
  
  DeleteNote(argument: _wheelhouse_notes_v1_DeleteNoteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wheelhouse_notes_v1_DeleteNoteResponse__Output>): grpc.ClientUnaryCall;
  DeleteNote(argument: _wheelhouse_notes_v1_DeleteNoteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wheelhouse_notes_v1_DeleteNoteResponse__Output>): grpc.ClientUnaryCall;
  DeleteNote(argument: _wheelhouse_notes_v1_DeleteNoteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wheelhouse_notes_v1_DeleteNoteResponse__Output>): grpc.ClientUnaryCall;
  DeleteNote(argument: _wheelhouse_notes_v1_DeleteNoteRequest, callback: grpc.requestCallback<_wheelhouse_notes_v1_DeleteNoteResponse__Output>): grpc.ClientUnaryCall;
  deleteNote(argument: _wheelhouse_notes_v1_DeleteNoteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wheelhouse_notes_v1_DeleteNoteResponse__Output>): grpc.ClientUnaryCall;
  deleteNote(argument: _wheelhouse_notes_v1_DeleteNoteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wheelhouse_notes_v1_DeleteNoteResponse__Output>): grpc.ClientUnaryCall;
  deleteNote(argument: _wheelhouse_notes_v1_DeleteNoteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wheelhouse_notes_v1_DeleteNoteResponse__Output>): grpc.ClientUnaryCall;
  deleteNote(argument: _wheelhouse_notes_v1_DeleteNoteRequest, callback: grpc.requestCallback<_wheelhouse_notes_v1_DeleteNoteResponse__Output>): grpc.ClientUnaryCall;
  
  GetNote(argument: _wheelhouse_notes_v1_GetNoteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wheelhouse_notes_v1_Note__Output>): grpc.ClientUnaryCall;
  GetNote(argument: _wheelhouse_notes_v1_GetNoteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wheelhouse_notes_v1_Note__Output>): grpc.ClientUnaryCall;
  GetNote(argument: _wheelhouse_notes_v1_GetNoteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wheelhouse_notes_v1_Note__Output>): grpc.ClientUnaryCall;
  GetNote(argument: _wheelhouse_notes_v1_GetNoteRequest, callback: grpc.requestCallback<_wheelhouse_notes_v1_Note__Output>): grpc.ClientUnaryCall;
  getNote(argument: _wheelhouse_notes_v1_GetNoteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wheelhouse_notes_v1_Note__Output>): grpc.ClientUnaryCall;
  getNote(argument: _wheelhouse_notes_v1_GetNoteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wheelhouse_notes_v1_Note__Output>): grpc.ClientUnaryCall;
  getNote(argument: _wheelhouse_notes_v1_GetNoteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wheelhouse_notes_v1_Note__Output>): grpc.ClientUnaryCall;
  getNote(argument: _wheelhouse_notes_v1_GetNoteRequest, callback: grpc.requestCallback<_wheelhouse_notes_v1_Note__Output>): grpc.ClientUnaryCall;
  
  ListNotes(argument: _wheelhouse_notes_v1_ListNotesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wheelhouse_notes_v1_ListNotesResponse__Output>): grpc.ClientUnaryCall;
  ListNotes(argument: _wheelhouse_notes_v1_ListNotesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wheelhouse_notes_v1_ListNotesResponse__Output>): grpc.ClientUnaryCall;
  ListNotes(argument: _wheelhouse_notes_v1_ListNotesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wheelhouse_notes_v1_ListNotesResponse__Output>): grpc.ClientUnaryCall;
  ListNotes(argument: _wheelhouse_notes_v1_ListNotesRequest, callback: grpc.requestCallback<_wheelhouse_notes_v1_ListNotesResponse__Output>): grpc.ClientUnaryCall;
  listNotes(argument: _wheelhouse_notes_v1_ListNotesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wheelhouse_notes_v1_ListNotesResponse__Output>): grpc.ClientUnaryCall;
  listNotes(argument: _wheelhouse_notes_v1_ListNotesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wheelhouse_notes_v1_ListNotesResponse__Output>): grpc.ClientUnaryCall;
  listNotes(argument: _wheelhouse_notes_v1_ListNotesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wheelhouse_notes_v1_ListNotesResponse__Output>): grpc.ClientUnaryCall;
  listNotes(argument: _wheelhouse_notes_v1_ListNotesRequest, callback: grpc.requestCallback<_wheelhouse_notes_v1_ListNotesResponse__Output>): grpc.ClientUnaryCall;
  
  UpdateNote(argument: _wheelhouse_notes_v1_UpdateNoteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wheelhouse_notes_v1_Note__Output>): grpc.ClientUnaryCall;
  UpdateNote(argument: _wheelhouse_notes_v1_UpdateNoteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wheelhouse_notes_v1_Note__Output>): grpc.ClientUnaryCall;
  UpdateNote(argument: _wheelhouse_notes_v1_UpdateNoteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wheelhouse_notes_v1_Note__Output>): grpc.ClientUnaryCall;
  UpdateNote(argument: _wheelhouse_notes_v1_UpdateNoteRequest, callback: grpc.requestCallback<_wheelhouse_notes_v1_Note__Output>): grpc.ClientUnaryCall;
  updateNote(argument: _wheelhouse_notes_v1_UpdateNoteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wheelhouse_notes_v1_Note__Output>): grpc.ClientUnaryCall;
  updateNote(argument: _wheelhouse_notes_v1_UpdateNoteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wheelhouse_notes_v1_Note__Output>): grpc.ClientUnaryCall;
  updateNote(argument: _wheelhouse_notes_v1_UpdateNoteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wheelhouse_notes_v1_Note__Output>): grpc.ClientUnaryCall;
  updateNote(argument: _wheelhouse_notes_v1_UpdateNoteRequest, callback: grpc.requestCallback<_wheelhouse_notes_v1_Note__Output>): grpc.ClientUnaryCall;
  
}

export interface NotesServiceHandlers extends grpc.UntypedServiceImplementation {
  CreateNote: grpc.handleUnaryCall<_wheelhouse_notes_v1_CreateNoteRequest__Output, _wheelhouse_notes_v1_Note>;
  
  DeleteNote: grpc.handleUnaryCall<_wheelhouse_notes_v1_DeleteNoteRequest__Output, _wheelhouse_notes_v1_DeleteNoteResponse>;
  
  GetNote: grpc.handleUnaryCall<_wheelhouse_notes_v1_GetNoteRequest__Output, _wheelhouse_notes_v1_Note>;
  
  ListNotes: grpc.handleUnaryCall<_wheelhouse_notes_v1_ListNotesRequest__Output, _wheelhouse_notes_v1_ListNotesResponse>;
  
  UpdateNote: grpc.handleUnaryCall<_wheelhouse_notes_v1_UpdateNoteRequest__Output, _wheelhouse_notes_v1_Note>;
  
}

export interface NotesServiceDefinition extends grpc.ServiceDefinition {
  CreateNote: MethodDefinition<_wheelhouse_notes_v1_CreateNoteRequest, _wheelhouse_notes_v1_Note, _wheelhouse_notes_v1_CreateNoteRequest__Output, _wheelhouse_notes_v1_Note__Output>
  DeleteNote: MethodDefinition<_wheelhouse_notes_v1_DeleteNoteRequest, _wheelhouse_notes_v1_DeleteNoteResponse, _wheelhouse_notes_v1_DeleteNoteRequest__Output, _wheelhouse_notes_v1_DeleteNoteResponse__Output>
  GetNote: MethodDefinition<_wheelhouse_notes_v1_GetNoteRequest, _wheelhouse_notes_v1_Note, _wheelhouse_notes_v1_GetNoteRequest__Output, _wheelhouse_notes_v1_Note__Output>
  ListNotes: MethodDefinition<_wheelhouse_notes_v1_ListNotesRequest, _wheelhouse_notes_v1_ListNotesResponse, _wheelhouse_notes_v1_ListNotesRequest__Output, _wheelhouse_notes_v1_ListNotesResponse__Output>
  UpdateNote: MethodDefinition<_wheelhouse_notes_v1_UpdateNoteRequest, _wheelhouse_notes_v1_Note, _wheelhouse_notes_v1_UpdateNoteRequest__Output, _wheelhouse_notes_v1_Note__Output>
}
