/**
 * Validates an SSH public key pasted into Slack, with a real key parser (sshpk) for ed25519, ECDSA
 * and RSA, and a strict wire-format check for FIDO (sk-) keys, whose inner key sshpk then validates.
 *
 * Accepts one key on one line, optionally followed by a comment. Rejects private keys (and says
 * that what was pasted is now a leaked secret), authorized_keys options such as `command=`,
 * several keys, line breaks, DSA, certificates, RSA under 3072 bits and anything malformed. Every
 * rejection is an {@link SshKeyError}; nothing else is thrown.
 */
import { createHash, createPublicKey } from 'node:crypto';
import type * as Sshpk from 'sshpk';
import { UserError } from '../user-error';

/** Why a paste was rejected. */
export type SshKeyRejection =
  | 'empty'
  | 'private-key'
  | 'options'
  | 'several-keys'
  | 'line-break'
  | 'unsupported-type'
  | 'weak-rsa'
  | 'malformed';

/** A rejected paste: the message says what is wrong and the hint how to get a good key. */
export class SshKeyError extends UserError {
  override readonly name = 'SshKeyError';

  constructor(
    readonly reason: SshKeyRejection,
    message: string,
    hint = 'Paste the one line of your `.pub` file, e.g. `ssh-ed25519 AAAA… you@laptop` (make one with `ssh-keygen -t ed25519`).',
  ) {
    super(message, hint);
  }
}

/** Key algorithms the bastion accepts, by their wire names. */
export const ACCEPTED_KEY_TYPES = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ssh-rsa',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
] as const;

/** One accepted key type. */
export type SshKeyType = (typeof ACCEPTED_KEY_TYPES)[number];

/** The smallest RSA modulus accepted. */
export const MIN_RSA_BITS = 3072;

/** A validated public key. */
export interface SshPublicKey {
  readonly type: SshKeyType;
  /** The key blob, base64 as in authorized_keys. */
  readonly base64: string;
  /** `SHA256:…` as `ssh-keygen -l` prints it. */
  readonly fingerprint: string;
  /** Key size in bits (256 for ed25519). */
  readonly bits: number;
  /** The comment after the key, if any (never stored; the bot writes its own). */
  readonly comment: string | null;
}

let sshpkModule: typeof Sshpk | undefined;

/** sshpk, loaded on first use: only `/bastion-key add` needs it, and start-up should not pay for it. */
function sshpk(): typeof Sshpk {
  sshpkModule ??= require('sshpk') as typeof Sshpk;
  return sshpkModule;
}

const PRIVATE_MARKERS = [
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/,
  /PuTTY-User-Key-File-\d/,
  /---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----/,
  // "openssh-key-v1\0", the body of an OpenSSH private key, pasted without its armour.
  /b3BlbnNzaC1rZXktdjE/,
];
const OPTION_WORDS =
  /^(?:restrict|no-[a-z-]+|cert-authority|command=|environment=|from=|permitopen=|permitlisten=|principals=|tunnel=|expiry-time=|port-forwarding|pty|user-rc|x11-forwarding|agent-forwarding|verify-required|no-touch-required)/i;
const KNOWN_TYPE = /^(?:ssh-|ecdsa-|sk-)[a-z0-9@.-]+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Parses a pasted public key; throws {@link SshKeyError} (only) when it is not acceptable. */
export function parseSshPublicKey(pasted: string): SshPublicKey {
  try {
    return parse(pasted);
  } catch (error) {
    if (error instanceof SshKeyError) throw error;
    throw new SshKeyError('malformed', 'That is not a valid SSH public key.');
  }
}

function parse(pasted: string): SshPublicKey {
  const text = unwrapSlack(pasted);
  if (text === '') throw new SshKeyError('empty', 'Paste your public key after `add`.');
  if (PRIVATE_MARKERS.some((m) => m.test(text)) || looksLikePrivateKey(text)) {
    throw new SshKeyError(
      'private-key',
      'That is a PRIVATE key. It is secret and is now exposed: treat it as leaked and rotate it.',
      'Delete your message if it was posted anywhere, make a new key pair (`ssh-keygen -t ed25519`), remove the old public key wherever it was authorized, and paste only the new `.pub` line.',
    );
  }
  const lines = text.split(/\r\n|\r|\n/).filter((l) => l.trim() !== '');
  if (lines.length > 1) {
    const keyLines = lines.filter((l) =>
      l
        .trim()
        .split(/\s+/)
        .some((t) => KNOWN_TYPE.test(t)),
    );
    if (keyLines.length > 1)
      throw new SshKeyError('several-keys', 'Paste one key at a time: that paste holds several.');
    throw new SshKeyError('line-break', 'The key must be on one line: that paste has line breaks in it.');
  }
  if (hasControlCharacter(text)) {
    throw new SshKeyError(
      'malformed',
      'That paste has control characters in it; paste the `.pub` line as text.',
    );
  }
  const tokens = text.split(/\s+/);
  const typeIndex = tokens.findIndex((t) => KNOWN_TYPE.test(t));
  if (typeIndex > 0 || (typeIndex < 0 && OPTION_WORDS.test(tokens[0] ?? ''))) {
    throw new SshKeyError(
      'options',
      `Paste the key without options: \`${truncate(tokens[0] ?? '', 40)}\` is not allowed here.`,
      'The bot sets the options itself (no shell, port-forwarding to the database only). Paste just `type key [comment]`.',
    );
  }
  if (typeIndex < 0)
    throw new SshKeyError(
      'malformed',
      'That is not an SSH public key: it should start with `ssh-ed25519`, `ecdsa-sha2-…` or `ssh-rsa`.',
    );
  const [type, base64, ...rest] = tokens as [string, string | undefined, ...string[]];
  if (rest.some((t) => KNOWN_TYPE.test(t) || (t.startsWith('AAAA') && t.length > 40))) {
    throw new SshKeyError('several-keys', 'Paste one key at a time: that paste holds several.');
  }
  if (!isAccepted(type)) {
    const why = type.startsWith('ssh-dss')
      ? 'DSA keys are insecure and disabled in OpenSSH.'
      : type.includes('-cert-')
        ? 'Certificates are not accepted; paste the plain public key.'
        : `${truncate(type, 40)} keys are not accepted.`;
    throw new SshKeyError(
      'unsupported-type',
      `${why} Use ed25519, ECDSA, RSA of at least ${MIN_RSA_BITS} bits, or a security key (sk-).`,
    );
  }
  if (!base64 || !BASE64.test(base64) || base64.length % 4 !== 0) {
    throw new SshKeyError('malformed', 'The key data after the type is missing or is not base64.');
  }
  const blob = Buffer.from(base64, 'base64');
  if (blob.toString('base64') !== base64)
    throw new SshKeyError('malformed', 'The key data is not canonical base64.');
  const comment = rest.length > 0 ? rest.join(' ') : null;
  const bits = validateBlob(type, blob);
  return {
    type,
    base64,
    fingerprint: `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`,
    bits,
    comment: comment ? truncate(comment, 100) : null,
  };
}

