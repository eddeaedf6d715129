import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { LogBatcher, type LogSink } from '../../service/observability/log-batcher';

const run = promisify(execFile);

/** A sink that records what it was handed, and whether it was asked to flush. */
function recordingSink(): LogSink & { chunks: string[]; flushes: number } {
  const sink = {
    chunks: [] as string[],
    flushes: 0,
    write(chunk: string) {
      sink.chunks.push(chunk);
    },
    flush(callback: (error?: Error) => void) {
      sink.flushes++;
      callback();
    },
  };
  return sink;
}

it('hands lines on only once a batch has gathered', () => {
  // GIVEN a batcher of 30 characters
  const sink = recordingSink();
  const batcher = new LogBatcher(sink, 30);

  // WHEN three lines of 11 characters arrive
  batcher.write('0123456789\n');
  batcher.write('abcdefghij\n');
  expect(sink.chunks).toEqual([]);
  batcher.write('ABCDEFGHIJ\n');

  // THEN the sink got them as one chunk, in order
  expect(sink.chunks).toEqual(['0123456789\nabcdefghij\nABCDEFGHIJ\n']);
});

it('hands on a partial batch when flushed, and calls back after the sink has flushed', () => {
  const sink = recordingSink();
  const batcher = new LogBatcher(sink, 1000);
  batcher.write('one\n');
  const done = jest.fn();

  batcher.flush(done);

  expect(sink.chunks).toEqual(['one\n']);
  expect(sink.flushes).toBe(1);
  expect(done).toHaveBeenCalledTimes(1);
});

it('hands on without asking the sink to flush when nobody waits for it', () => {
  const sink = recordingSink();
  const batcher = new LogBatcher(sink, 1000);
  batcher.write('two\n');

  batcher.flush();

  expect(sink.chunks).toEqual(['two\n']);
  expect(sink.flushes).toBe(0);
});

it('calls back on flush with nothing gathered and a sink that cannot flush', () => {
  const chunks: string[] = [];
  const batcher = new LogBatcher({ write: (chunk) => chunks.push(chunk) });
  const done = jest.fn();

  batcher.flush(done);

  expect(chunks).toEqual([]);
  expect(done).toHaveBeenCalledTimes(1);
});

it("loses no line of the service's logger when the process exits after logger.flush", async () => {
  // GIVEN a process that logs 20 000 lines through the default (batched standard output) logger, then
  // flushes and exits at once, as the service does after a drain
  const script = `
    const { createLogger } = require('./service/observability/logger');
    const logger = createLogger({ level: 'info' });
    for (let i = 0; i < 20000; i++) logger.info({ i, text: 'é'.repeat(i % 7) }, 'line');
    logger.flush(() => process.exit(0));
  `;

  // WHEN it runs with its standard output on a pipe
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--eval', script], {
    cwd: path.join(__dirname, '..', '..'),
    maxBuffer: 64 * 1024 * 1024,
  });

  // THEN every line arrived whole, in order
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(20000);
  expect(lines.map((line) => (JSON.parse(line) as { i: number }).i)).toEqual(
    Array.from({ length: 20000 }, (_, i) => i),
  );
}, 30_000);
