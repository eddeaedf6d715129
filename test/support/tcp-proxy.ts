import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A local TCP endpoint whose target can be moved, standing for a DNS name such as Aurora's writer endpoint.
 *
 * Moving it (or {@link dropConnections}) cuts every open connection, as a failover does to connections to
 * the old node; new connections go to the new target.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private targetPort: number,
  ) {}

  /** Starts a proxy on a free port of 127.0.0.1 that forwards to `targetPort`. */
  static async start(targetPort: number): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server, targetPort);
    server.on('connection', (client) => proxy.forward(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** The port clients connect to. */
  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  /** Sends new connections to `targetPort` and cuts the open ones. */
  moveTo(targetPort: number): void {
    this.targetPort = targetPort;
    this.dropConnections();
  }

  /** Cuts every open connection (both sides see a reset). */
  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  /** Stops listening and cuts every connection. */
  async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private forward(client: Socket): void {
    const upstream = createConnection({ host: '127.0.0.1', port: this.targetPort });
    this.sockets.add(client);
    this.sockets.add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
