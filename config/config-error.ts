/** One problem in the configuration: where, what was found, and what to do. */
export interface ConfigProblem {
  /** Dotted path, e.g. `environments.prod.service.tasks.max`. */
  readonly path: string;
  /** What is wrong and how to fix it. */
  readonly message: string;
}

/** The configuration cannot be used; the message lists every problem with its path and fix. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    /** Where the configuration came from (a file path). */
    readonly source: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      `${source} is not a valid Wheelhouse configuration:\n` +
        problems.map((p) => `  - ${p.path || '(top level)'}: ${p.message}`).join('\n'),
    );
  }
}

/** Renders a value for an error message, short and on one line. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
