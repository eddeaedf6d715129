import fc from 'fast-check';
import { parseSshPublicKey, SshKeyError, type SshKeyRejection } from '../../../ops/keys/ssh-public-key';
import { securityKeyLine, sshKeygenFingerprint, sshUnwire, sshWire, TestKeys } from '../../support/ssh-keys';

const keys = new TestKeys();
afterAll(() => keys.cleanup());

const ed25519 = keys.generate('ed25519');
const ed25519b = keys.generate('ed25519');
const ecdsa256 = keys.generate('ecdsa', { bits: 256 });
const ecdsa384 = keys.generate('ecdsa', { bits: 384 });
const ecdsa521 = keys.generate('ecdsa', { bits: 521 });
const rsa3072 = keys.generate('rsa', { bits: 3072 });
const rsa4096 = keys.generate('rsa', { bits: 4096 });
const rsa2048 = keys.generate('rsa', { bits: 2048 });
const dsa = keys.generate('dsa');
const rsaPem = keys.generate('rsa', { bits: 3072, format: 'PEM' });
const ecPkcs8 = keys.generate('ecdsa', { bits: 256, format: 'PKCS8' });
const [edType, edBase64] = ed25519.publicLine.split(' ') as [string, string];
const edBlob = Buffer.from(edBase64, 'base64');
const rsaBlob = Buffer.from(rsa3072.publicLine.split(' ')[1]!, 'base64');
const PUTTY = `PuTTY-User-Key-File-3: ssh-ed25519
Encryption: none
Comment: eddsa-key-20260101
Public-Lines: 2
AAAAC3NzaC1lZDI1NTE5AAAAIFnaXfTvIoMU11pZBT7piWuyMUXBUA8fuX5FEyNc
KCKj
Private-Lines: 1
AAAAIHpcb0dHoN8Ajh4u8Q3S6e5U1nbKWq5sNTzQ9F6u4LZR
Private-MAC: 0b3f4a8c6f5e0f1c`;

