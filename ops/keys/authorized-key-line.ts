/**
 * The authorized_keys line the bot stores for each bastion key, and its reverse. The bastion's
 * `AuthorizedKeysCommand` prints these lines as they are (only lines that begin with `restrict,`),
 * so the options here are what sshd enforces per key, on top of the server's `Match User` block:
 *
 * `restrict,port-forwarding,permitopen="<writer>:<port>",permitopen="<reader>:<port>",expiry-time="YYYYMMDDhhmm" <type> <base64> wheelhouse:owner=<U…>:expires=<iso>`
 *
 * `restrict` turns off the pty, agent and X11 forwarding and user rc; `port-forwarding` turns local
 * forwarding back on, limited by `permitopen` to the database endpoints; `expiry-time` (UTC, as
 * the bastion runs in UTC) makes sshd refuse the key after its expiry even if nobody removes it.
 */
import { createHash } from 'node:crypto';
import { ACCEPTED_KEY_TYPES, type SshKeyType } from './ssh-public-key';

/** What the bot writes for one key. */
export interface AuthorizedKey {
  readonly type: SshKeyType;
  readonly base64: string;
  /** Slack user id of the owner. */
  readonly owner: string;
  readonly expiresAt: Date;
  /** `host:port` destinations the key may forward to. */
  readonly permitOpen: readonly string[];
}

/** A stored line read back, with its fingerprint. */
export interface StoredAuthorizedKey extends AuthorizedKey {
  readonly fingerprint: string;
}

/** The comment prefix that marks a line as written by the bot. */
export const KEY_COMMENT_PREFIX = 'wheelhouse:owner=';

/** Formats `date` as authorized_keys' `expiry-time` (YYYYMMDDhhmm, UTC). */
export function formatExpiryTime(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}`;
}

/** Composes the line for one key. */
export function formatAuthorizedKeyLine(key: AuthorizedKey): string {
  const destinations = key.permitOpen.map((d) => {
    if (!/^[A-Za-z0-9.-]+:\d{1,5}$/.test(d)) throw new Error(`not a host:port destination: ${d}`);
    return `permitopen="${d}"`;
  });
  const expires = new Date(Math.floor(key.expiresAt.getTime() / 60_000) * 60_000);
  if (!/^[UW][A-Z0-9]+$/.test(key.owner)) throw new Error(`not a Slack user id: ${key.owner}`);
  const options = [
    'restrict',
    'port-forwarding',
    ...destinations,
    `expiry-time="${formatExpiryTime(expires)}"`,
  ];
  return `${options.join(',')} ${key.type} ${key.base64} ${KEY_COMMENT_PREFIX}${key.owner}:expires=${expires.toISOString()}`;
}

const LINE =
  /^restrict,port-forwarding,((?:permitopen="[^"]+",)*)expiry-time="(\d{12})" (\S+) ([A-Za-z0-9+/]+={0,2}) wheelhouse:owner=([UW][A-Z0-9]+):expires=(\S+)$/;

/** Reads a stored line back; null when it is not one the bot wrote. */
export function parseAuthorizedKeyLine(line: string): StoredAuthorizedKey | null {
  const match = LINE.exec(line.trim());
  if (!match) return null;
  const [, opens = '', , type = '', base64 = '', owner = '', expires = ''] = match;
  if (!(ACCEPTED_KEY_TYPES as readonly string[]).includes(type)) return null;
  const expiresAt = new Date(expires);
  if (Number.isNaN(expiresAt.getTime())) return null;
  return {
    type: type as SshKeyType,
    base64,
    owner,
    expiresAt,
    permitOpen: [...opens.matchAll(/permitopen="([^"]+)"/g)].map((m) => m[1] ?? ''),
    fingerprint: fingerprintOf(base64),
  };
}

/** The `SHA256:…` fingerprint of a base64 key blob, as `ssh-keygen -l` prints it. */
export function fingerprintOf(base64: string): string {
  return `SHA256:${createHash('sha256').update(Buffer.from(base64, 'base64')).digest('base64').replace(/=+$/, '')}`;
}
