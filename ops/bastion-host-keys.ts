/**
 * The bastion's SSH host keys, as the instance publishes them at boot (stacks/bastion/bastion.ts: one
 * `type base64` line per host key in `bastion.hostKeysParameterName`), so that people can check the host
 * they connect to: its SHA256 fingerprints as `ssh-keygen -lf` prints them, and a known_hosts entry.
 */
import { z } from 'zod';
import type { EnvironmentConfig } from '../config';
import type { AwsClients } from './aws-clients';
import { withAwsErrors } from './aws-errors';
import { parseSshPublicKey, SshKeyError } from './keys/ssh-public-key';

/** One host key of the bastion. */
export interface BastionHostKey {
  /** e.g. `ssh-ed25519`. */
  readonly type: string;
  /** The key blob, base64 as in known_hosts. */
  readonly base64: string;
  /** `SHA256:…`, as `ssh-keygen -lf` and ssh's first-connection prompt print it. */
  readonly fingerprint: string;
}

/** Parses the published value; lines that are not a public key are left out. */
export function parseBastionHostKeys(value: string): BastionHostKey[] {
  const keys: BastionHostKey[] = [];
  for (const line of value.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const key = parseSshPublicKey(line.trim());
      keys.push({ type: key.type, base64: key.base64, fingerprint: key.fingerprint });
    } catch (error) {
      if (!(error instanceof SshKeyError)) throw error;
    }
  }
  return keys;
}

/** The known_hosts line for `host` (port 22) with `key`. */
export function knownHostsLine(host: string, key: BastionHostKey): string {
  return `${host} ${key.type} ${key.base64}`;
}

/** The bastion's published host keys, or null when it has not published any yet. */
export async function readBastionHostKeys(
  aws: AwsClients,
  environment: EnvironmentConfig,
): Promise<BastionHostKey[] | null> {
  return withAwsErrors(`read the bastion host keys of ${environment.name}`, async () => {
    const { GetParameterCommand } = await import('@aws-sdk/client-ssm');
    const client = await aws.ssm(environment);
    try {
      const response = z
        .object({ Parameter: z.object({ Value: z.string().optional() }).optional() })
        .parse(
          await client.send(new GetParameterCommand({ Name: environment.bastion.hostKeysParameterName })),
        );
      const keys = parseBastionHostKeys(response.Parameter?.Value ?? '');
      return keys.length > 0 ? keys : null;
    } catch (error) {
      if (error instanceof Error && error.name === 'ParameterNotFound') return null;
      throw error;
    }
  });
}
