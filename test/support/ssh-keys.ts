/** Real SSH keys made with OpenSSH's ssh-keygen for tests, in a temporary folder. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A generated key pair. */
export interface TestKeyPair {
  /** The `.pub` line. */
  readonly publicLine: string;
  /** Path of the private key file (mode 0600). */
  readonly privatePath: string;
  /** The private key file's content. */
  readonly privateText: string;
}

/** Makes key pairs in one temporary folder; {@link TestKeys.cleanup} removes it. */
export class TestKeys {
  readonly dir = mkdtempSync(join(tmpdir(), 'wheelhouse-keys-'));
  private count = 0;

  /** `ssh-keygen -t <type> [-b bits] [-m format]`. */
  generate(
    type: 'ed25519' | 'ecdsa' | 'rsa' | 'dsa',
    options: { bits?: number; format?: 'PEM' | 'RFC4716' | 'PKCS8' } = {},
  ): TestKeyPair {
    const privatePath = join(this.dir, `key${++this.count}`);
    const args = ['-q', '-t', type, '-N', '', '-C', `test${this.count}@wheelhouse`, '-f', privatePath];
    if (options.bits) args.push('-b', String(options.bits));
    if (options.format) args.push('-m', options.format);
    execFileSync('ssh-keygen', args);
    return {
      publicLine: readFileSync(`${privatePath}.pub`, 'utf8').trim(),
      privatePath,
      privateText: readFileSync(privatePath, 'utf8'),
    };
  }

  /** A certificate (`…-cert-v01@openssh.com`) for `pair`, signed by a new CA. */
  certificate(pair: TestKeyPair): string {
    const ca = this.generate('ed25519');
    execFileSync('ssh-keygen', [
      '-q',
      '-s',
      ca.privatePath,
      '-I',
      'test',
      '-n',
      'tunnel',
      `${pair.privatePath}.pub`,
    ]);
    return readFileSync(`${pair.privatePath}-cert.pub`, 'utf8').trim();
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** What OpenSSH itself says of a public key line: its SHA256 fingerprint, or null when it refuses it. */
export function sshKeygenFingerprint(line: string): string | null {
  const result = spawnSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', '-'], {
    input: `${line}\n`,
    encoding: 'utf8',
  });
  if (result.status !== 0) return null;
  return /(SHA256:[A-Za-z0-9+/]+)/.exec(result.stdout)?.[1] ?? null;
}

/** SSH wire encoding of strings (uint32 length + bytes). */
export function sshWire(parts: readonly (string | Buffer)[]): Buffer {
  return Buffer.concat(
    parts.flatMap((part) => {
      const bytes = typeof part === 'string' ? Buffer.from(part, 'latin1') : part;
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      return [length, bytes];
    }),
  );
}

/** Reads the SSH wire strings of a blob. */
export function sshUnwire(blob: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let offset = 0;
  while (offset + 4 <= blob.length) {
    const length = blob.readUInt32BE(offset);
    out.push(blob.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return out;
}

/**
 * A FIDO public key line built from a software key's public part, as a security key would give it
 * (`sk-ssh-ed25519@openssh.com` or `sk-ecdsa-sha2-nistp256@openssh.com`, application `ssh:`).
 * OpenSSH parses it exactly as one made with a hardware token; no token is needed to test parsing.
 */
export function securityKeyLine(plainLine: string, application = 'ssh:'): string {
  const [type, base64] = plainLine.split(' ') as [string, string];
  const parts = sshUnwire(Buffer.from(base64, 'base64'));
  if (type === 'ssh-ed25519') {
    const blob = sshWire(['sk-ssh-ed25519@openssh.com', parts[1]!, application]);
    return `sk-ssh-ed25519@openssh.com ${blob.toString('base64')} yubikey`;
  }
  if (type === 'ecdsa-sha2-nistp256') {
    const blob = sshWire(['sk-ecdsa-sha2-nistp256@openssh.com', 'nistp256', parts[2]!, application]);
    return `sk-ecdsa-sha2-nistp256@openssh.com ${blob.toString('base64')} yubikey`;
  }
  throw new Error(`no security key form for ${type}`);
}
