/**
 * Who an AWS call is made for, as STS is told. The character rules are STS's own:
 * - SourceIdentity and RoleSessionName: 2 to 64 of `[\w+=,.@-]`
 *   (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html);
 * - a session tag value: at most 256 of `[\p{L}\p{Z}\p{N}_.:/=+\-@]`
 *   (https://docs.aws.amazon.com/STS/latest/APIReference/API_Tag.html).
 */
import { type AwsActor, actorKey, roleSessionNameOf, sessionTags, sourceIdentity } from '../../ops/aws-actor';

const STS_NAME = /^[\w+=,.@-]{2,64}$/;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

const alice: AwsActor = { via: 'slack', userId: 'U0ALICE01', userName: 'alice' };
const run: AwsActor = { via: 'ci', runId: '4242', repository: 'acme/wheelhouse', actor: 'octocat' };
const terminal: AwsActor = { via: 'cli', osUser: 'bob' };

describe('an actor as STS sees it', () => {
  it.each<[string, AwsActor, string, string, Record<string, string>]>([
    [
      'a Slack user',
      alice,
      'slack-U0ALICE01',
      'slack-U0ALICE01-alice',
      { 'wheelhouse:actor': 'alice', 'wheelhouse:via': 'slack' },
    ],
    [
      'a Slack requester whose change another person approved',
      { ...alice, approvedBy: 'U0BOB0002' },
      'slack-U0ALICE01',
      'slack-U0ALICE01-alice',
      { 'wheelhouse:actor': 'alice', 'wheelhouse:via': 'slack', 'wheelhouse:approved-by': 'U0BOB0002' },
    ],
    [
      'a GitHub Actions run',
      run,
      'gh-4242',
      'gh-4242-octocat',
      {
        'wheelhouse:actor': 'octocat',
        'wheelhouse:via': 'ci',
        'wheelhouse:run': 'github.com/acme/wheelhouse/actions/runs/4242',
      },
    ],
    [
      'a run started by a bot account',
      { via: 'ci', runId: '7', repository: 'acme/wheelhouse', actor: 'dependabot[bot]' },
      'gh-7',
      'gh-7-dependabot-bot-',
      {
        'wheelhouse:actor': 'dependabot-bot-',
        'wheelhouse:via': 'ci',
        'wheelhouse:run': 'github.com/acme/wheelhouse/actions/runs/7',
      },
    ],
    [
      'a person at a terminal',
      terminal,
      'cli-bob',
      'cli-bob',
      { 'wheelhouse:actor': 'bob', 'wheelhouse:via': 'cli' },
    ],
    [
      'a Slack name with markup, spaces and a new line',
      { via: 'slack', userId: 'U0EVE0001', userName: 'Eve <@U0ADMIN>\n"admin"' },
      'slack-U0EVE0001',
      'slack-U0EVE0001-Eve--@U0ADMIN---admin-',
      { 'wheelhouse:actor': 'Eve -@U0ADMIN---admin-', 'wheelhouse:via': 'slack' },
    ],
    [
      'a Slack name in another script',
      { via: 'slack', userId: 'U0JOSE001', userName: 'José Müller 山田' },
      'slack-U0JOSE001',
      'slack-U0JOSE001-Jos--M-ller---',
      { 'wheelhouse:actor': 'José Müller 山田', 'wheelhouse:via': 'slack' },
    ],
    [
      'an empty OS user (a container without a passwd entry)',
      { via: 'cli', osUser: '  ' },
      'cli-unknown',
      'cli-unknown',
      { 'wheelhouse:actor': 'unknown', 'wheelhouse:via': 'cli' },
    ],
  ])('%s', (_name, actor, identity, session, tags) => {
    expect(sourceIdentity(actor)).toBe(identity);
    expect(roleSessionNameOf(actor)).toBe(session);
    expect(Object.fromEntries(sessionTags(actor).map((t) => [t.Key, t.Value]))).toEqual(tags);
  });

  it.each<[string, AwsActor]>([
    ['a 300-character Slack name', { via: 'slack', userId: 'U0LONG001', userName: 'x'.repeat(300) }],
    ['a 100-character OS user', { via: 'cli', osUser: `${'y'.repeat(99)}!` }],
    [
      'a forged run id and repository',
      { via: 'ci', runId: '1;rm -rf /\u2028x', repository: `acme/${'r'.repeat(300)}`, actor: 'a\u0000b' },
    ],
    ['line and paragraph separators', { via: 'slack', userId: 'U\u2029X', userName: 'a\u2028b\u00a0c' }],
    ['emoji beyond the basic plane', { via: 'slack', userId: 'U0EMOJI01', userName: '🚀'.repeat(200) }],
  ])('keeps %s within what STS accepts', (_name, actor) => {
    expect(sourceIdentity(actor)).toMatch(STS_NAME);
    expect(roleSessionNameOf(actor)).toMatch(STS_NAME);
    for (const tag of sessionTags(actor)) {
      expect(tag.Value).toMatch(TAG_VALUE);
      expect(tag.Value.length).toBeLessThanOrEqual(256);
      expect(tag.Value).not.toMatch(/[\u2028\u2029\p{Cc}]/u);
      // A cut never leaves half of a surrogate pair behind.
      expect(tag.Value).toBe(Buffer.from(tag.Value, 'utf8').toString('utf8'));
    }
  });

  it('keeps the Slack user id when a long name is cut, so that the session name still says who', () => {
    const actor: AwsActor = { via: 'slack', userId: 'U0LONG001', userName: 'z'.repeat(100) };
    expect(roleSessionNameOf(actor)).toMatch(/^slack-U0LONG001-z+$/);
    expect(roleSessionNameOf(actor)).toHaveLength(64);
  });

  it('tells actors apart exactly when their sessions differ', () => {
    expect(actorKey(alice)).toBe(actorKey({ ...alice }));
    expect(actorKey(alice)).not.toBe(actorKey({ ...alice, userId: 'U0OTHER01' }));
    expect(actorKey(alice)).not.toBe(actorKey({ ...alice, approvedBy: 'U0BOB0002' }));
    expect(actorKey(run)).not.toBe(actorKey({ ...run, runId: '4243' }));
    expect(actorKey(terminal)).not.toBe(actorKey(alice));
  });
});
