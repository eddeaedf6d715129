import pino, { type Logger } from 'pino';
import type { LogLevel } from '../config';

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Minimum level written. */
  readonly level: LogLevel;
  /** Where the JSON lines go. @default standard output, buffered (see {@link createLogger}) */
  readonly destination?: pino.DestinationStream;
}

/** How often buffered log lines are written out at the latest. */
const FLUSH_INTERVAL_MS = 1000;

/**
 * The service's JSON logger (pino): one line per event, `reqId` on every line about a request.
 *
 * Standard output is written in chunks of 4 kB or once a second, not one system call per line: a line per
 * request would otherwise cost more than the request. Call `logger.flush()` before exiting. Nothing secret is
 * ever passed to it: database credentials stay in the pool settings, which are not logged.
 */
export function createLogger(options: LoggerOptions): Logger {
  let destination = options.destination;
  if (destination === undefined) {
    const stdout = pino.destination({ dest: 1, sync: false, minLength: 4096 });
    setInterval(() => stdout.flush(), FLUSH_INTERVAL_MS).unref();
    destination = stdout;
  }
  return pino(
    {
      level: options.level,
      base: { service: 'wheelhouse' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

export type { Logger };
