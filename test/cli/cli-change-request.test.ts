import { cliIdentity } from '../../cli/ci-identity';
import { cliChangeRequest } from '../../cli/cli-change-request';
import { findEnvironment } from '../../config';
import { testConfig } from '../bot/fixtures/test-config';

const prod = findEnvironment(testConfig(), 'prod');
const NOW = new Date('2026-11-25T12:00:00Z');
const GITHUB_RUN: NodeJS.ProcessEnv = {
  GITHUB_ACTIONS: 'true',
  GITHUB_ACTOR: 'octocat',
  GITHUB_REPOSITORY: 'acme/wheelhouse',
  GITHUB_RUN_ID: '4242',
};

describe("the command line's change request", () => {
  it.each<[string, NodeJS.ProcessEnv, string, 'ci' | 'cli', string]>([
    ['a GitHub Actions run', GITHUB_RUN, 'alice', 'ci', 'ci:octocat@acme/wheelhouse#4242'],
    ['a person at a terminal', {}, 'alice', 'cli', 'cli:alice'],
    // The identity keeps no colon of an OS user's name, so no user can pass for a CI run.
    ['an OS user named like a CI run', {}, 'ci:octocat', 'cli', 'cli:cioctocat'],
  ])(
    '%s asks with its caller and identity, never as an admin, never approved',
    (_name, env, osUser, caller, id) => {
      // WHEN
      const request = cliChangeRequest(
        cliIdentity(env, () => osUser),
        { action: 'rollback', environment: prod, version: 'v1.5.0', scale: null, freezeOverride: null },
        NOW,
      );

      // THEN never an admin (no Slack identity to check) and never approved (no one to ask)
      expect(request).toEqual({
        action: 'rollback',
        caller,
        environment: prod,
        actor: { id, name: id, isAdmin: false },
        version: 'v1.5.0',
        scale: null,
        freezeOverride: null,
        approval: { status: 'none' },
        now: NOW,
      });
    },
  );
});
