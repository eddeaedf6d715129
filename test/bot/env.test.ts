import { BOT_ENV_VARS, readBotEnv } from '../../bot/env';
import { StartupError } from '../../bot/startup-error';
import { testConfig } from './fixtures/test-config';

const config = testConfig();
const BOT = 'xoxb-1234567890-abcdefghij';
const APP = 'xapp-1-A0123-456-abcdef';
const SECRET = '0123456789abcdef0123456789abcdef';

describe('readBotEnv', () => {
  it('reads the drain time from WHEELHOUSE_DRAIN_SECONDS, 110 s by default', () => {
    expect(readBotEnv({}, config).drainSeconds).toBe(110);
    expect(readBotEnv({ WHEELHOUSE_DRAIN_SECONDS: '30' }, config).drainSeconds).toBe(30);
    expect(readBotEnv({ WHEELHOUSE_DRAIN_SECONDS: '0.5' }, config).drainSeconds).toBe(0.5);
  });

  it.each(['-1', 'soon', '7200'])(
    'fails start-up on WHEELHOUSE_DRAIN_SECONDS=%s with the variable and the fix',
    (value) => {
      expect(() => readBotEnv({ WHEELHOUSE_DRAIN_SECONDS: value }, config)).toThrow(
        `WHEELHOUSE_DRAIN_SECONDS: must be a number of seconds from 0 to 3600, got "${value}"`,
      );
    },
  );

  it.each([
    ['no Slack variables', {}, 'shell'],
    ['a bot and an app token', { SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP }, 'socket'],
    ['a bot token and a signing secret', { SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: SECRET }, 'http'],
    [
      'all three (Socket Mode wins)',
      { SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP, SLACK_SIGNING_SECRET: SECRET },
      'socket',
    ],
  ])('picks the mode from %s', (_name, env, kind) => {
    expect(readBotEnv(env, config).mode.kind).toBe(kind);
  });

  it('serves HTTP on PORT, 3000 by default', () => {
    const http = (env: NodeJS.ProcessEnv) =>
      readBotEnv({ SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: SECRET, ...env }, config).mode;
    expect(http({})).toMatchObject({ kind: 'http', port: 3000 });
    expect(http({ PORT: '8080' })).toMatchObject({ kind: 'http', port: 8080 });
  });

  it.each([
    [
      'a signing secret without a bot token',
      { SLACK_SIGNING_SECRET: SECRET },
      'SLACK_BOT_TOKEN',
      'is missing: copy the Bot User OAuth Token',
    ],
    [
      'a user token as the bot token',
      { SLACK_BOT_TOKEN: 'xoxp-1234567890-abcdef', SLACK_APP_TOKEN: APP },
      'SLACK_BOT_TOKEN',
      'must start with xoxb- (got a xoxp-… token)',
    ],
    [
      'a bot token as the app token',
      { SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: BOT },
      'SLACK_APP_TOKEN',
      'must start with xapp- (got a xoxb-… token)',
    ],
    [
      'a bot token alone',
      { SLACK_BOT_TOKEN: BOT },
      'SLACK_APP_TOKEN or SLACK_SIGNING_SECRET',
      'one is needed with SLACK_BOT_TOKEN',
    ],
    [
      'a malformed signing secret',
      { SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: 'not-hex' },
      'SLACK_SIGNING_SECRET',
      'expected 32 hexadecimal characters, got 7 characters',
    ],
    [
      'a bad port',
      { SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: SECRET, PORT: 'http' },
      'PORT',
      'must be a TCP port number (0-65535), got "http"',
    ],
    ['a bad Slack API URL', { SLACK_API_URL: 'slack.local' }, 'SLACK_API_URL', 'must be an http(s) URL'],
    [
      'a shell user that is not a user id',
      { WHEELHOUSE_USER_ID: 'alice' },
      'WHEELHOUSE_USER_ID',
      'must be a Slack user id (U… or W…), got "alice"',
    ],
    [
      'shell groups that are not group ids',
      { WHEELHOUSE_USER_GROUPS: 'S0ONE,@devs' },
      'WHEELHOUSE_USER_GROUPS',
      'got "@devs"',
    ],
  ])('stops start-up on %s, naming the variable and the fix', (_name, env, setting, fix) => {
    // WHEN
    let caught: unknown;
    try {
      readBotEnv(env, config);
    } catch (error) {
      caught = error;
    }

    // THEN
    expect(caught).toBeInstanceOf(StartupError);
    expect((caught as StartupError).setting).toBe(setting);
    expect((caught as StartupError).message).toContain(fix);
  });

  it('never puts a token in its messages', () => {
    const secretish = 'xoxp-9999999999-supersecretvalue';
    expect(() => readBotEnv({ SLACK_BOT_TOKEN: secretish, SLACK_APP_TOKEN: APP }, config)).toThrow(
      'SLACK_BOT_TOKEN: must start with xoxb- (got a xoxp-… token)',
    );
    try {
      readBotEnv({ SLACK_BOT_TOKEN: secretish, SLACK_APP_TOKEN: APP }, config);
    } catch (error) {
      expect((error as Error).message).not.toContain('supersecret');
    }
  });

  it("acts in the shell as the configuration's first admin unless told otherwise", () => {
    expect(readBotEnv({ USER: 'ada' }, config).mode).toEqual({
      kind: 'shell',
      user: { id: 'U0PLATFORM1', name: 'ada', groups: [], channelId: 'shell' },
    });
    expect(
      readBotEnv(
        {
          [BOT_ENV_VARS.userId]: 'U0DEVELOP01',
          [BOT_ENV_VARS.userName]: 'dev',
          [BOT_ENV_VARS.userGroups]: 'S0DEVELOPER, S0ONCALL001',
          [BOT_ENV_VARS.channelId]: 'C0DEVOPS001',
        },
        config,
      ).mode,
    ).toEqual({
      kind: 'shell',
      user: {
        id: 'U0DEVELOP01',
        name: 'dev',
        groups: ['S0DEVELOPER', 'S0ONCALL001'],
        channelId: 'C0DEVOPS001',
      },
    });
  });
});
