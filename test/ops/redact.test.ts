import { REDACTED, redact, redactDeep } from '../../ops/redact';

describe('redact', () => {
  it.each([
    ['a bot token', 'token is xoxb-123456789012-abcdefABCDEF', 'xoxb-123456789012'],
    ['an app token', 'xapp-1-A0123456-789-abcdef0123', 'xapp-1-A0123456'],
    ['an AWS access key id', 'key AKIAIOSFODNN7EXAMPLE here', 'AKIAIOSFODNN7EXAMPLE'],
    [
      'an AWS secret assignment',
      'aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'wJalrXUtnFEMI',
    ],
    ['a password in a connection string', 'postgres://app:s3cr3t@db.internal:5432/app', 's3cr3t'],
    ['a libpq password', 'host=db user=app password=hunter2 dbname=x', 'hunter2'],
    ['a JSON secret', '{"client_secret": "abc123def456"}', 'abc123def456'],
    ['a bearer token', 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig', 'eyJhbGciOiJIUzI1NiJ9'],
    [
      'a private key block',
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA\n-----END OPENSSH PRIVATE KEY-----',
      'b3BlbnNzaC1rZXktdjEAAAA',
    ],
    ['the body of a private key', 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ', 'AAAAABG5vbmUA'],
    ['a Slack webhook', 'https://hooks.slack.com/services/T000/B000/XXXXXXXX', 'T000/B000'],
  ])('removes %s', (_name, text, secret) => {
    const out = redact(text);
    expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
  });

  it.each([
    ['a public key', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFnaXfTvIoMU11pZBT7piWuyMUXBUA8fuX5FEyNcKCKj me@x'],
    ['a fingerprint', 'SHA256:5r4wsNi+yVv/UEu4bRZXK/jTILBTryZY44inuT9Ee5o'],
    ['a tunnel command', 'ssh -N -L 127.0.0.1:15432:db.example.com:5432 tunnel@bastion.example.com'],
    ['a URL without credentials', 'https://example.com/path?q=1'],
  ])('leaves %s alone', (_name, text) => {
    expect(redact(text)).toBe(text);
  });

  it('redacts every string inside blocks and keeps clean objects as they are', () => {
    const clean = { blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'all fine' } }] };
    const dirty = { blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'password=hunter2' } }] };
    expect(redactDeep(clean)).toBe(clean);
    expect(JSON.stringify(redactDeep(dirty))).not.toContain('hunter2');
  });
});
