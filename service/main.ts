// First, so that the V8 settings hold while everything else loads.
import './runtime-flags';
import pino from 'pino';
import { startService } from './app';
import { ConfigError, loadServiceOptions, type ServiceOptions } from './config';
import { startEmbeddedDatabase } from './db/embedded-database';
import { migrateDatabase } from './db/migrate';
import { createLogger } from './observability/logger';
import { Metrics } from './observability/metrics';

/** `npm run service`: configuration from the environment, migrations, both servers, drain on SIGTERM. */
async function main(): Promise<void> {
  let options: ServiceOptions;
  try {
    options = loadServiceOptions();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  const logger = createLogger({ level: options.logLevel });
  const metrics = new Metrics(options.metrics, logger);

  let embedded: { stop(): Promise<void> } | undefined;
  if (options.embeddedDatabase) embedded = await startEmbeddedDatabase(options.embeddedDatabase, logger);
  if (options.database.migrateOnStart) {
    const applied = await migrateDatabase(options.database);
    logger.info({ applied }, applied.length ? 'migrations: applied' : 'migrations: up to date');
  }
  const service = await startService(options, { logger, metrics });

  const stop = async (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'service: signal received');
    const clean = await service.shutdown();
    if (embedded)
      await embedded
        .stop()
        .catch((error: unknown) => logger.warn({ err: error }, 'embedded PostgreSQL: stop failed'));
    logger.flush(() => process.exit(clean ? 0 : 1));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  // Written at once: the process exits right after.
  const logger = createLogger({ level: 'info', destination: pino.destination({ dest: 1, sync: true }) });
  logger.fatal({ err: error }, 'service: failed to start');
  process.exit(1);
});
