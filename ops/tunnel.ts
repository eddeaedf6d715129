/** The tunnel to an environment's database: where it goes, and the two commands that open it. */
import type { EnvironmentConfig } from '../config';
import type { AwsClients } from './aws-clients';
import { readStackOutputs } from './stack-outputs';

/** Local ports the tunnel commands bind: writer and reader, off 5432 so a local PostgreSQL can keep it. */
export const LOCAL_TUNNEL_PORTS = { writer: 15432, reader: 15433 } as const;

/** Where a tunnel goes. */
export interface TunnelTarget {
  readonly endpoint: 'writer' | 'reader';
  readonly databaseHost: string;
  readonly databasePort: number;
  readonly bastionHost: string;
  readonly bastionInstanceId: string;
  readonly tunnelUser: string;
  readonly region: string;
  readonly localPort: number;
  readonly databaseName: string;
}

/** The commands a person runs to open the tunnel. */
export interface TunnelCommands {
  /** `ssh -N -L …` through the bastion (needs a registered key and port 22 open to them). */
  readonly ssh: string;
  /** SSM Session Manager port forwarding (needs AWS access to the account, no open port). */
  readonly ssm: string;
  /** How to connect once the tunnel is up. */
  readonly connect: string;
}

/** Reads the tunnel target of `environment` from its stack outputs. */
export async function readTunnelTarget(
  aws: AwsClients,
  environment: EnvironmentConfig,
  endpoint: 'writer' | 'reader',
): Promise<TunnelTarget> {
  const outputs = await readStackOutputs(aws, environment);
  return {
    endpoint,
    databaseHost: outputs.get(endpoint === 'writer' ? 'databaseWriterEndpoint' : 'databaseReaderEndpoint'),
    databasePort: Number(outputs.get('databasePort')),
    bastionHost: outputs.get('bastionAddress'),
    bastionInstanceId: outputs.get('bastionInstanceId'),
    tunnelUser: outputs.find('bastionTunnelUser') ?? environment.bastion.tunnelUser,
    region: environment.region,
    localPort: LOCAL_TUNNEL_PORTS[endpoint],
    databaseName: environment.database.databaseName,
  };
}

/** The exact commands for `target`. */
export function tunnelCommands(target: TunnelTarget): TunnelCommands {
  const forward = `127.0.0.1:${target.localPort}:${target.databaseHost}:${target.databasePort}`;
  const parameters = JSON.stringify({
    host: [target.databaseHost],
    portNumber: [String(target.databasePort)],
    localPortNumber: [String(target.localPort)],
  });
  return {
    ssh: `ssh -N -o ExitOnForwardFailure=yes -o ServerAliveInterval=30 -L ${forward} ${target.tunnelUser}@${target.bastionHost}`,
    ssm: `aws ssm start-session --region ${target.region} --target ${target.bastionInstanceId} --document-name AWS-StartPortForwardingSessionToRemoteHost --parameters '${parameters}'`,
    // sslmode=require: encrypted, certificate not checked. verify-full cannot work here: the client connects
    // to 127.0.0.1, which is not a name in the Aurora certificate. The tunnel itself is SSH or Session
    // Manager, authenticated end to end; require keeps the last hop (bastion to Aurora) encrypted too.
    connect: `psql "host=127.0.0.1 port=${target.localPort} dbname=${target.databaseName} user=<you> sslmode=require"`,
  };
}
