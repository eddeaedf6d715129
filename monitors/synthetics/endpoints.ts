/**
 * The public endpoints that the synthetic tests call, as clients see them.
 *
 * With `domain` configured the name is known before deploy: `https://<domain>/readyz` and gRPC with
 * TLS on `<domain>:9000` (the ALB's gRPC listener). Without a domain the names are the load
 * balancers' DNS names, which exist only once the stack is deployed: they are read from the
 * stack's `HttpEndpoint` and `GrpcEndpoint` outputs at plan/apply time, and when the outputs cannot
 * be read (stack not deployed, no AWS credentials) the synthetic tests are skipped with a plan line
 * that says why, while the monitors are applied as usual.
 */
import type { EnvironmentConfig } from '../../config';

/** The gRPC listener port of the load balancers (stacks/load-balancing.ts `GRPC_LISTENER_PORT`; a test keeps them equal). */
export const GRPC_PORT = 9000;

/** The path the HTTP check calls: the service's readiness, which fails when it cannot serve. */
export const HTTP_CHECK_PATH = '/readyz';

/** Where the synthetic tests connect. */
export interface ServiceEndpoints {
  /** The URL of the HTTP check, e.g. `https://api.example.com/readyz`. */
  readonly httpUrl: string;
  readonly grpcHost: string;
  readonly grpcPort: number;
  /** Where the names came from. */
  readonly source: 'domain' | 'stack outputs';
}

/** The endpoints, or why there are none. */
export type EndpointLookup =
  | { readonly endpoints: ServiceEndpoints; readonly reason?: undefined }
  | { readonly endpoints: null; readonly reason: string };

/** Reads the `HttpEndpoint` and `GrpcEndpoint` outputs of an environment's stack (null: absent). */
export type StackEndpointReader = (
  env: EnvironmentConfig,
) => Promise<{ readonly http: string | null; readonly grpc: string | null }>;

/** The endpoints of an environment with a domain, or null when the names are known only after deploy. */
export function configuredEndpoints(env: EnvironmentConfig): ServiceEndpoints | null {
  if (!env.domain) return null;
  return {
    httpUrl: `https://${env.domain.name}${HTTP_CHECK_PATH}`,
    grpcHost: env.domain.name,
    grpcPort: GRPC_PORT,
    source: 'domain',
  };
}

/**
 * The endpoints from the stack outputs (`HttpEndpoint` is `http(s)://<alb dns>`, `GrpcEndpoint` is
 * `<dns>:<port>`), or null when either is missing or malformed.
 */
export function endpointsFromOutputs(http: string | null, grpc: string | null): ServiceEndpoints | null {
  if (!http || !grpc || !/^https?:\/\/[^/\s]+$/.test(http.replace(/\/+$/, ''))) return null;
  const match = /^([A-Za-z0-9.-]+):(\d{1,5})$/.exec(grpc);
  if (!match) return null;
  return {
    httpUrl: `${http.replace(/\/+$/, '')}${HTTP_CHECK_PATH}`,
    grpcHost: match[1]!,
    grpcPort: Number(match[2]),
    source: 'stack outputs',
  };
}

/** The endpoints of an environment: from its domain, else from its deployed stack's outputs. Never throws. */
export async function lookupEndpoints(
  env: EnvironmentConfig,
  readStack: StackEndpointReader,
): Promise<EndpointLookup> {
  const fromDomain = configuredEndpoints(env);
  if (fromDomain) return { endpoints: fromDomain };
  try {
    const { http, grpc } = await readStack(env);
    const endpoints = endpointsFromOutputs(http, grpc);
    if (endpoints) return { endpoints };
    return {
      endpoints: null,
      reason: `stack ${env.stackName} has no usable HttpEndpoint/GrpcEndpoint outputs (deploy it first, or set domain in wheelhouse.yml)`,
    };
  } catch (error) {
    return {
      endpoints: null,
      reason: `no domain is configured and the outputs of stack ${env.stackName} could not be read (${
        error instanceof Error ? error.message : String(error)
      }): set domain in wheelhouse.yml, or run with AWS credentials for ${env.account}/${env.region} after the stack is deployed`,
    };
  }
}