/** Checks the blob against its declared type; returns the key size in bits. */
function validateBlob(type: SshKeyType, blob: Buffer): number {
  const reader = new WireReader(blob);
  if (reader.string().toString('latin1') !== type) {
    throw new SshKeyError('malformed', `The key data does not match its type ${type}.`);
  }
  if (type === 'sk-ssh-ed25519@openssh.com') {
    const publicKey = reader.string();
    readApplication(reader);
    return checkWithSshpk(wire(['ssh-ed25519', publicKey]), 'ssh-ed25519');
  }
  if (type === 'sk-ecdsa-sha2-nistp256@openssh.com') {
    const curve = reader.string();
    const point = reader.string();
    readApplication(reader);
    if (curve.toString('latin1') !== 'nistp256')
      throw new SshKeyError('malformed', 'The security key names the wrong curve.');
    return checkWithSshpk(wire(['ecdsa-sha2-nistp256', curve, point]), 'ecdsa-sha2-nistp256');
  }
  return checkWithSshpk(blob, type);
}

function readApplication(reader: WireReader): void {
  const application = reader.string().toString('latin1');
  reader.end();
  if (!application.startsWith('ssh:')) {
    throw new SshKeyError('malformed', 'The security key has an application other than `ssh:`.');
  }
}

/** Parses a plain key blob with sshpk and checks that it re-encodes to the same bytes (no trailing data). */
function checkWithSshpk(blob: Buffer, type: string): number {
  const key = sshpk().parseKey(`${type} ${blob.toString('base64')}`, 'ssh');
  if (!key.toBuffer('rfc4253').equals(blob)) {
    throw new SshKeyError('malformed', 'The key data has bytes that do not belong to a key.');
  }
  // sshpk reads the structure but does not check the mathematics (an ECDSA point off its curve, an
  // ed25519 key of the wrong length); OpenSSL does, when the key is loaded as SubjectPublicKeyInfo.
  try {
    createPublicKey({ key: key.toString('pkcs8'), format: 'pem' });
  } catch {
    throw new SshKeyError(
      'malformed',
      'That is not a valid SSH public key: its key data is not a valid key.',
    );
  }
  if (key.type === 'rsa' && key.size < MIN_RSA_BITS) {
    throw new SshKeyError(
      'weak-rsa',
      `That RSA key has ${key.size} bits; at least ${MIN_RSA_BITS} are required.`,
      'Make a stronger key: `ssh-keygen -t ed25519` (preferred) or `ssh-keygen -t rsa -b 4096`.',
    );
  }
  return key.size;
}

function looksLikePrivateKey(text: string): boolean {
  try {
    sshpk().parsePrivateKey(text, 'auto');
    return true;
  } catch {
    return false;
  }
}

/** True when `text` holds a C0 control character other than tab, or DEL (a regex would need them literally). */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return true;
  }
  return false;
}

function isAccepted(type: string): type is SshKeyType {
  return (ACCEPTED_KEY_TYPES as readonly string[]).includes(type);
}

/** Slack escapes &, < and > and people paste in backticks; undo both. */
function unwrapSlack(pasted: string): string {
  let text = pasted.trim();
  const fenced = /^```([\s\S]*)```$/.exec(text) ?? /^`([^`]*)`$/.exec(text);
  if (fenced) text = (fenced[1] ?? '').trim();
  return text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Encodes SSH wire strings (uint32 length + bytes). */
function wire(parts: readonly (string | Buffer)[]): Buffer {
  return Buffer.concat(
    parts.flatMap((part) => {
      const bytes = typeof part === 'string' ? Buffer.from(part, 'latin1') : part;
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      return [length, bytes];
    }),
  );
}

/** Reads SSH wire strings, failing with {@link SshKeyError} on truncation. */
class WireReader {
  private offset = 0;

  constructor(private readonly buffer: Buffer) {}

  string(): Buffer {
    if (this.offset + 4 > this.buffer.length)
      throw new SshKeyError('malformed', 'The key data is truncated.');
    const length = this.buffer.readUInt32BE(this.offset);
    const start = this.offset + 4;
    if (length > this.buffer.length - start) throw new SshKeyError('malformed', 'The key data is truncated.');
    this.offset = start + length;
    return this.buffer.subarray(start, this.offset);
  }

  end(): void {
    if (this.offset !== this.buffer.length)
      throw new SshKeyError('malformed', 'The key data has bytes that do not belong to a key.');
  }
}
