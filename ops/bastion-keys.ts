/**
 * Bastion keys in SSM Parameter Store: one parameter per key under the environment's
 * `bastion.keysParameterPath`, whose value is the authorized_keys line that the bastion's
 * `AuthorizedKeysCommand` prints at each login, tagged with the owner and the expiry.
 */
import { z } from 'zod';
import type { EnvironmentConfig } from '../config';
import type { AwsClients } from './aws-clients';
import { withAwsErrors } from './aws-errors';
import {
  formatAuthorizedKeyLine,
  parseAuthorizedKeyLine,
  type StoredAuthorizedKey,
} from './keys/authorized-key-line';
import type { SshPublicKey } from './keys/ssh-public-key';
import { readStackOutputs } from './stack-outputs';
import { UserError } from './user-error';

/** Tag keys on each key parameter. */
export const KEY_TAGS = { owner: 'wheelhouse:owner', expires: 'wheelhouse:expires' } as const;

/** One registered key. */
export interface BastionKey extends StoredAuthorizedKey {
  readonly parameterName: string;
  readonly expired: boolean;
}

/** One step of a plan: what would be called on which resource. */
export interface PlanStep {
  readonly call: string;
  readonly resource: string;
  readonly detail: string;
}

/** The outcome of adding a key. */
export interface AddedKey {
  readonly parameterName: string;
  readonly fingerprint: string;
  readonly expiresAt: Date;
  /** True when the same owner had it already and its expiry was renewed. */
  readonly renewed: boolean;
}

/** The SSM parameter name for a key: the path plus the fingerprint made safe for SSM names. */
export function keyParameterName(environment: EnvironmentConfig, fingerprint: string): string {
  const safe = fingerprint.replace(':', '-').replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
  return `${environment.bastion.keysParameterPath}${safe}`;
}

/** When a key added now expires. */
export function keyExpiry(environment: EnvironmentConfig, now: Date): Date {
  return new Date(
    Math.floor((now.getTime() + environment.bastion.keyExpiryDays * 86_400_000) / 60_000) * 60_000,
  );
}

const parametersPage = z.object({
  Parameters: z.array(z.object({ Name: z.string(), Value: z.string().optional() })).optional(),
  NextToken: z.string().optional(),
});

