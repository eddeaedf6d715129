/** Short ids that tie a generic error reply to its log line. */
import { randomBytes } from 'node:crypto';

// A random per-process prefix and a counter: unique across restarts and replicas, and nearly free
// on the hot path (every command gets one).
const PREFIX = randomBytes(3).toString('hex');
let counter = 0;

/** A new correlation id such as `wh-3f9a2c00001k`: short enough to read out, unique enough to grep. */
export function newCorrelationId(): string {
  counter = (counter + 1) % 36 ** 6;
  return `wh-${PREFIX}${counter.toString(36).padStart(6, '0')}`;
}
