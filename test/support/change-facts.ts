/**
 * Facts for the change policy's rules (`ops/policy/`), built in one line per test row: the defaults
 * are a deploy of prod (the example configuration) asked for in Slack by a non-admin, outside every
 * freeze window, with nothing approved, no lock, the image found and no sign-off. A row names only
 * what makes its situation.
 */
import type { EnvironmentConfig } from '../../config';
import type { DeployLock, SignOffLookup } from '../../ops/deploy/deploy-state';
import type {
  ChangeAction,
  ChangeActor,
  ChangeCaller,
  ChangeFacts,
  ScaleChange,
} from '../../ops/policy/change-facts';
import type { PolicyOutcome, PolicyRule, PolicyVerdict } from '../../ops/policy/policy-verdict';
import type { ScaleTarget } from '../../ops/scale';
import { exampleConfig } from './example-config';

/** The example configuration (wheelhouse.yml), resolved once. */
export const EXAMPLE_CONFIG = exampleConfig();

/** An environment of {@link EXAMPLE_CONFIG} by name. */
export function exampleEnvironment(name: string): EnvironmentConfig {
  const found = EXAMPLE_CONFIG.environments.find((e) => e.name === name);
  if (!found) throw new Error(`no environment ${name} in wheelhouse.yml`);
  return found;
}

/**
 * Times in the project's time zone (Europe/Berlin), against wheelhouse.yml's prod freeze windows
 * (Friday from 15:00, and Saturday and Sunday all day). November and December 2026 are winter time
 * (CET, UTC+1).
 */
export const TIMES = {
  /** Monday 30 November 2026, 10:00 in Berlin: outside every window. */
  mondayMorning: new Date('2026-11-30T09:00:00Z'),
  /** Friday 4 December 2026, 14:30 in Berlin: half an hour before the Friday window opens. */
  fridayBeforeFreeze: new Date('2026-12-04T13:30:00Z'),
  /** Friday 4 December 2026, 16:00 in Berlin: inside "no prod deploys on Friday afternoon". */
  fridayAfternoon: new Date('2026-12-04T15:00:00Z'),
  /** Saturday 5 December 2026, 12:00 in Berlin: inside "no prod deploys at the weekend". */
  saturdayNoon: new Date('2026-12-05T11:00:00Z'),
} as const;

/** The Friday window of prod, as a verdict quotes it (`<reason>, <from>–<to>`). */
export const FRIDAY_WINDOW = 'no prod deploys on Friday afternoon, 15:00–24:00';

/** The actor of `caller`: a Slack user id from Slack, the command line's `cli:…`/`ci:…` identity otherwise. */
export function actorFor(caller: ChangeCaller, isAdmin = false): ChangeActor {
  switch (caller) {
    case 'slack':
      return isAdmin
        ? { id: 'U0PLATFORM1', name: 'pat', isAdmin: true }
        : { id: 'U0DEVELOP1', name: 'dana', isAdmin: false };
    case 'cli':
      // The command line has no Slack identity: never an admin (see ChangeActor.isAdmin).
      return { id: 'cli:dana', name: 'dana', isAdmin: false };
    case 'ci':
      return { id: 'ci:example-org/wheelhouse#4711', name: 'github-actions', isAdmin: false };
  }
}

/** What a row may set; `environment` by name, `actor` partly, `target` as a shortcut for a scale. */
export interface FactsOverrides extends Partial<Omit<ChangeFacts, 'environment' | 'actor' | 'scale'>> {
  readonly environment?: string | EnvironmentConfig;
  readonly actor?: Partial<ChangeActor>;
  /** A scale's target (action `scale`); @default a count of 4, inside prod's bounds (3–12) */
  readonly target?: ScaleTarget;
  readonly toZero?: boolean;
  readonly scale?: ScaleChange | null;
}

/** The facts of one change: the defaults above, with `overrides` applied. */
export function facts(overrides: FactsOverrides = {}): ChangeFacts {
  const { target, toZero, actor, ...rest } = overrides;
  const action: ChangeAction = overrides.action ?? 'deploy';
  const caller: ChangeCaller = overrides.caller ?? 'slack';
  const environment =
    typeof overrides.environment === 'string'
      ? exampleEnvironment(overrides.environment)
      : (overrides.environment ?? exampleEnvironment('prod'));
  const scale: ScaleChange | null =
    overrides.scale !== undefined
      ? overrides.scale
      : action === 'scale'
        ? {
            target: target ?? { kind: 'count', count: 4 },
            toZero: toZero ?? false,
            currentBounds: null,
          }
        : null;
  return {
    caller,
    freezeOverride: null,
    approval: { status: 'none' },
    now: TIMES.mondayMorning,
    timeZone: EXAMPLE_CONFIG.project.timeZone,
    image: { found: true, repository: environment.images.repositoryName },
    lock: null,
    signOff: { status: 'missing' },
    ...rest,
    action,
    environment,
    actor: { ...actorFor(caller), ...actor },
    // A scale changes no version: the default version is only a deploy's and a rollback's.
    version: overrides.version !== undefined ? overrides.version : action === 'scale' ? null : 'v1.5.0',
    scale,
  };
}

/** A lock of prod held by `owner` since 09:30 Berlin on the default Monday, for an hour. */
export function lockHeldBy(
  owner: string,
  options: { readonly stale?: boolean; readonly ownerName?: string } = {},
): DeployLock {
  return {
    owner,
    ownerName: options.ownerName ?? 'sam',
    reason: 'deploy v1.5.1',
    kind: 'deploy',
    since: new Date('2026-11-30T08:30:00Z'),
    expiresAt: new Date('2026-11-30T09:30:00Z'),
    token: 'token-of-the-holder',
    rvn: 'rvn-1',
    stale: options.stale ?? false,
  };
}

/** A sign-off lookup of `version`: by an approver of prod (pat), a week long, valid or expired. */
export function signOffOf(version: string, status: 'valid' | 'expired'): SignOffLookup {
  const signedAt = status === 'valid' ? new Date('2026-11-27T09:00:00Z') : new Date('2026-11-16T09:00:00Z');
  return {
    status,
    signOff: {
      version,
      by: 'U0PLATFORM1',
      byName: 'pat',
      signedAt,
      expiresAt: new Date(signedAt.getTime() + 7 * 24 * 3600_000),
    },
  };
}

/** What a row expects of one verdict: the outcome, and fragments of the reason, hint and audit (null: none). */
export interface ExpectedVerdict {
  readonly rule: PolicyRule;
  readonly outcome: PolicyOutcome;
  readonly reason: string;
  readonly hint: string | null;
  readonly audit: string | null;
}

/** Asserts `actual` against `expected`: a null hint or audit must be null, a string must be contained. */
export function expectVerdict(actual: PolicyVerdict, expected: ExpectedVerdict): void {
  expect(actual.rule).toBe(expected.rule);
  expect(actual.outcome).toBe(expected.outcome);
  expect(actual.reason).toContain(expected.reason);
  if (expected.hint === null) expect(actual.hint).toBeNull();
  else expect(actual.hint).toContain(expected.hint);
  if (expected.audit === null) expect(actual.audit).toBeNull();
  else expect(actual.audit).toContain(expected.audit);
}
