import { StatsD } from 'hot-shots';
import type { MetricsOptions } from '../config';
import type { Logger } from './logger';
import { METRIC_NAMES } from './metric-names';

export { METRIC_NAMES } from './metric-names';

/** What one request did, for {@link Metrics.request}. */
export interface RequestOutcome {
  /** `http` or `grpc`. */
  readonly protocol: 'http' | 'grpc';
  /** The API operation, the same on both protocols: `CreateNote`, `GetNote`, ... */
  readonly method: string;
  /** HTTP status (`200`) or gRPC status name (`OK`, `UNAVAILABLE`). */
  readonly status: string;
  /** `ok` or the {@link ErrorCode} value. */
  readonly code: string;
  /** Latency in milliseconds. */
  readonly durationMs: number;
}

/** Records one finished request of the method it was made for: see {@link Metrics.recorder}. */
export type RequestRecorder = (status: number | string, code: string, durationMs: number) => void;

/** Requests of one protocol, method, status and code since the last flush. */
interface CountEntry {
  readonly tags: string[];
  requests: number;
  errors: number;
  /** Latencies (ms) not sent yet, each as `:value`. */
  durations: string;
  /** How many latencies `durations` holds. */
  durationCount: number;
  /** The latency line after its value (`|d|#tags...`), as hot-shots formats it; see {@link Metrics.request}. */
  readonly durationTail: string | undefined;
}

/** hot-shots' client telemetry (`datadog.dogstatsd.client.*`), not in its types. */
interface ClientTelemetry {
  recordMetric(type: string): void;
  metrics?: unknown;
  metricsByType?: { distribution?: unknown };
}

/** hot-shots' buffered send of one preformatted line (not in its types). */
interface RawSender {
  _send(message: string): void;
  telemetry?: ClientTelemetry | null;
}

const DURATION_HEAD = `${METRIC_NAMES.requestDuration}:`;

/**
 * Latencies of one tag set gathered before they are sent as one line (`name:v1:v2:...|d|#tags`, DogStatsD
 * protocol 1.1, Agent 7.25 and later), so that a line stays well within one UDP packet.
 */
const MAX_DURATIONS_CHARS = 1000;

/** How often request counters aggregated in the process are sent. */
const COUNTER_FLUSH_MS = 1000;

/**
 * DogStatsD metrics (hot-shots), or nothing at all when no agent is configured.
 *
 * Request counters are summed in the process and sent once a second (the agent sums them the same way), and
 * request latencies are gathered per tag set and sent as multi-value lines (DogStatsD protocol 1.1) at the same
 * pace or when a line is full: every value still reaches the agent's distribution, but a request costs a
 * string append rather than a formatted line and a share of a UDP packet.
 */
export class Metrics {
  private readonly client: StatsD | undefined;
  private readonly counts = new Map<string, CountEntry>();
  private readonly flushTimer: NodeJS.Timeout | undefined;

  /** Connects to the agent at `options.agentHost`, if any; send errors are logged, never thrown. */
  constructor(options: MetricsOptions, logger: Logger) {
    this.client =
      options.agentHost === undefined
        ? undefined
        : new StatsD({
            host: options.agentHost,
            port: options.port,
            globalTags: { ...options.tags },
            // One UDP packet per ~1.4 kB of metrics (or per second) instead of one per metric.
            maxBufferSize: 1432,
            bufferFlushInterval: 1000,
            errorHandler: (error) => logger.warn({ err: error }, 'metrics: send failed'),
          });
    if (this.client) {
      this.flushTimer = setInterval(() => this.flushCounts(), COUNTER_FLUSH_MS);
      this.flushTimer.unref();
    }
  }

  /** Whether metrics are sent anywhere. */
  get enabled(): boolean {
    return this.client !== undefined;
  }

  /** Records one finished request. */
  request(outcome: RequestOutcome): void {
    if (!this.client) return;
    const key = `${outcome.protocol}|${outcome.method}|${outcome.status}|${outcome.code}`;
    let entry = this.counts.get(key);
    if (!entry) {
      entry = this.newEntry(outcome);
      this.counts.set(key, entry);
    }
    this.count(entry, outcome.code, outcome.durationMs);
  }

