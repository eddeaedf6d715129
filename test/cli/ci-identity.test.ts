import { cliIdentity } from '../../cli/ci-identity';

describe('the command line identity', () => {
  it.each<[string, NodeJS.ProcessEnv, string]>([
    [
      'a GitHub Actions run',
      {
        GITHUB_ACTIONS: 'true',
        GITHUB_ACTOR: 'octocat',
        GITHUB_REPOSITORY: 'acme/wheelhouse',
        GITHUB_RUN_ID: '4242',
      },
      'ci:octocat@acme/wheelhouse#4242',
    ],
    [
      'a run started by a bot account',
      {
        GITHUB_ACTIONS: 'true',
        GITHUB_ACTOR: 'dependabot[bot]',
        GITHUB_REPOSITORY: 'acme/wheelhouse',
        GITHUB_RUN_ID: '7',
      },
      'ci:dependabot[bot]@acme/wheelhouse#7',
    ],
    ['a run whose variables are missing', { GITHUB_ACTIONS: 'true' }, 'ci:unknown@unknown#unknown'],
    [
      'a variable that tries to forge markup or a new line',
      {
        GITHUB_ACTIONS: 'true',
        GITHUB_ACTOR: 'eve <@U0ADMIN>\n',
        GITHUB_REPOSITORY: 'acme/wheelhouse',
        GITHUB_RUN_ID: '1',
      },
      'ci:eveU0ADMIN@acme/wheelhouse#1',
    ],
    ['a person at a terminal', {}, 'cli:alice'],
    ['another CI than GitHub Actions', { CI: 'true', GITHUB_ACTOR: 'octocat' }, 'cli:alice'],
  ])('is recorded for %s as %s', (_name, env, id) => {
    expect(cliIdentity(env, () => 'alice')).toMatchObject({ id, name: id });
  });

  it.each([
    [
      { GITHUB_ACTIONS: 'true', GITHUB_ACTOR: 'dependabot[bot]', GITHUB_RUN_ID: '7' },
      'wheelhouse-ci-dependabot-bot--7',
    ],
    [{}, 'wheelhouse-cli-alice'],
  ])('names the assumed role session after it (%o), as STS allows', (env, name) => {
    expect(cliIdentity(env, () => 'alice').roleSessionName).toBe(name);
  });
});