/** Every key registered in `environment` (the bot's own lines; anything else under the path is ignored). */
export async function listBastionKeys(
  aws: AwsClients,
  environment: EnvironmentConfig,
  now: Date,
): Promise<BastionKey[]> {
  return withAwsErrors(`list the bastion keys of ${environment.name}`, async () => {
    const { GetParametersByPathCommand } = await import('@aws-sdk/client-ssm');
    const client = await aws.ssm(environment);
    const keys: BastionKey[] = [];
    let nextToken: string | undefined;
    do {
      const page = parametersPage.parse(
        await client.send(
          new GetParametersByPathCommand({
            Path: environment.bastion.keysParameterPath,
            Recursive: true,
            MaxResults: 10,
            NextToken: nextToken,
          }),
        ),
      );
      for (const parameter of page.Parameters ?? []) {
        const line = parameter.Value ? parseAuthorizedKeyLine(parameter.Value) : null;
        if (!line) continue;
        keys.push({
          ...line,
          parameterName: parameter.Name,
          expired: line.expiresAt.getTime() <= now.getTime(),
        });
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return keys.sort(
      (a, b) => a.owner.localeCompare(b.owner) || a.expiresAt.getTime() - b.expiresAt.getTime(),
    );
  });
}

/** What adding a key would do, for people without AWS credentials (no call is made). */
export function planAddBastionKey(
  environment: EnvironmentConfig,
  key: SshPublicKey,
  owner: string,
  now: Date,
): PlanStep[] {
  const expiresAt = keyExpiry(environment, now);
  const line = formatAuthorizedKeyLine({
    type: key.type,
    base64: key.base64,
    owner,
    expiresAt,
    permitOpen: ['WRITER.invalid:5432', 'READER.invalid:5432'],
  })
    .replace('WRITER.invalid:5432', '<DatabaseWriterEndpoint>:<DatabasePort>')
    .replace('READER.invalid:5432', '<DatabaseReaderEndpoint>:<DatabasePort>');
  return [
    {
      call: 'cloudformation:DescribeStacks',
      resource: environment.stackName,
      detail: 'read DatabaseWriterEndpoint, DatabaseReaderEndpoint and DatabasePort',
    },
    {
      call: 'ssm:PutParameter',
      resource: keyParameterName(environment, key.fingerprint),
      detail: `String, tags ${KEY_TAGS.owner}=${owner} ${KEY_TAGS.expires}=${expiresAt.toISOString()}, value: ${line}`,
    },
  ];
}

/** What removing a key would do. */
export function planRemoveBastionKey(environment: EnvironmentConfig, fingerprint: string): PlanStep[] {
  return [
    {
      call: 'ssm:DeleteParameter',
      resource: keyParameterName(environment, fingerprint),
      detail: 'the bastion stops accepting the key at the next login',
    },
  ];
}

/**
 * Stores `key` for `owner`, forwarding only to the environment's database endpoints. Adding a key
 * that the same owner already has renews its expiry; a key registered by someone else is refused.
 */
export async function addBastionKey(
  aws: AwsClients,
  environment: EnvironmentConfig,
  key: SshPublicKey,
  owner: string,
  now: Date,
): Promise<AddedKey> {
  const outputs = await readStackOutputs(aws, environment);
  const port = outputs.get('databasePort');
  const permitOpen = [
    `${outputs.get('databaseWriterEndpoint')}:${port}`,
    `${outputs.get('databaseReaderEndpoint')}:${port}`,
  ];
  const expiresAt = keyExpiry(environment, now);
  const parameterName = keyParameterName(environment, key.fingerprint);
  const value = formatAuthorizedKeyLine({ type: key.type, base64: key.base64, owner, expiresAt, permitOpen });
  const tags = [
    { Key: KEY_TAGS.owner, Value: owner },
    { Key: KEY_TAGS.expires, Value: expiresAt.toISOString() },
  ];
  return withAwsErrors(`store a bastion key in ${environment.name}`, async () => {
    const ssm = await import('@aws-sdk/client-ssm');
    const client = await aws.ssm(environment);
    try {
      await client.send(
        new ssm.PutParameterCommand({
          Name: parameterName,
          Value: value,
          Type: 'String',
          Overwrite: false,
          Tags: tags,
          Description: `Bastion key of ${owner}`,
        }),
      );
      return { parameterName, fingerprint: key.fingerprint, expiresAt, renewed: false };
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'ParameterAlreadyExists') throw error;
    }
    const existing = await findBastionKey(aws, environment, key.fingerprint, now);
    if (existing && existing.owner !== owner) {
      throw new UserError(
        `That key (${key.fingerprint}) is already registered in ${environment.name} by someone else.`,
        'A key belongs to one person: make your own with `ssh-keygen -t ed25519`.',
      );
    }
    await client.send(
      new ssm.PutParameterCommand({ Name: parameterName, Value: value, Type: 'String', Overwrite: true }),
    );
    await client.send(
      new ssm.AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: parameterName, Tags: tags }),
    );
    return { parameterName, fingerprint: key.fingerprint, expiresAt, renewed: true };
  });
}

/** The key with `fingerprint`, or null. */
export async function findBastionKey(
  aws: AwsClients,
  environment: EnvironmentConfig,
  fingerprint: string,
  now: Date,
): Promise<BastionKey | null> {
  const parameterName = keyParameterName(environment, fingerprint);
  return withAwsErrors(`read a bastion key in ${environment.name}`, async () => {
    const { GetParameterCommand } = await import('@aws-sdk/client-ssm');
    const client = await aws.ssm(environment);
    try {
      const response = z
        .object({ Parameter: z.object({ Value: z.string().optional() }).optional() })
        .parse(await client.send(new GetParameterCommand({ Name: parameterName })));
      const line = response.Parameter?.Value ? parseAuthorizedKeyLine(response.Parameter.Value) : null;
      return line ? { ...line, parameterName, expired: line.expiresAt.getTime() <= now.getTime() } : null;
    } catch (error) {
      if (error instanceof Error && error.name === 'ParameterNotFound') return null;
      throw error;
    }
  });
}

/** Deletes a key's parameter; the bastion refuses the key from the next login on. */
export async function removeBastionKey(
  aws: AwsClients,
  environment: EnvironmentConfig,
  key: BastionKey,
): Promise<void> {
  await withAwsErrors(`remove a bastion key in ${environment.name}`, async () => {
    const { DeleteParameterCommand } = await import('@aws-sdk/client-ssm');
    const client = await aws.ssm(environment);
    try {
      await client.send(new DeleteParameterCommand({ Name: key.parameterName }));
    } catch (error) {
      // Removed meanwhile (a double click): the outcome the person wanted.
      if (!(error instanceof Error) || error.name !== 'ParameterNotFound') throw error;
    }
  });
}
