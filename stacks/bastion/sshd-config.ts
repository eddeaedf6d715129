/** Renders the bastion's sshd drop-in and the AuthorizedKeysCommand's settings (pure: tests run them on a real sshd). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Options for {@link renderSshdConfig}. */
export interface SshdConfigOptions {
  /** The port-forwarding-only account. */
  readonly tunnelUser: string;
  /** Destinations the tunnel may open, as `host:port` (sshd compares the literal host). */
  readonly permitOpen: readonly string[];
  /** The whole AuthorizedKeysCommand line, `%u` included. @default '/usr/local/sbin/wheelhouse-authorized-keys %u' */
  readonly authorizedKeysCommand?: string;
  /** The account the command runs as. @default 'nobody' */
  readonly authorizedKeysCommandUser?: string;
}

/** Path of the AuthorizedKeysCommand script in this repository. */
export const AUTHORIZED_KEYS_SCRIPT = join(__dirname, 'authorized-keys-command.sh');

/** Where the script is installed on the bastion. */
export const AUTHORIZED_KEYS_INSTALL_PATH = '/usr/local/sbin/wheelhouse-authorized-keys';

/** Where the script's settings live on the bastion. */
export const BASTION_CONF_PATH = '/etc/wheelhouse/bastion.conf';

const TEMPLATE = join(__dirname, 'sshd-tunnel.conf');

/** Renders `sshd-tunnel.conf` with the given values. Throws when a value could break out of its line. */
export function renderSshdConfig(options: SshdConfigOptions): string {
  if (options.permitOpen.length === 0) throw new Error('permitOpen must name at least one host:port');
  const values: Record<string, string> = {
    TUNNEL_USER: options.tunnelUser,
    PERMIT_OPEN: options.permitOpen.join(' '),
    AUTHORIZED_KEYS_COMMAND: options.authorizedKeysCommand ?? `${AUTHORIZED_KEYS_INSTALL_PATH} %u`,
    AUTHORIZED_KEYS_COMMAND_USER: options.authorizedKeysCommandUser ?? 'nobody',
  };
  for (const [key, value] of Object.entries(values)) {
    if (/[\r\n#"]/.test(value))
      throw new Error(
        `sshd setting ${key} may not contain a line break, # or ", got ${JSON.stringify(value)}`,
      );
  }
  return readFileSync(TEMPLATE, 'utf8').replace(/\{\{([A-Z_]+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`sshd-tunnel.conf has an unknown placeholder {{${key}}}`);
    return value;
  });
}

/** Settings the AuthorizedKeysCommand reads. */
export interface BastionConfOptions {
  readonly tunnelUser: string;
  readonly keysParameterPath: string;
  readonly region: string;
  /** The AWS CLI to call. @default 'aws' */
  readonly awsCli?: string;
}

/** Renders the `KEY=value` file the AuthorizedKeysCommand reads. */
export function renderBastionConf(options: BastionConfOptions): string {
  const lines = [
    `TUNNEL_USER=${options.tunnelUser}`,
    `KEYS_PARAMETER_PATH=${options.keysParameterPath}`,
    `AWS_REGION=${options.region}`,
    ...(options.awsCli ? [`AWS_CLI=${options.awsCli}`] : []),
  ];
  for (const line of lines) {
    if (/[\r\n]/.test(line))
      throw new Error(`bastion setting may not contain a line break: ${JSON.stringify(line)}`);
  }
  return `${lines.join('\n')}\n`;
}
