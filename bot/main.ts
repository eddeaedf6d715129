/**
 * `npm start`: loads the configuration, reads the environment and runs the bot in Socket Mode, HTTP
 * mode or the local shell. Slack and AWS libraries are imported only by the mode that needs them.
 *
 * SIGTERM or SIGINT stops it gracefully (`shutdown.ts`): no new commands, the work in flight runs on
 * for up to `WHEELHOUSE_DRAIN_SECONDS`, then is interrupted cleanly; a second signal interrupts at
 * once. It exits 0.
 */
import { ConfigError, loadConfig } from '../config';
import { AwsClients } from '../ops/aws-clients';
import { createLogger } from '../ops/logger';
import { PagerDutyConnection } from '../ops/pagerduty-connection';
import { COMMANDS } from './commands/registry';
import { createDrain } from './drain';
import { BOT_ENV_VARS, type BotEnv, readBotEnv } from './env';
import { type StoppableBot, shutdown } from './shutdown';
import { StartupError } from './startup-error';

const started = performance.now();

async function main(): Promise<void> {
  let botEnv: BotEnv;
  let resolved: ReturnType<typeof loadConfig>;
  try {
    resolved = loadConfig();
    botEnv = readBotEnv(process.env, resolved.config);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof StartupError) {
      process.stderr.write(`wheelhouse bot cannot start: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const { config, warnings } = resolved;
  const { mode } = botEnv;
  // In the shell the log would interleave with the conversation: it goes to stderr, warnings and up.
  const logger =
    mode.kind === 'shell'
      ? createLogger({ level: process.env.LOG_LEVEL ?? 'warn', destination: process.stderr })
      : createLogger();
  for (const warning of warnings) logger.warn({ config: config.source }, warning);
  const drainMs = botEnv.drainSeconds * 1000;
  let stopping: Promise<unknown> | null = null;
  /** Stops `bot` once, whoever asks first (a signal, or the shell's `exit`). */
  const stopOnce = (bot: StoppableBot): Promise<unknown> => {
    stopping ??= shutdown(bot, { drainMs, logger });
    return stopping;
  };
  /** On SIGTERM or SIGINT: drain, then exit 0; a second signal interrupts the work in flight at once. */
  const exitOnSignal = (bot: StoppableBot): void => {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: interrupting the work in flight now');
        bot.drain.abort();
        return;
      }
      logger.info({ signal }, 'signal received');
      void stopOnce(bot).then(() => {
        logger.flush();
        process.exit(0);
      });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  };

  if (mode.kind === 'shell') {
    // A laptop is not an EC2 instance: do not let the credential chain probe the instance metadata service.
    process.env.AWS_EC2_METADATA_DISABLED ??= 'true';
    // The SDK's "Node 22 from 2027" notice would land in the middle of the conversation; the README says it.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const aws = new AwsClients({ assumeOperatorRole: botEnv.assumeOperatorRole });
    const pagerDuty = new PagerDutyConnection(process.env);
    const { runShell } = await import('./adapters/shell.js');
    // The shell has no connection to close: draining stops it reading input.
    const shell: StoppableBot = {
      drain: createDrain(),
      stopAccepting: async () => {},
      stop: async () => {},
    };
    exitOnSignal(shell);
    const banner = [
      `Wheelhouse local shell (${config.source}), ready in ${Math.round(performance.now() - started)} ms.`,
      `You are ${mode.user.name} (${mode.user.id}${mode.user.groups.length ? `, groups ${mode.user.groups.join(', ')}` : ''}) in channel ${mode.user.channelId}. Type /help, or exit.`,
      `Set ${BOT_ENV_VARS.userId}, ${BOT_ENV_VARS.userName}, ${BOT_ENV_VARS.userGroups} and ${BOT_ENV_VARS.channelId} to act as someone else.`,
      'For Slack: create the app from manifest.yml, then set SLACK_BOT_TOKEN with SLACK_APP_TOKEN (Socket Mode) or with SLACK_SIGNING_SECRET (HTTP on PORT).',
      'AWS: the default credential chain (AWS_PROFILE, AWS_ACCESS_KEY_ID…). Without credentials, read-only commands say so and changing ones show their plan.',
      'PagerDuty: PAGERDUTY_TOKEN for /oncall; PAGERDUTY_ROUTING_KEY_<ENV> lets /page send without AWS (else the key comes from Secrets Manager).',
    ].join('\n');
    await runShell({
      config,
      commands: COMMANDS,
      aws,
      pagerDuty,
      logger,
      user: mode.user,
      input: process.stdin,
      output: process.stdout,
      banner,
      drain: shell.drain,
    });
    // `exit` with a deploy still running in a thread (a bound channel) waits for it, as a signal does.
    await stopOnce(shell);
    await aws.destroy();
    return;
  }

  const aws = new AwsClients({
    assumeOperatorRole: botEnv.assumeOperatorRole,
    roleSessionName: 'wheelhouse-bot',
  });
  const slackApiUrl = botEnv.slackApiUrl ?? undefined;
  const pagerDuty = new PagerDutyConnection(process.env);
  const common = { config, commands: COMMANDS, aws, pagerDuty, logger, slackApiUrl, botToken: mode.botToken };
  if (mode.kind === 'http') {
    const { startHttpBot } = await import('./adapters/http.js');
    const bot = await startHttpBot({ ...common, signingSecret: mode.signingSecret, port: mode.port });
    exitOnSignal(bot);
    logger.info(
      { mode: 'http', port: bot.port, startupMs: Math.round(performance.now() - started) },
      'ready',
    );
  } else {
    const { startSocketModeBot } = await import('./adapters/socket-mode.js');
    const bot = await startSocketModeBot({ ...common, appToken: mode.appToken });
    exitOnSignal(bot);
    logger.info({ mode: 'socket', startupMs: Math.round(performance.now() - started) }, 'ready');
    logger.flush();
  }
}

main().catch((error: unknown) => {
  if (error instanceof StartupError) {
    process.stderr.write(`wheelhouse bot cannot start: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`wheelhouse bot failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
