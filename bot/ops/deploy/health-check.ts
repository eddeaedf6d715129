/**
 * Checks the service through its load balancer after a rollout: HTTP `GET /healthz` on the stack's
 * `HttpEndpoint` and the standard gRPC health check (`grpc.health.v1.Health/Check`) on `GrpcEndpoint`.
 */
import type { DeployEvent } from './deploy-events';

/** Deadline of each check. */
const TIMEOUT_MS = 5_000;

/** One check's result, as a `health` event. */
export type HealthResult = Extract<DeployEvent, { type: 'health' }>;

/** `GET <endpoint>/healthz` must answer 200. */
export async function checkHttpHealth(endpoint: string): Promise<HealthResult> {
  const url = `${endpoint.replace(/\/+$/, '')}/healthz`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    await response.body?.cancel();
    return {
      type: 'health',
      protocol: 'http',
      ok: response.status === 200,
      detail: `GET ${url}: ${response.status}`,
    };
  } catch (error) {
    return { type: 'health', protocol: 'http', ok: false, detail: `GET ${url}: ${describe(error)}` };
  }
}

/** `grpc.health.v1.Health/Check` (the whole server) must answer SERVING; TLS when `tls` (a custom domain). */
export async function checkGrpcHealth(endpoint: string, tls: boolean): Promise<HealthResult> {
  const grpc = await import('@grpc/grpc-js');
  const { service } = await import('grpc-health-check');
  const Client = grpc.makeGenericClientConstructor(service, 'Health');
  const client = new Client(endpoint, tls ? grpc.credentials.createSsl() : grpc.credentials.createInsecure());
  try {
    const status = await new Promise<string>((resolve, reject) => {
      (
        client as unknown as {
          check(
            request: { service: string },
            options: { deadline: Date },
            callback: (error: Error | null, response?: { status?: string | number }) => void,
          ): void;
        }
      ).check({ service: '' }, { deadline: new Date(Date.now() + TIMEOUT_MS) }, (error, response) =>
        error ? reject(error) : resolve(String(response?.status ?? 'UNKNOWN')),
      );
    });
    return {
      type: 'health',
      protocol: 'grpc',
      ok: status === 'SERVING' || status === '1',
      detail: `grpc.health.v1.Health/Check ${endpoint}: ${status === '1' ? 'SERVING' : status}`,
    };
  } catch (error) {
    return {
      type: 'health',
      protocol: 'grpc',
      ok: false,
      detail: `grpc.health.v1.Health/Check ${endpoint}: ${describe(error)}`,
    };
  } finally {
    client.close();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 200) : String(error);
}
