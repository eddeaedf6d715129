import type { CommandModule } from '../../../bot/commands/command';
import { COMMANDS } from '../../../bot/commands/registry';
import { ephemeral, inChannel } from '../../../slack/reply';
import { messageText, startTestBot, type TestBot } from '../../support/slack-bot-harness';
import { CHANNELS, PEOPLE, testConfig } from '../fixtures/test-config';

let release: () => void = () => {};
const gate = () => new Promise<void>((resolve) => (release = resolve));

/** A command used only here, to drive slow work, progress threads, errors and secrets through the framework. */
const probeCommand: CommandModule = {
  name: 'probe',
  usage: '/probe <what>',
  summary: 'test only',
  permission: null,
  parse: (text) => ({
    environment: null,
    auditArgs: text,
    async run(ctx) {
      if (text === 'slow') {
        await gate();
        return ephemeral('slow work done');
      }
      if (text === 'progress') {
        const thread = await ctx.startProgress('/probe progress');
        thread?.update('step 1 of 2');
        await new Promise((r) => setTimeout(r, 50));
        thread?.update('step 2 of 2');
        await new Promise((r) => setTimeout(r, 50));
        await thread?.finish(inChannel('all steps done'), 'succeeded');
        return ephemeral('progress done');
      }
      if (text === 'crash') throw new Error('database password=hunter2 exploded');
      if (text === 'leak')
        return ephemeral('token xoxb-1234-5678-abcdefghijkl and postgres://app:s3cret@db:5432/x');
      return ephemeral(`probe ${text}`);
    },
  }),
};

