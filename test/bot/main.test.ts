/** `npm start` as a person runs it: the real entry point in a child process. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function start(
  env: NodeJS.ProcessEnv,
  input = '',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const clean: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...env };
    const child = spawn(process.execPath, ['--import', 'tsx', 'bot/main.ts'], { cwd: ROOT, env: clean });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('npm start', () => {
  it('opens the local shell with no Slack tokens, says what to set, and answers commands', async () => {
    // WHEN
    const { code, stdout } = await start(
      { WHEELHOUSE_CONFIG: 'test/bot/fixtures/wheelhouse.yml' },
      '/help\nbastion-key dev remove SHA256:kub77RYh1fXxmavuGW3Pn7DxT8mQhncZ/LyqvTwGUyA\nexit\n',
    );

    // THEN
    expect(code).toBe(0);
    expect(stdout).toContain('Wheelhouse local shell');
    expect(stdout).toContain(
      'set SLACK_BOT_TOKEN with SLACK_APP_TOKEN (Socket Mode) or with SLACK_SIGNING_SECRET (HTTP on PORT)',
    );
    expect(stdout).toContain('/status <env>');
    expect(stdout).toContain('Plan only: no AWS credentials, nothing was changed.');
  });

  it.each([
    [
      { SLACK_BOT_TOKEN: 'xoxp-123456789012-abcdef', SLACK_APP_TOKEN: 'xapp-1-abcdefghijkl' },
      'SLACK_BOT_TOKEN: must start with xoxb-',
    ],
    [{ WHEELHOUSE_CONFIG: 'no/such/wheelhouse.yml' }, 'cannot read the file: create it'],
  ])('stops with a message that names what to fix (%o)', async (env, message) => {
    const { code, stderr } = await start(env);
    expect(code).toBe(2);
    expect(stderr).toContain('wheelhouse bot cannot start:');
    expect(stderr).toContain(message);
    expect(stderr).not.toContain('abcdef');
  });
});
