/**
 * Reads the metric terms of a Datadog metric query (a monitor's or a widget's): which metric, which
 * aggregation, which tags it filters and groups on, and whether it is wrapped in `default_zero()`.
 *
 * A small parser for the query syntax our definitions write (`p99:metric{a:b,c IN (d,e)} by {f}.as_count()`),
 * not for every query Datadog accepts: a term it cannot read makes {@link metricTerms} throw, so a
 * new kind of query fails the rule tests rather than escaping them.
 */

/** One `aggregation:metric{filter} by {groups}` of a query. */
export interface MetricTerm {
  /** `avg`, `sum`, `min`, `max`, or a percentile `p95`, `p99`, `p99.9`. */
  readonly aggregation: string;
  readonly metric: string;
  /** Tag keys the filter names (`env`, `code`), without values; `*` filters nothing. */
  readonly filterTags: readonly string[];
  /** Tag keys of `by {...}`. */
  readonly groupTags: readonly string[];
  /** True when the term is the whole argument of a `default_zero(...)`. */
  readonly defaultZero: boolean;
  /** The term as written. */
  readonly text: string;
}

const TERM =
  /(?<![\w.])(?<aggregation>avg|sum|min|max|count|p\d{1,2}(?:\.\d+)?):(?<metric>[A-Za-z][\w.]*)\{(?<filter>[^}]*)\}(?:\s*by\s*\{(?<groups>[^}]*)\})?(?<suffix>(?:\.(?:as_count|as_rate|rollup\([^)]*\)|fill\([^)]*\))\(?\)?)*)/g;

/** True when `aggregation` is a percentile of a distribution (`p95`, `p99.9`). */
export function isPercentile(aggregation: string): boolean {
  return /^p\d/.test(aggregation);
}

/**
 * The metric terms of `query`, in order. Event and synthetics queries have none. `templateVariables`
 * maps a dashboard's template variable names to their tag keys (`$env` filters on its prefix).
 */
export function metricTerms(
  query: string,
  templateVariables: Readonly<Record<string, string>> = {},
): readonly MetricTerm[] {
  const terms: MetricTerm[] = [];
  for (const match of query.matchAll(TERM)) {
    const g = match.groups!;
    const start = match.index;
    const end = start + match[0].length;
    const before = query.slice(0, start);
    const after = query.slice(end);
    terms.push({
      aggregation: g.aggregation!,
      metric: g.metric!,
      filterTags: filterTagKeys(g.filter!, query, templateVariables),
      groupTags: splitTopLevel(g.groups ?? '')
        .map((t) => t.trim())
        .filter(Boolean),
      defaultZero: /default_zero\(\s*$/.test(before) && /^\s*\)/.test(after),
      text: match[0],
    });
  }
  return terms;
}

/**
 * The part of a monitor query between the window and the comparison (`sum(last_5m):` … `> 5`), or
 * the whole query for a widget.
 */
export function queryExpression(query: string): string {
  const withoutWindow = query.replace(/^\s*\w+\(last_\w+\):/, '');
  return withoutWindow.replace(/\s*(?:>=|<=|>|<|==)\s*-?[\d.]+\s*$/, '');
}

/** The evaluation window of a metric monitor query (`avg(last_10m):…`), in seconds, or null. */
export function windowSeconds(query: string): number | null {
  const metric = /^\s*\w+\(last_(\d+)([mhd])\)/.exec(query);
  const event = /\.last\("(\d+)([mhd])"\)/.exec(query);
  const found = metric ?? event;
  if (!found) return null;
  const unit = { m: 60, h: 3600, d: 86400 }[found[2] as 'm' | 'h' | 'd'];
  return Number(found[1]) * unit;
}

function filterTagKeys(
  filter: string,
  query: string,
  templateVariables: Readonly<Record<string, string>>,
): readonly string[] {
  const keys: string[] = [];
  for (const raw of splitTopLevel(filter)) {
    const part = raw.trim().replace(/^!/, '');
    if (part === '' || part === '*') continue;
    const variable = /^\$(\w+)$/.exec(part);
    if (variable) {
      const prefix = templateVariables[variable[1]!];
      if (!prefix)
        throw new Error(`the template variable $${variable[1]} of the query has no prefix: ${query}`);
      keys.push(prefix);
      continue;
    }
    const inList = /^([\w.\-/]+)\s+(?:NOT\s+)?IN\s*\(/i.exec(part);
    const pair = /^([\w.\-/]+):/.exec(part);
    const key = inList?.[1] ?? pair?.[1];
    if (!key) throw new Error(`cannot read the filter "${filter}" of the query: ${query}`);
    keys.push(key);
  }
  return [...new Set(keys)];
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}
