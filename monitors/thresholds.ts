/**
 * Alert thresholds per environment, in one place.
 *
 * Derived from the environment's configuration (database size, task counts, protection) with
 * constants for the rest; when per-monitor overrides join the configuration they are applied here.
 */
import type { EnvironmentConfig } from '../config';

/** A critical and a warning level. */
export interface Levels {
  readonly critical: number;
  readonly warning: number;
}

/** Every threshold the monitors of one environment use. */
export interface EnvironmentThresholds {
  /** Load balancer 5xx responses, percent of requests. */
  readonly lb5xxPercent: Levels;
  /** Load balancer target response time p95, seconds. */
  readonly lbLatencyP95Seconds: Levels;
  /** Load balancer target response time p99, seconds. */
  readonly lbLatencyP99Seconds: Levels;
  /** App error responses, percent of requests, per protocol. */
  readonly appErrorPercent: Levels;
  /** App request duration p95, milliseconds. */
  readonly appLatencyP95Ms: Levels;
  /** App request duration p99, milliseconds. */
  readonly appLatencyP99Ms: Levels;
  /** ECS service CPU and memory utilisation, percent. */
  readonly ecsCpuPercent: Levels;
  readonly ecsMemoryPercent: Levels;
  /** Tasks stopped in 30 minutes before it counts as restarts rather than a deploy. */
  readonly ecsStoppedTasks: Levels;
  /** Aurora CPU, percent. */
  readonly dbCpuPercent: Levels;
  /** Aurora Serverless v2 capacity, ACUs (a share of the configured maximum). */
  readonly dbCapacityAcu: Levels;
  /** Aurora connections (a share of the engine's default maximum for the configured maximum ACUs). */
  readonly dbConnections: Levels;
  /** Aurora replica lag, milliseconds. */
  readonly dbReplicaLagMs: Levels;
  /** Aurora deadlocks per second, averaged. */
  readonly dbDeadlocksPerSecond: Levels;
}

/** Seconds CloudWatch metrics lag behind in Datadog's AWS integration; monitors on them wait this long. */
export const CLOUDWATCH_DELAY_SECONDS = 900;

/** Memory of one Aurora capacity unit, bytes. */
const ACU_BYTES = 2 * 1024 ** 3;

/**
 * The default `max_connections` of Aurora PostgreSQL Serverless v2 for a maximum capacity:
 * `LEAST(DBInstanceClassMemory / 9531392, 5000)` with the memory of the maximum ACUs.
 */
export function auroraMaxConnections(maxCapacityAcu: number): number {
  return Math.min(Math.floor((maxCapacityAcu * ACU_BYTES) / 9531392), 5000);
}

/** The thresholds of one environment; protected environments alert earlier on latency and errors. */
export function thresholdsFor(env: EnvironmentConfig): EnvironmentThresholds {
  const strict = env.protected;
  const maxAcu = env.database.maxCapacity;
  const maxConnections = auroraMaxConnections(maxAcu);
  return {
    lb5xxPercent: strict ? { critical: 5, warning: 1 } : { critical: 10, warning: 5 },
    lbLatencyP95Seconds: strict ? { critical: 1, warning: 0.5 } : { critical: 2, warning: 1 },
    lbLatencyP99Seconds: strict ? { critical: 2.5, warning: 1.5 } : { critical: 5, warning: 3 },
    appErrorPercent: strict ? { critical: 5, warning: 1 } : { critical: 10, warning: 5 },
    appLatencyP95Ms: strict ? { critical: 500, warning: 300 } : { critical: 1000, warning: 600 },
    appLatencyP99Ms: strict ? { critical: 1500, warning: 800 } : { critical: 3000, warning: 1500 },
    ecsCpuPercent: { critical: 90, warning: 80 },
    ecsMemoryPercent: { critical: 90, warning: 80 },
    ecsStoppedTasks: { critical: env.service.tasks.max * 2, warning: env.service.tasks.max },
    dbCpuPercent: { critical: 90, warning: 80 },
    dbCapacityAcu: { critical: round(maxAcu * 0.9), warning: round(maxAcu * 0.75) },
    dbConnections: {
      critical: Math.floor(maxConnections * 0.9),
      warning: Math.floor(maxConnections * 0.75),
    },
    dbReplicaLagMs: { critical: 5000, warning: 1000 },
    dbDeadlocksPerSecond: { critical: 1, warning: 0.1 },
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
