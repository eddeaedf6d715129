import { ConfigError, loadServiceOptions } from './config';
import { startEmbeddedDatabase } from './db/embedded-database';
import { migrateDatabase } from './db/migrate';
import { createLogger } from './observability/logger';

/** `npm run service:migrate`: applies pending migrations to the configured (or embedded) database, then exits. */
async function main(): Promise<void> {
  const options = loadServiceOptions();
  const logger = createLogger({ level: options.logLevel });
  const embedded = options.embeddedDatabase
    ? await startEmbeddedDatabase(options.embeddedDatabase, logger)
    : undefined;
  try {
    const applied = await migrateDatabase(options.database);
    logger.info({ applied }, applied.length ? 'migrations: applied' : 'migrations: up to date');
  } finally {
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof ConfigError ? error.message : String(error instanceof Error ? error.stack : error)}\n`,
  );
  process.exit(1);
});
