/**
 * A local stand-in for Slack's Socket Mode: answers `apps.connections.open` on the Web API recorder
 * with a WebSocket URL on this machine, says `hello` to the bot that connects, delivers envelopes
 * (slash commands, interactions) and collects the bot's acks, as Slack's Socket Mode does.
 */
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import type { SlackApiRecorder } from './slack-api-recorder';

/** One ack the bot sent back for an envelope. */
export interface SocketAck {
  readonly envelope_id: string;
  readonly payload?: Record<string, unknown>;
}

/** The Socket Mode stand-in. */
export interface SocketModeServer {
  /** Resolves once a bot is connected and greeted. */
  connected(): Promise<void>;
  /** True while a bot's connection is open. */
  readonly isConnected: boolean;
  /** Resolves once the bot's connection has closed (the bot disconnected). */
  disconnected(): Promise<void>;
  /** Delivers a slash command and resolves with the bot's ack. */
  slashCommand(payload: Record<string, unknown>): Promise<SocketAck>;
  close(): Promise<void>;
}

/** Starts the server and makes `recorder` hand out its URL from `apps.connections.open`. */
export async function startSocketModeServer(recorder: SlackApiRecorder): Promise<SocketModeServer> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/link`;
  recorder.answer('apps.connections.open', () => ({ ok: true, url }));
  let socket: WebSocket | null = null;
  let onConnected: () => void = () => {};
  const connected = new Promise<void>((resolve) => (onConnected = resolve));
  let onDisconnected: () => void = () => {};
  const disconnected = new Promise<void>((resolve) => (onDisconnected = resolve));
  const waiting = new Map<string, (ack: SocketAck) => void>();
  let envelopes = 0;

  server.on('connection', (ws) => {
    socket = ws;
    ws.once('close', () => {
      if (socket === ws) socket = null;
      onDisconnected();
    });
    ws.on('message', (data) => {
      const ack = JSON.parse(data.toString()) as SocketAck;
      waiting.get(ack.envelope_id)?.(ack);
      waiting.delete(ack.envelope_id);
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: 1,
        debug_info: { host: 'local', approximate_connection_time: 3600 },
        connection_info: { app_id: 'A0TEST0001' },
      }),
    );
    onConnected();
  });

  return {
    connected: () => connected,
    get isConnected() {
      return socket !== null;
    },
    disconnected: () => disconnected,
    slashCommand(payload) {
      if (!socket) throw new Error('no bot is connected');
      const envelope_id = `env-${++envelopes}`;
      const acked = new Promise<SocketAck>((resolve) => waiting.set(envelope_id, resolve));
      socket.send(
        JSON.stringify({ envelope_id, type: 'slash_commands', accepts_response_payload: true, payload }),
      );
      return acked;
    },
    async close() {
      // Answer the bot's close handshake rather than cutting the connection: a bot left waiting for it
      // keeps a 30 s timer alive (and jest with it).
      await Promise.all(
        [...server.clients].map(
          (client) =>
            new Promise<void>((resolve) => {
              if (client.readyState === client.CLOSED) return resolve();
              const cut = setTimeout(() => client.terminate(), 1000);
              client.once('close', () => {
                clearTimeout(cut);
                resolve();
              });
              client.close(1000);
            }),
        ),
      );
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
