import {
  formatAuthorizedKeyLine,
  formatExpiryTime,
  parseAuthorizedKeyLine,
} from '../../../ops/keys/authorized-key-line';

const KEY = {
  type: 'ssh-ed25519' as const,
  base64: 'AAAAC3NzaC1lZDI1NTE5AAAAIFnaXfTvIoMU11pZBT7piWuyMUXBUA8fuX5FEyNcKCKj',
  owner: 'U0DEVELOP01',
  expiresAt: new Date('2026-12-26T12:00:30Z'),
  permitOpen: [
    'db.cluster-abc.eu-west-1.rds.amazonaws.com:5432',
    'db.cluster-ro-abc.eu-west-1.rds.amazonaws.com:5432',
  ],
};

describe('the authorized_keys line', () => {
  it('restricts the key to port-forwarding to the database endpoints until its expiry', () => {
    expect(formatAuthorizedKeyLine(KEY)).toBe(
      'restrict,port-forwarding,permitopen="db.cluster-abc.eu-west-1.rds.amazonaws.com:5432",permitopen="db.cluster-ro-abc.eu-west-1.rds.amazonaws.com:5432",expiry-time="202612261200" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFnaXfTvIoMU11pZBT7piWuyMUXBUA8fuX5FEyNcKCKj wheelhouse:owner=U0DEVELOP01:expires=2026-12-26T12:00:00.000Z',
    );
  });

  it('reads back what it wrote, with the fingerprint ssh-keygen prints', () => {
    expect(parseAuthorizedKeyLine(formatAuthorizedKeyLine(KEY))).toEqual({
      ...KEY,
      expiresAt: new Date('2026-12-26T12:00:00Z'),
      fingerprint: 'SHA256:5r4wsNi+yVv/UEu4bRZXK/jTILBTryZY44inuT9Ee5o',
    });
  });

  it.each([
    ['a line without restrictions', `ssh-ed25519 ${KEY.base64} me@x`],
    [
      'a line with a command',
      `command="/bin/sh",restrict ssh-ed25519 ${KEY.base64} wheelhouse:owner=U0X:expires=2026-01-01T00:00:00Z`,
    ],
    ['a line of an unaccepted type', formatAuthorizedKeyLine(KEY).replace('ssh-ed25519', 'ssh-dss')],
  ])('ignores %s', (_name, line) => {
    expect(parseAuthorizedKeyLine(line)).toBeNull();
  });

  it.each([
    ['a destination with a quote', { permitOpen: ['evil",command="sh:22'] }, 'not a host:port destination'],
    ['an owner that is not a user id', { owner: 'alice' }, 'not a Slack user id: alice'],
  ])('fails on %s', (_name, change, message) => {
    expect(() => formatAuthorizedKeyLine({ ...KEY, ...change })).toThrow(message);
  });

  it('formats expiry-time in UTC to the minute', () => {
    expect(formatExpiryTime(new Date('2027-01-02T03:04:59Z'))).toBe('202701020304');
  });
});
