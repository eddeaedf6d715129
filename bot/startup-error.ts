/** Start-up cannot go on: a missing or malformed setting, named with how to fix it. */
export class StartupError extends Error {
  override readonly name = 'StartupError';

  constructor(
    /** The environment variable or configuration field at fault. */
    readonly setting: string,
    /** What is wrong and how to fix it. */
    readonly fix: string,
  ) {
    super(`${setting}: ${fix}`);
  }
}