describe('the bot in HTTP mode', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot({
      config: testConfig(),
      commands: [...COMMANDS, probeCommand],
      ackBudgetMs: 300,
    });
  });
  afterAll(() => bot.stop());

  it('answers a signed /help in the ack itself, audits it in the log and in the audit channel', async () => {
    // WHEN
    const { ack } = await bot.command(PEOPLE.outsider.userId, CHANNELS.free, 'help', '');

    // THEN
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ response_type: 'ephemeral' });
    const text = messageText(ack.body);
    for (const command of COMMANDS) expect(text).toContain(command.usage);
    expect(bot.logs).toContainEqual(
      expect.objectContaining({
        audit: expect.objectContaining({
          userId: PEOPLE.outsider.userId,
          command: '/help',
          outcome: 'ok',
          environment: null,
        }),
      }),
    );
    await bot.recorder.waitFor(
      () => bot.recorder.callsOf('chat.postMessage').length > 0,
      2000,
      'the audit post',
    );
    const post = bot.recorder.callsOf('chat.postMessage')[0]!;
    expect(post.args.channel).toBe('C0AUDIT0001');
    expect(String(post.args.text)).toContain(`<@${PEOPLE.outsider.userId}> ran \`/help\``);
  });

  it.each([
    ['a bad signature', { signature: 'bad' as const }],
    ['a stale timestamp', { timestamp: Math.floor(Date.now() / 1000) - 10 * 60 }],
    ['no signature', { signature: 'omit' as const }],
  ])('rejects a request with %s and does nothing', async (_name, signing) => {
    // GIVEN
    const logsBefore = bot.logs.filter((l) => l.audit).length;
    const callsBefore = bot.recorder.calls.length;

    // WHEN
    const { ack, responseUrlId } = await bot.command(
      PEOPLE.platform.userId,
      CHANNELS.free,
      'probe',
      'hello',
      signing,
    );

    // THEN
    expect(ack.status).toBe(401);
    await new Promise((r) => setTimeout(r, 100));
    expect(bot.logs.filter((l) => l.audit)).toHaveLength(logsBefore);
    expect(bot.recorder.calls).toHaveLength(callsBefore);
    expect(bot.recorder.responsesTo(responseUrlId)).toEqual([]);
  });

  it.each([
    ['an unknown subcommand', 'bastion-key', 'dev frobnicate', 'Unknown subcommand "frobnicate"'],
    ['an unknown environment', 'status', 'qa', 'There is no environment "qa"; known: dev, stage, prod.'],
    [
      'a missing environment outside bound channels',
      'status',
      '',
      'Which environment? Name one of: dev, stage, prod.',
    ],
    ['an extra argument', 'status', 'dev now', 'Unexpected argument "now".'],
  ])('answers %s with an ephemeral usage line', async (_name, command, text, message) => {
    // WHEN
    const { ack } = await bot.command(PEOPLE.platform.userId, CHANNELS.free, command, text);

    // THEN
    expect(ack.body).toMatchObject({ response_type: 'ephemeral' });
    const shown = messageText(ack.body);
    expect(shown).toContain(message);
    expect(shown).toContain(`Usage: \`${COMMANDS.find((c) => c.name === command)!.usage}\``);
  });

  it('acks slow work within the budget and sends the reply to response_url; other commands are not held up', async () => {
    // WHEN
    const started = Date.now();
    const slow = await bot.command(PEOPLE.platform.userId, CHANNELS.free, 'probe', 'slow');
    const ackMs = Date.now() - started;
    const quick = await bot.command(PEOPLE.platform.userId, CHANNELS.free, 'probe', 'quick');

    // THEN
    expect(ackMs).toBeLessThan(1500);
    expect(messageText(slow.ack.body)).toContain('Working on `/probe slow`');
    expect(messageText(quick.ack.body)).toContain('probe quick');
    expect(bot.recorder.responsesTo(slow.responseUrlId)).toEqual([]);
    release();
    await bot.recorder.waitFor(
      () => bot.recorder.responsesTo(slow.responseUrlId).length === 1,
      2000,
      'the slow reply',
    );
    expect(bot.recorder.responsesTo(slow.responseUrlId)[0]).toMatchObject({
      response_type: 'ephemeral',
      replace_original: true,
      text: 'slow work done',
    });
  });

  it('reports long work in one thread message that it edits, not in new messages', async () => {
    // GIVEN
    const postsBefore = bot.recorder
      .callsOf('chat.postMessage')
      .filter((c) => c.args.channel === CHANNELS.dev).length;

    // WHEN
    await bot.command(PEOPLE.platform.userId, CHANNELS.dev, 'probe', 'progress');
    await bot.recorder.waitFor(
      () => bot.recorder.callsOf('chat.update').some((c) => messageText(c.args).includes('all steps done')),
      3000,
      'the final edit',
    );

    // THEN
    const posts = bot.recorder.callsOf('chat.postMessage').filter((c) => c.args.channel === CHANNELS.dev);
    expect(posts.length - postsBefore).toBe(2);
    const [parent, progress] = posts.slice(postsBefore);
    expect(parent!.args.thread_ts).toBeUndefined();
    expect(progress!.args.thread_ts).toBeDefined();
    const edits = bot.recorder.callsOf('chat.update');
    const progressTs = edits.find((e) => messageText(e.args).includes('all steps done'))!.args.ts;
    const progressEdits = edits.filter((e) => e.args.ts === progressTs).map((e) => messageText(e.args));
    expect(progressEdits.some((text) => text.includes('step 2 of 2'))).toBe(true);
    expect(edits.some((e) => messageText(e.args).includes('/probe progress: succeeded'))).toBe(true);
  });

  it('answers an internal error with a correlation id that is in the log, and no detail', async () => {
    // WHEN
    const { ack } = await bot.command(PEOPLE.platform.userId, CHANNELS.free, 'probe', 'crash');

    // THEN
    const shown = messageText(ack.body);
    const id = /`(wh-[0-9a-z]{12})`/.exec(shown)?.[1];
    expect(id).toBeDefined();
    expect(shown).not.toContain('exploded');
    const line = bot.logs.find((l) => l.correlationId === id && l.msg === 'command failed');
    expect(line).toBeDefined();
    expect(JSON.stringify(line)).not.toContain('hunter2');
  });

  it('redacts secret-looking values from every message it sends', async () => {
    // WHEN
    const { ack } = await bot.command(PEOPLE.platform.userId, CHANNELS.free, 'probe', 'leak');

    // THEN
    const shown = messageText(ack.body);
    expect(shown).not.toContain('xoxb-1234');
    expect(shown).not.toContain('s3cret');
    expect(shown).toContain('postgres://app:[redacted]@db:5432/x');
  });

  it('never logs the bot token or the signing secret', async () => {
    expect(JSON.stringify(bot.logs)).not.toMatch(/xoxb-1111|8f742231b10e/);
  });
});
