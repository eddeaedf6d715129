/**
 * Stand-ins for the service behind its load balancer: an HTTP server answering `/healthz` and a gRPC
 * server with the standard health service, on local ports, whose health a test switches.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';

/** Running health servers. */
export interface LbHealthServers {
  /** For the stack output HttpEndpoint: `http://127.0.0.1:<port>`. */
  readonly httpEndpoint: string;
  /** For the stack output GrpcEndpoint: `127.0.0.1:<port>`. */
  readonly grpcEndpoint: string;
  /** Makes both checks pass (true) or fail (false). */
  setHealthy(healthy: boolean): void;
  close(): Promise<void>;
}

/** Starts both servers, healthy. */
export async function startLbHealthServers(): Promise<LbHealthServers> {
  let healthy = true;
  const http = createServer((req, res) => {
    res.statusCode = req.url === '/healthz' ? (healthy ? 200 : 503) : 404;
    res.end(healthy ? 'ok' : 'unhealthy');
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const health = new HealthImplementation({ '': 'SERVING' });
  const server = new grpc.Server();
  health.addToServer(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  );
  return {
    httpEndpoint: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    grpcEndpoint: `127.0.0.1:${port}`,
    setHealthy(value) {
      healthy = value;
      health.setStatus('', value ? 'SERVING' : 'NOT_SERVING');
    },
    async close() {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      server.forceShutdown();
    },
  };
}
