import pino, { type Logger } from 'pino';
import type { LogLevel } from '../config';
import { LogBatcher } from './log-batcher';

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Minimum level written. */
  readonly level: LogLevel;
  /** Where the JSON lines go. @default standard output, buffered (see {@link createLogger}) */
  readonly destination?: pino.DestinationStream;
}

let cachedSecond = -1;
let cachedPrefix = '';

/**
 * pino's `isoTime` (`,"time":"2026-01-02T03:04:05.678Z"`) with the part up to the second formatted once per
 * second rather than by a `Date` per line.
 */
function isoTime(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = `,"time":"${new Date(second * 1000).toISOString().slice(0, 20)}`;
  }
  const ms = now - second * 1000;
  return `${cachedPrefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z"`;
}

/** How often gathered log lines are written out at the latest. */
const FLUSH_INTERVAL_MS = 1000;

/**
 * The service's JSON logger (pino): one line per event, `reqId` on every line about a request.
 *
 * Standard output is written in batches of 16 kB or more, or once a second (a {@link LogBatcher} in front of
 * pino's SonicBoom), not one system call per line: a line per request would otherwise cost more than the
 * request. Call `logger.flush()` before exiting. Nothing secret is ever passed to it: database credentials
 * stay in the pool settings, which are not logged.
 */
export function createLogger(options: LoggerOptions): Logger {
  let destination = options.destination;
  if (destination === undefined) {
    // minLength 1 rather than 0: SonicBoom's flush(callback) then waits for the writes in flight.
    const stdout = new LogBatcher(pino.destination({ dest: 1, sync: false, minLength: 1 }));
    setInterval(() => stdout.flush(), FLUSH_INTERVAL_MS).unref();
    destination = stdout;
  }
  return pino(
    {
      level: options.level,
      base: { service: 'wheelhouse' },
      timestamp: isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** Writes the one log line of a finished request; see {@link requestLogger}. */
export type RequestLog = (reqId: string, status: number | string, code: string, durationMs: number) => void;

const INFO = pino.levels.values.info!;

/**
 * The writer of the one `request` line per request, for a child logger of `logger` with `bindings` (protocol
 * and method). The same JSON line as `child.info({ reqId, status, code, durationMs }, 'request')`, same level
 * check, same destination, but formatted here from its five known fields rather than by pino's generic
 * object serializer, which walked and type-tested every key of every line: that was the larger part of a
 * log line's cost on the hot path (CPU profile of `npm run bench:service`). Any other line goes through pino.
 */
export function requestLogger(logger: Logger, bindings: Readonly<Record<string, string>>): RequestLog {
  const child = logger.child(bindings);
  const chindings = (child as unknown as Record<symbol, string>)[pino.symbols.chindingsSym] ?? '';
  const stream = (child as unknown as Record<symbol, { write(line: string): unknown }>)[
    pino.symbols.streamSym
  ]!;
  return (reqId, status, code, durationMs) => {
    if (child.levelVal > INFO) return;
    const duration = Math.round(durationMs * 100) / 100;
    stream.write(
      `{"level":"info"${isoTime()}${chindings},"reqId":${JSON.stringify(reqId)},"status":${
        typeof status === 'number' ? status : JSON.stringify(status)
      },"code":${JSON.stringify(code)},"durationMs":${Number.isFinite(duration) ? duration : null},"msg":"request"}\n`,
    );
  };
}

export type { Logger };
