/**
 * The fields Wheelhouse owns on a monitor or a dashboard, flattened to `path → value` and normalised,
 * so that a diff shows what we would change and never what Datadog rewrote on its own.
 *
 * Owned means: every leaf the definition sets, plus the leaves it deliberately leaves empty (a
 * removed warning threshold must show as a change). Fields only Datadog sets (ids, authors, dates,
 * widget ids, default options) are not ours and are never compared. Datadog's normalisations that
 * we know of are undone before comparing: `metric alert` is `query alert`, whitespace in queries
 * and messages, tag order, and `null` for a zero default.
 */
import type { Json } from '../wire';

/** A flattened object: `options.thresholds.critical → 5`, `widgets.# → 4` (array length), `tags → [...]` (a set, sorted). */
export type Flat = ReadonlyMap<string, Json>;

/** One owned field whose value differs. */
export interface FieldChange {
  readonly path: string;
  /** What we want (null: absent). */
  readonly desired: Json;
  /** What Datadog has (null: absent). */
  readonly actual: Json;
}

/** Monitor leaves that we own even when the definition leaves them empty. */
const MONITOR_OWNED_EMPTY = [
  'priority',
  'options.thresholds.warning',
  'options.thresholds.critical_recovery',
  'options.thresholds.warning_recovery',
  'options.no_data_timeframe',
] as const;

/** Leaves where Datadog answers null for the zero we sent. */
const ZERO_WHEN_NULL = new Set([
  'options.renotify_interval',
  'options.evaluation_delay',
  'options.new_group_delay',
]);

/** Arrays whose order carries no meaning in Datadog. */
const SET_ARRAYS = new Set(['tags']);

/** Collapses whitespace and removes it next to punctuation, as Datadog's query parser does. */
export function normaliseQuery(query: string): string {
  return query
    .replace(/\s+/g, ' ')
    .replace(/\s*([(){},:*/+<>=-])\s*/g, '$1')
    .trim();
}

/** Line endings and trailing whitespace are not content. */
export function normaliseMessage(message: string): string {
  return message
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trim();
}

/** The owned fields of a monitor in wire format. */
export function monitorFields(wire: Json): Flat {
  const flat = flatten(wire);
  for (const path of MONITOR_OWNED_EMPTY) if (!flat.has(path)) flat.set(path, null);
  return flat;
}

/** The owned fields of a dashboard in wire format. */
export function dashboardFields(wire: Json): Flat {
  return flatten(wire);
}

/** The owned fields whose values differ: every path of `desired`, looked up in `actual`. */
export function diffFields(desired: Flat, actual: Flat): readonly FieldChange[] {
  const changes: FieldChange[] = [];
  for (const [path, want] of desired) {
    const have = normaliseLeaf(path, actual.get(path) ?? null);
    if (!sameLeaf(normaliseLeaf(path, want), have)) changes.push({ path, desired: want, actual: have });
  }
  return changes;
}

function flatten(value: Json, path = '', out = new Map<string, Json>()): Map<string, Json> {
  if (Array.isArray(value) && SET_ARRAYS.has(path)) {
    // A set is one leaf, so that a diff says which members changed.
    out.set(path, [...new Set(value.map((v) => String(v)))].sort());
  } else if (Array.isArray(value)) {
    out.set(`${path}.#`, value.length);
    value.forEach((item, i) => {
      flatten(item, `${path}.${i}`, out);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (child === undefined) continue;
      flatten(child, path ? `${path}.${key}` : key, out);
    }
  } else {
    out.set(path, value);
  }
  return out;
}

function normaliseLeaf(path: string, value: Json): Json {
  const key = path.slice(path.lastIndexOf('.') + 1);
  if (value === null && ZERO_WHEN_NULL.has(path)) return 0;
  if (typeof value !== 'string') return value;
  if (path === 'type' && value === 'metric alert') return 'query alert';
  if (key === 'query' || key === 'q') return normaliseQuery(value);
  if (key === 'message' || key === 'content' || key === 'description') return normaliseMessage(value);
  return value;
}

function sameLeaf(a: Json, b: Json): boolean {
  if (Array.isArray(a) || Array.isArray(b)) return JSON.stringify(a) === JSON.stringify(b);
  return a === b || (typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) < 1e-9);
}
