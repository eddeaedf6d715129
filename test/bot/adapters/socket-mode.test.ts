import { Writable } from 'node:stream';
import { startSocketModeBot } from '../../../bot/adapters/socket-mode';
import { COMMANDS } from '../../../bot/commands/registry';
import { AwsClients } from '../../../ops/aws-clients';
import { createLogger } from '../../../ops/logger';
import { TEST_CREDENTIALS, UNREACHABLE_AWS_ENDPOINT } from '../../support/aws-fakes';
import { startSlackApiRecorder } from '../../support/slack-api-recorder';
import { messageText } from '../../support/slack-bot-harness';
import { startSocketModeServer } from '../../support/slack-socket-mode-server';
import { CHANNELS, PEOPLE, testConfig } from '../fixtures/test-config';

describe('the bot in Socket Mode', () => {
  it('connects with the app token, takes a slash command from the socket and acks it with the reply', async () => {
    // GIVEN
    const recorder = await startSlackApiRecorder();
    const socket = await startSocketModeServer(recorder);
    const bot = await startSocketModeBot({
      config: testConfig(),
      commands: COMMANDS,
      aws: new AwsClients({ credentials: TEST_CREDENTIALS, endpoint: UNREACHABLE_AWS_ENDPOINT }),
      logger: createLogger({
        level: 'silent',
        destination: new Writable({ write: (_c, _e, done) => done() }),
      }),
      botToken: 'xoxb-1111-2222-testtokenvalue',
      appToken: 'xapp-1-A0TEST0001-1234-abcdef',
      slackApiUrl: recorder.apiUrl,
    });
    try {
      await socket.connected();

      // WHEN
      const ack = await socket.slashCommand({
        command: '/help',
        text: '',
        user_id: PEOPLE.outsider.userId,
        user_name: 'outsider',
        channel_id: CHANNELS.free,
        team_id: 'T0TEST0001',
        response_url: recorder.responseUrl('socket'),
        trigger_id: '1.2.3',
        api_app_id: 'A0TEST0001',
      });

      // THEN
      expect(recorder.callsOf('apps.connections.open')[0]?.token).toBe('xapp-1-A0TEST0001-1234-abcdef');
      expect(recorder.callsOf('auth.test')[0]?.token).toBe('xoxb-1111-2222-testtokenvalue');
      expect(ack.payload).toMatchObject({ response_type: 'ephemeral' });
      expect(messageText(ack.payload)).toContain(
        '/bastion-key <env> add <public key> | list | remove <fingerprint>',
      );
    } finally {
      await bot.stop();
      await socket.close();
      await recorder.close();
    }
  });
});
