/**
 * The rule for arithmetic in a monitor query: every metric term of a query with more than one is
 * wrapped in `default_zero()`, so that the monitor evaluates as soon as any one term has data.
 *
 * Datadog's "Monitor Arithmetic and Sparse Metrics": count metrics are not interpolated
 * (`fill(null)`), a bucket where one term has no value makes the whole expression empty, and a window
 * of empty buckets is skipped rather than evaluated. Counters sent only while non-zero (DogStatsD
 * counts, CloudWatch's 5xx counts) are that case. Alternatively, terms of one metric are merged
 * into a single term with `tag IN (a,b)`.
 */
import { metricTerms, queryExpression } from './query-terms';

/** A term that can leave the expression empty, with the reason. */
export interface SparseArithmeticViolation {
  readonly term: string;
  readonly reason: string;
}

/** What is wrong with `query`'s arithmetic; empty when every term of an expression is safe. */
export function sparseArithmeticViolations(query: string): readonly SparseArithmeticViolation[] {
  const terms = metricTerms(queryExpression(query));
  if (terms.length < 2) return [];
  const violations: SparseArithmeticViolation[] = [];
  for (const term of terms) {
    if (!term.defaultZero) {
      violations.push({
        term: term.text,
        reason:
          'a term of an arithmetic expression without default_zero(): when it has no data the expression is empty and Datadog skips the evaluation',
      });
    }
  }
  const seen = new Map<string, number>();
  for (const term of terms) seen.set(term.metric, (seen.get(term.metric) ?? 0) + 1);
  for (const [metric, count] of seen) {
    if (count > 1 && terms.filter((t) => t.metric === metric).every((t) => t.aggregation === 'sum')) {
      violations.push({
        term: metric,
        reason: `${count} sums of the same metric: one term with \`tag IN (...)\` says the same and has data when any of them does`,
      });
    }
  }
  return violations;
}
