/**
 * A graceful stop of a bot instance: the real entry point taking SIGTERM, and `shutdown()` on a bot
 * with deploys, scale watches and commands in flight against the offline AWS world and Slack stand-ins.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startSocketModeBot } from '../../bot/adapters/socket-mode';
import type { CommandModule } from '../../bot/commands/command';
import { COMMANDS } from '../../bot/commands/registry';
import { readBotEnv } from '../../bot/env';
import { shutdown } from '../../bot/shutdown';
import { AwsClients } from '../../ops/aws-clients';
import { DeployStateStore } from '../../ops/deploy/deploy-state';
import { createLogger } from '../../ops/logger';
import { ephemeral } from '../../slack/reply';
import { TEST_CREDENTIALS } from '../support/aws-fakes';
import { DatadogFake } from '../support/datadog-fake';
import { type DeployWorld, startDeployWorld } from '../support/deploy-world';
import { type LbHealthServers, startLbHealthServers } from '../support/lb-health-servers';
import { finalMessage } from '../support/progress-threads';
import { startSlackApiRecorder } from '../support/slack-api-recorder';
import {
  messageText,
  startTestBot,
  TEST_BOT_TOKEN,
  TEST_SIGNING_SECRET,
  type TestBot,
} from '../support/slack-bot-harness';
import { slackSignatureHeaders, slashCommandBody } from '../support/slack-request';
import { startSocketModeServer } from '../support/slack-socket-mode-server';
import { CHANNELS, PEOPLE, testConfig } from './fixtures/test-config';

const ROOT = join(__dirname, '..', '..');
const config = testConfig();
const APP_TOKEN = 'xapp-1-A0TEST0001-1234-abcdef';
const RESTARTING = 'This bot instance is restarting';

/** The drain deadline as the bot reads it from WHEELHOUSE_DRAIN_SECONDS. */
function drainMsFrom(seconds: string): number {
  return readBotEnv({ WHEELHOUSE_DRAIN_SECONDS: seconds }, config).drainSeconds * 1000;
}

