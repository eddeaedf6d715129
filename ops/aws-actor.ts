/**
 * Who an AWS call is made for, and how STS is told so: the person behind a Slack command, the GitHub
 * Actions run, or the person at a terminal. Without it every call made through an operator role appears
 * in CloudTrail as the bot (or the CI role), whoever asked for it.
 *
 * Three places carry it, because they differ in what STS keeps:
 * - the **source identity** (`slack-<user id>`, `gh-<run id>`, `cli-<os user>`): set once, it cannot be
 *   changed for the rest of the role chain and appears in every CloudTrail event of the session and of the
 *   sessions chained from it (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html).
 *   The roles' trust policies accept only these prefixes (`stacks/operator-role.ts`).
 * - **session tags** (`wheelhouse:actor`, `wheelhouse:via`, `wheelhouse:run`, `wheelhouse:approved-by`):
 *   the readable details, seen in the AssumeRole event and usable as `aws:PrincipalTag` in policies
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html).
 * - the **role session name**, in the ARN of every event (`assumed-role/<role>/<session name>`), so that
 *   a reader who only looks at the ARN still sees who.
 *
 * Every value comes from outside (a Slack display name, a GitHub login, an OS user name), so each is cut
 * down to the characters and the length STS accepts: a hostile name cannot make AssumeRole fail, and
 * cannot put anything but those characters into CloudTrail.
 */

/** Through which front end the call was asked for: a tag value, and the source identity's prefix. */
export type AwsActorVia = 'slack' | 'ci' | 'cli';

/** A person in Slack: the command's caller, or (for an approved change) its requester. */
export interface SlackActor {
  readonly via: 'slack';
  /** The Slack user id (U…/W…): the source identity, because a display name can be changed by its owner. */
  readonly userId: string;
  /** The display or user name, for the tags and the session name only. */
  readonly userName: string;
  /**
   * The approver's Slack user id when the change was approved by someone else (`wheelhouse:approved-by`).
   * @default null
   */
  readonly approvedBy?: string | null;
}

/** A GitHub Actions run (`GITHUB_RUN_ID`, `GITHUB_REPOSITORY`, `GITHUB_ACTOR`). */
export interface CiActor {
  readonly via: 'ci';
  readonly runId: string;
  /** `owner/name`. */
  readonly repository: string;
  /** The GitHub login that started the run. */
  readonly actor: string;
}

/** A person at a terminal, by operating-system user. */
export interface CliActor {
  readonly via: 'cli';
  readonly osUser: string;
}

/** Who an AWS call is made for. */
export type AwsActor = SlackActor | CiActor | CliActor;

/** One STS session tag. */
export interface SessionTag {
  readonly Key: string;
  readonly Value: string;
}

/** Tag keys, in one place so that policies and CloudTrail queries can name them. */
export const ACTOR_TAG_KEYS = {
  /** Who: the Slack name, the GitHub login, the OS user. */
  actor: 'wheelhouse:actor',
  /** `slack`, `ci` or `cli`. */
  via: 'wheelhouse:via',
  /** The GitHub Actions run, as a path: `github.com/<owner>/<repo>/actions/runs/<id>` (CI only). */
  run: 'wheelhouse:run',
  /** The Slack user id of the approver of a change made for its requester. */
  approvedBy: 'wheelhouse:approved-by',
} as const;

/** The source identity prefixes the roles' trust policies accept (`StringLike sts:SourceIdentity`). */
export const SOURCE_IDENTITY_PREFIXES: Readonly<Record<AwsActorVia, string>> = {
  slack: 'slack-',
  ci: 'gh-',
  cli: 'cli-',
};