describe('parseSshPublicKey', () => {
  it.each([
    ['an ed25519 key', ed25519.publicLine, 'ssh-ed25519', 256],
    ['an ECDSA P-256 key', ecdsa256.publicLine, 'ecdsa-sha2-nistp256', 256],
    ['an ECDSA P-384 key', ecdsa384.publicLine, 'ecdsa-sha2-nistp384', 384],
    ['an ECDSA P-521 key', ecdsa521.publicLine, 'ecdsa-sha2-nistp521', 521],
    ['a 3072-bit RSA key', rsa3072.publicLine, 'ssh-rsa', 3072],
    ['a 4096-bit RSA key', rsa4096.publicLine, 'ssh-rsa', 4096],
    ['an ed25519 security key', securityKeyLine(ed25519.publicLine), 'sk-ssh-ed25519@openssh.com', 256],
    [
      'an ECDSA security key',
      securityKeyLine(ecdsa256.publicLine),
      'sk-ecdsa-sha2-nistp256@openssh.com',
      256,
    ],
    ['a key without a comment', `${edType} ${edBase64}`, 'ssh-ed25519', 256],
    ['a key in backticks, as Slack users paste code', `\`${ed25519.publicLine}\``, 'ssh-ed25519', 256],
    ['a key in a code block', `\`\`\`${ed25519.publicLine}\`\`\``, 'ssh-ed25519', 256],
    ['a key with tabs and spaces around it', `  ${edType}\t${edBase64}   me@laptop  `, 'ssh-ed25519', 256],
  ])('accepts %s, with the fingerprint ssh-keygen prints', (_name, line, type, bits) => {
    // WHEN
    const key = parseSshPublicKey(line);

    // THEN
    expect(key).toMatchObject({ type, bits });
    expect(key.fingerprint).toBe(sshKeygenFingerprint(line.replaceAll('`', '').trim()));
  });

  const hostile: [string, string, SshKeyRejection, string][] = [
    ['nothing', '   ', 'empty', 'Paste your public key after `add`.'],
    ['an OpenSSH private key', ed25519.privateText, 'private-key', 'That is a PRIVATE key.'],
    ['a PEM RSA private key', rsaPem.privateText, 'private-key', 'That is a PRIVATE key.'],
    ['a PKCS#8 private key', ecPkcs8.privateText, 'private-key', 'That is a PRIVATE key.'],
    ['a PuTTY private key', PUTTY, 'private-key', 'That is a PRIVATE key.'],
    [
      'the body of a private key without its armour',
      ed25519.privateText.split('\n').slice(1, -2).join(''),
      'private-key',
      'That is a PRIVATE key.',
    ],
    [
      'a key with command=',
      `command="/bin/sh" ${ed25519.publicLine}`,
      'options',
      'Paste the key without options',
    ],
    ['a key with restrict', `restrict ${ed25519.publicLine}`, 'options', 'Paste the key without options'],
    [
      'a key with from= and permitopen=',
      `from="*",permitopen="evil:22" ${ed25519.publicLine}`,
      'options',
      'without options',
    ],
    ['options alone', 'no-pty,no-agent-forwarding', 'options', 'Paste the key without options'],
    [
      'two keys on one line',
      `${ed25519.publicLine} ${ed25519b.publicLine}`,
      'several-keys',
      'Paste one key at a time',
    ],
    [
      'two keys on two lines',
      `${ed25519.publicLine}\n${ed25519b.publicLine}`,
      'several-keys',
      'Paste one key at a time',
    ],
    [
      'a key broken over two lines',
      `${edType} ${edBase64.slice(0, 30)}\n${edBase64.slice(30)}`,
      'line-break',
      'on one line',
    ],
    ['a DSA key', dsa.publicLine, 'unsupported-type', 'DSA keys are insecure'],
    ['a certificate', keys.certificate(ed25519b), 'unsupported-type', 'Certificates are not accepted'],
    ['an unknown algorithm', `ssh-foo ${edBase64}`, 'unsupported-type', 'ssh-foo keys are not accepted.'],
    [
      'a 2048-bit RSA key',
      rsa2048.publicLine,
      'weak-rsa',
      'That RSA key has 2048 bits; at least 3072 are required.',
    ],
    ['a type with no key data', 'ssh-ed25519', 'malformed', 'missing or is not base64'],
    ['key data that is not base64', 'ssh-ed25519 AAAA$$$$', 'malformed', 'missing or is not base64'],
    [
      'key data of another type',
      `ssh-ed25519 ${rsaBlob.toString('base64')}`,
      'malformed',
      'does not match its type',
    ],
    [
      'truncated key data',
      `ssh-ed25519 ${edBlob.subarray(0, 40).toString('base64')}`,
      'malformed',
      'valid SSH public key',
    ],
    [
      'key data with bytes appended',
      `ssh-ed25519 ${Buffer.concat([edBlob, Buffer.from([0, 0, 0, 1, 65])]).toString('base64')}`,
      'malformed',
      'bytes that do not belong to a key',
    ],
    [
      'an ed25519 key of the wrong length',
      `ssh-ed25519 ${sshWire(['ssh-ed25519', Buffer.alloc(31, 7)]).toString('base64')}`,
      'malformed',
      'The key data',
    ],
    [
      'an ECDSA key whose point is not on the curve',
      `ecdsa-sha2-nistp256 ${sshWire(['ecdsa-sha2-nistp256', 'nistp256', Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)])]).toString('base64')}`,
      'malformed',
      'valid SSH public key',
    ],
    [
      'a security key for another application',
      securityKeyLine(ed25519.publicLine, 'web:example.com'),
      'malformed',
      'application other than `ssh:`',
    ],
    ['a control character', `${ed25519.publicLine}\u0007`, 'malformed', 'control characters'],
    ['prose', 'please add my key', 'malformed', 'not an SSH public key'],
  ];

  it.each(hostile)('rejects %s', (_name, input, reason, message) => {
    // WHEN
    let caught: unknown;
    try {
      parseSshPublicKey(input);
    } catch (error) {
      caught = error;
    }

    // THEN
    expect(caught).toBeInstanceOf(SshKeyError);
    expect((caught as SshKeyError).reason).toBe(reason);
    expect((caught as SshKeyError).message).toContain(message);
    expect((caught as SshKeyError).message).not.toContain(edBase64.slice(10, 30));
  });

  it('tells a person who pasted a private key that it is leaked and must be rotated', () => {
    expect(() => parseSshPublicKey(ed25519.privateText)).toThrow(
      'That is a PRIVATE key. It is secret and is now exposed: treat it as leaked and rotate it.',
    );
  });

  it('throws nothing but SshKeyError on random input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.base64String()), (input) => {
        try {
          parseSshPublicKey(input);
        } catch (error) {
          if (!(error instanceof SshKeyError)) throw error;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never accepts a mutated key that OpenSSH would refuse, nor gives another fingerprint', () => {
    const valid = [ed25519, ecdsa256, rsa3072].map((k) => k.publicLine);
    const mutation = fc.oneof(
      // flip one base64 character
      fc.record({
        kind: fc.constant('replace' as const),
        at: fc.nat(),
        char: fc.constantFrom(...'AZaz09+/=!. '),
      }),
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), char: fc.constant('') }),
      fc.record({
        kind: fc.constant('insert' as const),
        at: fc.nat(),
        char: fc.constantFrom(...'AZaz09+/=\n,"'),
      }),
      // change one byte of the decoded blob
      fc.record({
        kind: fc.constant('byte' as const),
        at: fc.nat(),
        char: fc.constantFrom(...'\u0000\u0001\u007f\u00ff'),
      }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(), char: fc.constant('') }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...valid), mutation, (line, m) => {
        const [type, base64] = line.split(' ') as [string, string];
        let mutated: string;
        if (m.kind === 'byte') {
          const blob = Buffer.from(base64, 'base64');
          blob[m.at % blob.length] = m.char.charCodeAt(0);
          mutated = `${type} ${blob.toString('base64')}`;
        } else {
          const i = m.at % base64.length;
          const body =
            m.kind === 'truncate'
              ? base64.slice(0, i)
              : base64.slice(0, i) + m.char + base64.slice(m.kind === 'insert' ? i : i + 1);
          mutated = `${type} ${body}`;
        }
        let accepted: string | null = null;
        try {
          accepted = parseSshPublicKey(mutated).fingerprint;
        } catch (error) {
          if (!(error instanceof SshKeyError)) throw error;
        }
        if (accepted !== null) expect(accepted).toBe(sshKeygenFingerprint(mutated));
      }),
      { numRuns: 300 },
    );
  });

  it('reads the same wire strings it was given (helper sanity)', () => {
    expect(sshUnwire(edBlob)[0]!.toString()).toBe('ssh-ed25519');
  });
});
