import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { BOT_SCOPES } from '../../bot/adapters/slack-scopes';
import { COMMANDS } from '../../bot/commands/registry';
import { messageText, startTestBot } from '../support/slack-bot-harness';
import { CHANNELS, PEOPLE, testConfig } from './fixtures/test-config';

const root = join(__dirname, '..', '..');
const schema = JSON.parse(
  readFileSync(join(root, 'vendor/slack/manifest.schema.1.0.0.json'), 'utf8'),
) as object;
const manifest = parse(readFileSync(join(root, 'manifest.yml'), 'utf8')) as {
  features: { slash_commands: { command: string; usage_hint?: string }[] };
  oauth_config: { scopes: { bot: string[] } };
  settings: { interactivity: { is_enabled: boolean }; socket_mode_enabled: boolean };
};

function validator() {
  // strict: false because Slack's schema uses a non-standard `regex` keyword and the `uri` format.
  return new Ajv({ strict: false, allErrors: true }).compile(schema);
}

describe('manifest.yml', () => {
  it("is valid against Slack's published manifest schema", () => {
    const validate = validator();
    const valid = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('fails validation when it is broken (the schema check is real)', () => {
    // GIVEN
    const broken = {
      ...manifest,
      features: { ...manifest.features, slash_commands: [{ command: 'status' }] },
    };

    // WHEN
    const validate = validator();
    validate(broken);

    // THEN
    expect(validate.errors?.map((e) => `${e.instancePath} ${e.message}`)).toEqual(
      expect.arrayContaining(['/features/slash_commands/0/command must match pattern "^\\/"']),
    );
  });

  it('declares every registered command, and registers every declared command', () => {
    const declared = manifest.features.slash_commands.map((c) => c.command).sort();
    const registered = COMMANDS.map((c) => `/${c.name}`).sort();
    expect(declared).toEqual(registered);
  });

  it.each(COMMANDS.map((c) => [c.name, c.usage] as const))(
    'gives /%s the usage hint of its module',
    (name, usage) => {
      const entry = manifest.features.slash_commands.find((c) => c.command === `/${name}`);
      expect(`/${name} ${entry?.usage_hint}`).toBe(usage);
    },
  );

  it('declares exactly the bot scopes the code uses', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(Object.values(BOT_SCOPES).sort());
  });

  it('enables interactivity exactly when a command has buttons, and Socket Mode', () => {
    const hasButtons = COMMANDS.some((c) => (c.actions ?? []).length > 0);
    expect(manifest.settings.interactivity.is_enabled).toBe(hasButtons);
    expect(manifest.settings.socket_mode_enabled).toBe(true);
  });
});

describe('the running bot and manifest.yml', () => {
  it('answers every declared command with a handler of its own', async () => {
    // GIVEN
    const bot = await startTestBot({ config: testConfig() });
    try {
      for (const { command } of manifest.features.slash_commands) {
        // WHEN
        const { ack } = await bot.command(PEOPLE.platform.userId, CHANNELS.free, command.slice(1), '');

        // THEN
        expect(ack.status).toBe(200);
        expect(messageText(ack.body)).not.toBe('');
      }
    } finally {
      await bot.stop();
    }
  });
});