/** STS: a source identity and a role session name are 2 to 64 of `[\w+=,.@-]` (ASCII word characters). */
const STS_NAME_MAX = 64;
const STS_NAME_OUTSIDE = /[^\w+=,.@-]/g;
/** STS: a tag value is at most 256 of `[\p{L}\p{Z}\p{N}_.:/=+\-@]` (https://docs.aws.amazon.com/STS/latest/APIReference/API_Tag.html). */
const TAG_VALUE_MAX = 256;
// Of \p{Z}, only the plain space is kept: line and paragraph separators would break a line in a log reader.
const TAG_VALUE_OUTSIDE = /[^\p{L}\p{N} _.:/=+\-@]/gu;

/** The source identity of `actor`: `slack-<user id>`, `gh-<run id>` or `cli-<os user>`. */
export function sourceIdentity(actor: AwsActor): string {
  return stsName(`${SOURCE_IDENTITY_PREFIXES[actor.via]}${nameOf(actor)}`);
}

/** The session tags of `actor`: who, through what, and (CI) which run or (an approved change) who approved. */
export function sessionTags(actor: AwsActor): SessionTag[] {
  const tags: SessionTag[] = [
    { Key: ACTOR_TAG_KEYS.actor, Value: tagValue(readableName(actor)) },
    { Key: ACTOR_TAG_KEYS.via, Value: actor.via },
  ];
  // Only a CI run is a run: a Slack command's correlation id would make every command a new session.
  if (actor.via === 'ci') {
    tags.push({
      Key: ACTOR_TAG_KEYS.run,
      Value: tagValue(`github.com/${actor.repository}/actions/runs/${actor.runId}`),
    });
  }
  if (actor.via === 'slack' && actor.approvedBy) {
    tags.push({ Key: ACTOR_TAG_KEYS.approvedBy, Value: tagValue(actor.approvedBy) });
  }
  return tags;
}

/**
 * The role session name of `actor`, readable in the ARN of every event: `slack-<user id>-<name>`,
 * `gh-<run id>-<login>`, `cli-<os user>`. The id comes first so that cutting to 64 characters keeps it.
 */
export function roleSessionNameOf(actor: AwsActor): string {
  const prefix = SOURCE_IDENTITY_PREFIXES[actor.via];
  switch (actor.via) {
    case 'slack':
      return stsName(`${prefix}${orUnknown(actor.userId)}-${orUnknown(actor.userName)}`);
    case 'ci':
      return stsName(`${prefix}${orUnknown(actor.runId)}-${orUnknown(actor.actor)}`);
    case 'cli':
      return stsName(`${prefix}${orUnknown(actor.osUser)}`);
  }
}

/** A key that is equal for two actors exactly when their sessions would be the same. */
export function actorKey(actor: AwsActor): string {
  return JSON.stringify([sourceIdentity(actor), roleSessionNameOf(actor), sessionTags(actor)]);
}

/** The id part of the source identity: the one value that says who, whatever the name shown. */
function nameOf(actor: AwsActor): string {
  switch (actor.via) {
    case 'slack':
      return orUnknown(actor.userId);
    case 'ci':
      return orUnknown(actor.runId);
    case 'cli':
      return orUnknown(actor.osUser);
  }
}

function readableName(actor: AwsActor): string {
  switch (actor.via) {
    case 'slack':
      return orUnknown(actor.userName);
    case 'ci':
      return orUnknown(actor.actor);
    case 'cli':
      return orUnknown(actor.osUser);
  }
}

function orUnknown(value: string): string {
  return value.trim() === '' ? 'unknown' : value.trim();
}

/** To STS's `[\w+=,.@-]{2,64}`: anything else becomes `-` (the prefix keeps it at 4 or more). */
function stsName(text: string): string {
  return text.replace(STS_NAME_OUTSIDE, '-').slice(0, STS_NAME_MAX);
}

/** To a tag value STS accepts: anything else becomes `-`, then cut to 256 UTF-16 units without splitting a character. */
function tagValue(text: string): string {
  let kept = '';
  for (const char of text.replace(TAG_VALUE_OUTSIDE, '-')) {
    if (kept.length + char.length > TAG_VALUE_MAX) break;
    kept += char;
  }
  return kept;
}