/** A logger that keeps its lines, for the shutdown's own log. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger({ level: 'info', destination }), lines };
}

/** `npm start` in a child process, with its output collected. */
class BotProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  private readonly child: ChildProcessWithoutNullStreams;

  constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, ['--import', 'tsx', 'bot/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        WHEELHOUSE_CONFIG: 'test/bot/fixtures/wheelhouse.yml',
        ...env,
      },
    });
    this.child.stdout.on('data', (c: Buffer) => (this.stdout += c.toString()));
    this.child.stderr.on('data', (c: Buffer) => (this.stderr += c.toString()));
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
    );
  }

  /** Waits until stdout shows `text`. */
  async waitFor(text: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.stdout.includes(text)) {
      if (Date.now() > deadline) {
        this.child.kill('SIGKILL');
        throw new Error(
          `no "${text}" within ${timeoutMs} ms; stdout: ${this.stdout}; stderr: ${this.stderr}`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  signal(signal: NodeJS.Signals): number {
    this.child.kill(signal);
    return Date.now();
  }
}

describe('npm start taking SIGTERM while idle', () => {
  it('stops the local shell at once and exits 0', async () => {
    // GIVEN the shell, waiting for input
    const bot = new BotProcess({ WHEELHOUSE_DRAIN_SECONDS: '30' });
    await bot.waitFor('Wheelhouse local shell');

    // WHEN
    const sent = bot.signal('SIGTERM');

    // THEN
    const { code, at } = await bot.exited;
    expect(code).toBe(0);
    expect(at - sent).toBeLessThan(3000);
  });

  it('stops listening in HTTP mode and exits 0, without waiting for the drain deadline', async () => {
    // GIVEN
    const recorder = await startSlackApiRecorder();
    try {
      const bot = new BotProcess({
        SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
        SLACK_SIGNING_SECRET: '0123456789abcdef0123456789abcdef',
        PORT: '0',
        SLACK_API_URL: recorder.apiUrl,
        WHEELHOUSE_DRAIN_SECONDS: '30',
      });
      await bot.waitFor('"msg":"ready"');

      // WHEN
      const sent = bot.signal('SIGTERM');

      // THEN
      const { code, at } = await bot.exited;
      expect(code).toBe(0);
      expect(at - sent).toBeLessThan(3000);
      expect(bot.stdout).toContain('"signal":"SIGTERM"');
      expect(bot.stdout).toMatch(
        /"inFlight":0,"interrupted":false,"abandoned":false,"durationMs":\d+,"msg":"stopped"/,
      );
    } finally {
      await recorder.close();
    }
  });

  it('disconnects from Slack in Socket Mode (Slack then uses the other replica) and exits 0', async () => {
    // GIVEN
    const recorder = await startSlackApiRecorder();
    const socket = await startSocketModeServer(recorder);
    try {
      const bot = new BotProcess({
        SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
        SLACK_APP_TOKEN: APP_TOKEN,
        SLACK_API_URL: recorder.apiUrl,
        WHEELHOUSE_DRAIN_SECONDS: '30',
      });
      await bot.waitFor('"msg":"ready"');
      expect(socket.isConnected).toBe(true);

      // WHEN
      const sent = bot.signal('SIGTERM');

      // THEN
      await socket.disconnected();
      const { code, at } = await bot.exited;
      expect(code).toBe(0);
      expect(at - sent).toBeLessThan(3000);
      expect(bot.stdout).toContain('"msg":"stopped"');
    } finally {
      await socket.close();
      await recorder.close();
    }
  });
});

describe('shutdown of a bot instance with work in flight', () => {
  let health: LbHealthServers;
  let world: DeployWorld;
  const stoppers: (() => Promise<void>)[] = [];
  const savedEnv = { ...process.env };
  beforeAll(async () => {
    health = await startLbHealthServers();
  });
  beforeEach(async () => {
    // The Datadog guard is a no-op unless a test gives it keys.
    for (const key of ['DD_API_KEY', 'DD_APP_KEY', 'DATADOG_API_URL']) delete process.env[key];
    world = await startDeployWorld(config, health);
  });
  afterEach(async () => {
    for (const stop of stoppers.splice(0).reverse()) await stop();
    await world.close();
    process.env = { ...savedEnv };
  });
  afterAll(() => health.close());

  /** One bot instance (a replica) in HTTP mode on the world. */
  async function replica(aws: AwsClients = world.aws()): Promise<TestBot> {
    const bot = await startTestBot({ config, aws });
    bot.recorder.setGroupMembers('S0DEVELOPER', [PEOPLE.developer.userId]);
    for (const group of ['S0PLATFORM1', 'S0ONCALL001']) bot.recorder.setGroupMembers(group, []);
    stoppers.push(() => bot.stop());
    return bot;
  }

  /** AWS clients for the test's own checks. */
  function checks(): AwsClients {
    const aws = world.aws();
    stoppers.push(() => aws.destroy());
    return aws;
  }

  it('lets a deploy in flight finish before the deadline, records it and unlocks, then stops', async () => {
    // GIVEN a deploy whose stack update is still running
    const bot = await replica();
    const release = world.deployer.hold();
    const { ack } = await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'deploy', 'dev v1.5.0');
    expect(messageText(ack.body)).toContain('follow the thread');
    await bot.recorder.waitFor(() => world.deployer.calls.length === 1, 5000, 'the stack update');
    const { logger, lines } = capturingLogger();

    // WHEN the instance is told to stop, and CloudFormation finishes a moment later
    const stopping = shutdown(bot.bot, { drainMs: drainMsFrom('20'), logger });
    setTimeout(release, 200);
    const result = await stopping;

    // THEN the deploy ended normally before the deadline
    expect(result).toMatchObject({ inFlight: 1, interrupted: false, abandoned: false });
    expect(result.durationMs).toBeLessThan(10_000);
    expect(await finalMessage(bot, /Deployed v1\.5\.0 to dev in \d+s\./, 100)).toContain('`v1.4.2`');
    expect(world.service.version).toBe('v1.5.0');
    const store = new DeployStateStore(checks(), world.environment('dev'));
    expect(await store.listHistory(1)).toEqual([
      expect.objectContaining({ version: 'v1.5.0', outcome: 'succeeded' }),
    ]);
    expect(await store.readLock(new Date())).toBeNull();
    expect(lines.map((l) => l.msg)).toEqual([
      'stopping: no new commands; waiting for the work in flight (a second signal interrupts it now)',
      'stopped',
    ]);
  });

  it('interrupts a deploy still running at the deadline: history, thread, unmute and unlock', async () => {
    // GIVEN Datadog (stage mutes its monitors while it deploys) and a stack update that does not end in time
    const dd = await DatadogFake.start();
    stoppers.push(() => dd.close());
    Object.assign(process.env, dd.env());
    const bot = await replica();
    world.deployer.hold();
    await bot.command(PEOPLE.developer.userId, CHANNELS.stage, 'deploy', 'stage v1.5.0');
    await bot.recorder.waitFor(() => world.deployer.calls.length === 1, 5000, 'the stack update');
    expect(dd.downtimes.size).toBe(1);
    const { logger, lines } = capturingLogger();

    // WHEN
    const drainMs = drainMsFrom('0.5');
    const result = await shutdown(bot.bot, { drainMs, logger });

    // THEN it was interrupted at the deadline, and everything it holds was given back before the stop ended
    expect(result).toMatchObject({ inFlight: 1, interrupted: true, abandoned: false });
    expect(result.durationMs).toBeGreaterThanOrEqual(drainMs);
    expect(result.durationMs).toBeLessThan(drainMs + 3000);
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'interrupting the work in flight', why: 'drain deadline' }),
    );
    // AND the thread says what happened, in which step, and what to do
    const final = await finalMessage(
      bot,
      /The deploy of v1\.5\.0 to stage was interrupted after \d+s: the bot instance stopped during the stack update\./,
      100,
    );
    expect(final).toContain('*The bot instance running this deploy stopped*');
    expect(final).toContain('CloudFormation carries on with the stack update to `v1.5.0` by itself');
    expect(final).toContain('The health check, the bake and the automatic rollback did not run.');
    expect(final).toContain('released the lock');
    expect(final).toContain(
      '`/status stage` shows what runs now and `/deploy history stage` how deploys ended. Then redeploy with `/deploy stage v1.5.0`, or go back with `/rollback stage`.',
    );
    expect(final).toContain('*Stopped during*\ndeploying');
    const parent = bot.recorder.callsOf('chat.update').map((c) => messageText(c.args));
    expect(parent).toContainEqual(
      expect.stringMatching(
        /Deploying `v1\.5\.0` to stage .*: The deploy of v1\.5\.0 to stage was interrupted/,
      ),
    );
    // AND history has it, the lock is free and the mute is over
    const store = new DeployStateStore(checks(), world.environment('stage'));
    expect(await store.listHistory(1)).toEqual([
      expect.objectContaining({
        version: 'v1.5.0',
        previousVersion: 'v1.4.2',
        outcome: 'interrupted',
        reason: 'the bot instance stopped during the stack update',
      }),
    ]);
    expect(await store.readLock(new Date())).toBeNull();
    const [downtime] = [...dd.downtimes.values()];
    // Unmuted: the downtime now ends once the muted monitors judge only data from after the rollout.
    expect((downtime!.attributes as { status: string }).status).toBe('active');
    expect(
      dd.writes().filter((w) => w.method === 'PATCH' && w.path.startsWith('/api/v2/downtime/')),
    ).toHaveLength(1);
    expect(dd.events.map((e) => e.title)).toContain('Deploy v1.5.0 to stage: interrupted');

    // WHEN someone asks the other replica
    const other = await replica();
    const history = await other.command(PEOPLE.developer.userId, CHANNELS.stage, 'deploy', 'history stage');

    // THEN /deploy history shows the interrupted deploy
    expect(messageText(history.ack.body)).toMatch(
      /:double_vertical_bar: .* · `v1\.5\.0` · deploy by <@U0DEVELOP01> · interrupted \(the bot instance stopped during the stack update\)/,
    );
  });

  it('interrupts at once on a second signal, without waiting for the deadline', async () => {
    // GIVEN a stop under way with a deploy in flight and a long drain deadline
    const bot = await replica();
    world.deployer.hold();
    await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'deploy', 'dev v1.5.0');
    await bot.recorder.waitFor(() => world.deployer.calls.length === 1, 5000, 'the stack update');
    const { logger, lines } = capturingLogger();
    const stopping = shutdown(bot.bot, { drainMs: drainMsFrom('60'), logger });

    // WHEN a second signal comes (what bot/main.ts does on one)
    await new Promise((r) => setTimeout(r, 100));
    bot.bot.drain.abort();

    // THEN
    const result = await stopping;
    expect(result).toMatchObject({ interrupted: true, abandoned: false });
    expect(result.durationMs).toBeLessThan(5000);
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'interrupting the work in flight', why: 'second signal' }),
    );
    await finalMessage(bot, /The deploy of v1\.5\.0 to dev was interrupted/, 100);
  });

  it('stops a scale watch at the deadline and says the scale itself was applied', async () => {
    // GIVEN a scale whose tasks never all start, watched for up to a minute
    const aws = new AwsClients({
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
      endpoint: world.dynalite.endpoint,
      watch: { pollIntervalMs: 10, scaleDeadlineMs: 60_000 },
    });
    const bot = await replica(aws);
    world.service.stuck = true;
    const { ack } = await bot.command(PEOPLE.developer.userId, CHANNELS.dev, 'scale', 'dev 3');
    expect(messageText(ack.body)).toContain('Watching the tasks in the thread.');

    // WHEN
    const result = await shutdown(bot.bot, { drainMs: drainMsFrom('0.3'), logger: capturingLogger().logger });

    // THEN
    expect(result).toMatchObject({ inFlight: 1, interrupted: true, abandoned: false });
    expect(await finalMessage(bot, /stopped watching/, 100)).toContain(
      'The scale itself was applied; `/status dev` shows the tasks now.',
    );
    expect(world.service.desired).toBe(3);
  });

  it('answers a command that arrives while draining with the restarting reply, and disconnects once earlier commands are answered', async () => {
    // GIVEN a Socket Mode replica answering a slow command (its ack still pending)
    const recorder = await startSlackApiRecorder();
    const socket = await startSocketModeServer(recorder);
    stoppers.push(() => recorder.close());
    stoppers.push(() => socket.close());
    let answerSlow: () => void = () => {};
    let onSlowStarted: () => void = () => {};
    const slowStarted = new Promise<void>((resolve) => (onSlowStarted = resolve));
    const slowCommand: CommandModule = {
      name: 'slow',
      usage: '/slow',
      summary: 'test only: answers when the test says so',
      permission: null,
      parse: () => ({
        environment: null,
        auditArgs: '',
        run: () =>
          new Promise((resolve) => {
            answerSlow = () => resolve(ephemeral('slow answer'));
            onSlowStarted();
          }),
      }),
    };
    const bot = await startSocketModeBot({
      config,
      commands: [...COMMANDS, slowCommand],
      aws: checks(),
      logger: createLogger({
        level: 'silent',
        destination: new Writable({ write: (_c, _e, done) => done() }),
      }),
      botToken: TEST_BOT_TOKEN,
      appToken: APP_TOKEN,
      slackApiUrl: recorder.apiUrl,
      identity: { botId: 'B0BOT00001', botUserId: 'U0BOTUSER1' },
      // Long enough that the slow command's ack waits for its answer.
      ackBudgetMs: 10_000,
    });
    stoppers.push(() => bot.stop());
    await socket.connected();
    const envelope = (command: string, text: string) => ({
      command,
      text,
      user_id: PEOPLE.developer.userId,
      user_name: 'developer',
      channel_id: CHANNELS.stage,
      team_id: 'T0TEST0001',
      response_url: recorder.responseUrl(command),
      trigger_id: '1.2.3',
      api_app_id: 'A0TEST0001',
    });
    const slowAck = socket.slashCommand(envelope('/slow', ''));
    await slowStarted;

    // WHEN the instance starts to stop, and a deploy is asked for meanwhile
    const stopping = shutdown(bot, { drainMs: 10_000, logger: capturingLogger().logger });
    const late = await socket.slashCommand(envelope('/deploy', 'stage v1.5.0'));

    // THEN the deploy is refused with what to do, and nothing was started or locked
    expect(late.payload).toMatchObject({ response_type: 'ephemeral' });
    expect(messageText(late.payload)).toContain(`:warning: ${RESTARTING}, so it did not run \`/deploy\`.`);
    expect(messageText(late.payload)).toContain('Try again in a few seconds: another instance will answer.');
    expect(world.deployer.calls).toHaveLength(0);
    expect(await new DeployStateStore(checks(), world.environment('stage')).readLock(new Date())).toBeNull();
    // AND the connection stays open until the command received before is answered over it
    expect(socket.isConnected).toBe(true);
    answerSlow();
    expect(messageText((await slowAck).payload)).toContain('slow answer');
    await socket.disconnected();
    expect(await stopping).toMatchObject({ interrupted: false });
  });

  it('stops listening at once in HTTP mode; a request already on its way gets the restarting reply', async () => {
    // GIVEN a slash command whose body is still on its way
    const bot = await replica();
    const body = slashCommandBody({
      command: '/deploy',
      text: 'dev v1.5.0',
      user_id: PEOPLE.developer.userId,
      channel_id: CHANNELS.dev,
      response_url: bot.recorder.responseUrl('late'),
    });
    let inTransit: () => void = () => {};
    const answered = new Promise<string>((resolve, reject) => {
      const req = request(bot.bot.url, {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          ...slackSignatureHeaders(TEST_SIGNING_SECRET, body),
        },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.write(body.slice(0, 20));
      inTransit = () => req.end(body.slice(20));
    });
    await new Promise((r) => setTimeout(r, 100));

    // WHEN
    const stopping = shutdown(bot.bot, { drainMs: 5000, logger: capturingLogger().logger });

    // THEN no new connection is accepted
    await expect(fetch(bot.bot.url.replace('/slack/events', '/healthz'))).rejects.toMatchObject({
      cause: { code: 'ECONNREFUSED' },
    });
    // AND the request on its way is answered, with the restarting reply
    inTransit();
    expect(messageText(JSON.parse(await answered))).toContain(
      `${RESTARTING}, so it did not run \`/deploy\`.`,
    );
    await stopping;
    expect(world.deployer.calls).toHaveLength(0);
  });
});
