/**
 * `npm start`: loads the configuration, reads the environment and runs the bot in Socket Mode, HTTP
 * mode or the local shell. Slack and AWS libraries are imported only by the mode that needs them.
 */
import { ConfigError, loadConfig } from '../config';
import { COMMANDS } from './commands/registry';
import { BOT_ENV_VARS, type BotEnv, readBotEnv } from './env';
import { createLogger } from './logger';
import { AwsClients } from './ops/aws-clients';
import { PagerDutyConnection } from './ops/pagerduty-connection';
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

  if (mode.kind === 'shell') {
    // A laptop is not an EC2 instance: do not let the credential chain probe the instance metadata service.
    process.env.AWS_EC2_METADATA_DISABLED ??= 'true';
    // The SDK's "Node 22 from 2027" notice would land in the middle of the conversation; the README says it.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const aws = new AwsClients();
    const pagerDuty = new PagerDutyConnection(process.env);
    const { runShell } = await import('./adapters/shell.js');
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
    });
    await aws.destroy();
    return;
  }

  const aws = new AwsClients();
  const slackApiUrl = botEnv.slackApiUrl ?? undefined;
  const pagerDuty = new PagerDutyConnection(process.env);
  const common = { config, commands: COMMANDS, aws, pagerDuty, logger, slackApiUrl, botToken: mode.botToken };
  let stop: () => Promise<void>;
  if (mode.kind === 'http') {
    const { startHttpBot } = await import('./adapters/http.js');
    const bot = await startHttpBot({ ...common, signingSecret: mode.signingSecret, port: mode.port });
    stop = bot.stop;
    logger.info(
      { mode: 'http', port: bot.port, startupMs: Math.round(performance.now() - started) },
      'ready',
    );
  } else {
    const { startSocketModeBot } = await import('./adapters/socket-mode.js');
    const bot = await startSocketModeBot({ ...common, appToken: mode.appToken });
    stop = bot.stop;
    logger.info({ mode: 'socket', startupMs: Math.round(performance.now() - started) }, 'ready');
    logger.flush();
  }
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'stopping');
    void stop().finally(() => process.exit(0));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof StartupError) {
    process.stderr.write(`wheelhouse bot cannot start: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`wheelhouse bot failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
