/**
 * The one meaning of each exit code of `wheelhouse`, for every command. Scripts and CI read them:
 * the README's "Exit codes" table and `wheelhouse --help` print {@link EXIT_CODE_MEANINGS}.
 */

/** Exit codes. */
export const EXIT = {
  /** It did what was asked, or there was nothing to change. */
  ok: 0,
  /** The operation ran and failed: a deploy failed or was rolled back, a scale did not settle, a route is missing, an internal error. */
  failed: 1,
  /** Refused before acting, or bad input: usage, permission, policy, missing credentials, configuration. */
  refused: 2,
  /** A plan has pending changes (`monitors plan`, `rollback --plan`, `scale --plan`), as terraform's `plan -detailed-exitcode`. */
  changes: 3,
} as const;

/** An exit code of {@link EXIT}. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** What each code means, in the words of the help and the README. */
export const EXIT_CODE_MEANINGS: readonly (readonly [ExitCode, string])[] = [
  [EXIT.ok, 'success, or nothing to change'],
  [
    EXIT.failed,
    'the operation ran and failed (a deploy failed or rolled back, a scale did not settle, a route missing, an internal error)',
  ],
  [
    EXIT.refused,
    'refused or bad input (usage, permission, policy, missing credentials, configuration): nothing was changed',
  ],
  [
    EXIT.changes,
    'a plan has pending changes (monitors plan, rollback --plan, scale --plan; as terraform plan -detailed-exitcode)',
  ],
];