  /**
   * The recorder of one protocol's method: the same as {@link request} (an HTTP status may be given as a
   * number), but it finds its counter entry by status and code alone, and the last one it used without any
   * lookup (most calls of a method end the same way), rather than building and hashing a four-part key per
   * request.
   */
  recorder(protocol: RequestOutcome['protocol'], method: string): RequestRecorder {
    let lastStatus: number | string = '';
    let lastCode = '';
    let last: CountEntry | undefined;
    return (status, code, durationMs) => {
      if (!this.client) return;
      if (last === undefined || status !== lastStatus || code !== lastCode) {
        const key = `${protocol}|${method}|${status}|${code}`;
        let entry = this.counts.get(key);
        if (!entry) {
          entry = this.newEntry({ protocol, method, status: String(status), code, durationMs });
          this.counts.set(key, entry);
        }
        last = entry;
        lastStatus = status;
        lastCode = code;
      }
      this.count(last, code, durationMs);
    };
  }

  private count(entry: CountEntry, code: string, durationMs: number): void {
    entry.requests++;
    if (code !== 'ok') entry.errors++;
    if (entry.durationTail === undefined) {
      this.client?.distribution(METRIC_NAMES.requestDuration, durationMs, entry.tags);
    } else {
      entry.durations += `:${Math.round(durationMs * 1000) / 1000}`;
      entry.durationCount++;
      if (entry.durations.length >= MAX_DURATIONS_CHARS) this.sendDurations(entry);
    }
  }

  /** Sends the latencies gathered in `entry` as one multi-value DogStatsD line. */
  private sendDurations(entry: CountEntry): void {
    if (entry.durations === '') return;
    const client = this.client as unknown as RawSender;
    if (client.telemetry) countDistributions(client.telemetry, entry.durationCount);
    client._send(`${METRIC_NAMES.requestDuration}${entry.durations}${entry.durationTail}`);
    entry.durations = '';
    entry.durationCount = 0;
  }

  /**
   * A new counter entry, with its latency line formatted once by hot-shots itself (name, type, global and
   * request tags, DogStatsD extension fields), so that a request only fills in its value: formatting the tags
   * anew for every request cost more than the rest of the metric.
   */
  private newEntry(outcome: RequestOutcome): CountEntry {
    const tags = [
      `protocol:${outcome.protocol}`,
      `method:${outcome.method}`,
      `status:${outcome.status}`,
      `code:${outcome.code}`,
    ];
    const client = this.client as unknown as RawSender & StatsD;
    let durationTail: string | undefined;
    const telemetry = client.telemetry;
    if (
      typeof client._send === 'function' &&
      (telemetry === undefined || telemetry === null || typeof telemetry.recordMetric === 'function')
    ) {
      const send = client._send;
      let line: string | undefined;
      client._send = (message: string) => {
        line = message;
      };
      // The probe is not a metric sent: kept out of the client telemetry's counts.
      client.telemetry = null;
      try {
        client.distribution(METRIC_NAMES.requestDuration, 0, tags);
      } finally {
        client._send = send;
        client.telemetry = telemetry;
      }
      const head = `${DURATION_HEAD}0|`;
      if (line?.startsWith(head)) durationTail = line.slice(head.length - 1);
    }
    return { tags, requests: 0, errors: 0, durations: '', durationCount: 0, durationTail };
  }

  private flushCounts(): void {
    for (const entry of this.counts.values()) {
      this.sendDurations(entry);
      if (entry.requests > 0) this.client?.increment(METRIC_NAMES.requestCount, entry.requests, entry.tags);
      if (entry.errors > 0) this.client?.increment(METRIC_NAMES.requestErrors, entry.errors, entry.tags);
      entry.requests = 0;
      entry.errors = 0;
    }
  }

  /** Adds one to a counter. */
  increment(name: string, tags: Readonly<Record<string, string>>): void {
    this.client?.increment(name, 1, { ...tags });
  }

  /** Sets a gauge. */
  gauge(name: string, value: number, tags: Readonly<Record<string, string>>): void {
    this.client?.gauge(name, value, { ...tags });
  }

  /** Flushes and closes the socket. */
  async close(): Promise<void> {
    const client = this.client;
    if (!client) return;
    clearInterval(this.flushTimer);
    this.flushCounts();
    await new Promise<void>((resolve) => client.close(() => resolve()));
  }
}

/**
 * Counts `count` distribution values in hot-shots' client telemetry, as its own send would one by one. Its
 * `recordMetric` writes a debug line through `util.debuglog` on each call, which costs a few microseconds even
 * when debugging is off (measured with a CPU profile of `npm run bench:service`), so the counters are added to
 * at once where they are the plain numbers they are today; otherwise it falls back to one call per value.
 */
function countDistributions(telemetry: ClientTelemetry, count: number): void {
  const byType = telemetry.metricsByType;
  if (typeof telemetry.metrics === 'number' && typeof byType?.distribution === 'number') {
    telemetry.metrics += count;
    byType.distribution += count;
    return;
  }
  for (let i = 0; i < count; i++) telemetry.recordMetric('d');
}
