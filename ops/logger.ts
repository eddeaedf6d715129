/** The bot's structured logger (pino, one JSON line per event), with secrets redacted. */
import pino, { type DestinationStream, type Logger } from 'pino';
import { redact } from './redact';

/** The logger type every bot module takes. */
export type BotLogger = Logger;

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  /** The `name` field of every line: who logged it. @default 'wheelhouse-bot' */
  readonly name?: string;
  /** @default process.env.LOG_LEVEL ?? 'info' */
  readonly level?: string;
  /**
   * Where lines go. @default stdout, buffered (sonic-boom: written when 4 KiB gather or every 250 ms,
   * and flushed at exit) so that logging costs the hot path no system call per command
   */
  readonly destination?: DestinationStream;
}

/**
 * Creates the bot's logger. Tokens are never put in a log object (they live only in the adapters'
 * clients); error messages and stacks are redacted, since an SDK error may quote a request.
 */
export function createLogger(options: LoggerOptions = {}): BotLogger {
  return pino(
    {
      name: options.name ?? 'wheelhouse-bot',
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      serializers: {
        err: (error: unknown) => {
          const serialized = pino.stdSerializers.err(error as Error);
          return {
            ...serialized,
            message: redact(serialized.message),
            stack: serialized.stack ? redact(serialized.stack) : serialized.stack,
          };
        },
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 250 }),
  );
}
