import { type RunningService, startService } from '../../service/app';
import { loadServiceOptions, type ServiceOptions } from '../../service/config';
import { migrateDatabase } from '../../service/db/migrate';
import { createLogger } from '../../service/observability/logger';
import { Metrics } from '../../service/observability/metrics';

/** A service started in this process on free ports, and how to reach it. */
export interface TestService {
  readonly service: RunningService;
  readonly options: ServiceOptions;
  /** e.g. http://127.0.0.1:41234 */
  readonly baseUrl: string;
  /** e.g. 127.0.0.1:41235 */
  readonly grpcTarget: string;
  stop(): Promise<void>;
}

/**
 * Migrates the database in `env` and starts the service on it, with no shutdown delay; silent unless
 * `logLines` is given, which then receives every JSON log line.
 */
export async function startTestService(
  env: Record<string, string>,
  logLines?: string[],
): Promise<TestService> {
  const options = loadServiceOptions({
    HOST: '127.0.0.1',
    PORT: '0',
    GRPC_PORT: '0',
    LOG_LEVEL: logLines ? 'info' : 'silent',
    SHUTDOWN_DELAY_MS: '0',
    ...env,
  });
  await migrateDatabase(options.database);
  const logger = createLogger({
    level: options.logLevel,
    ...(logLines ? { destination: { write: (line: string) => logLines.push(line) } } : {}),
  });
  const service = await startService(options, { logger, metrics: new Metrics(options.metrics, logger) });
  return {
    service,
    options,
    baseUrl: `http://127.0.0.1:${service.httpPort}`,
    grpcTarget: `127.0.0.1:${service.grpcPort}`,
    stop: async () => {
      await service.shutdown();
    },
  };
}
