/**
 * The service's two image repositories (`registry.repositoryName`, `registry.branchRepositoryName`) and
 * which one each environment runs (`environments.<env>.images`).
 */
import { ConfigError, findEnvironment, resolveConfig } from '../../config';
import { exampleConfig, exampleRaw, type RawConfig } from '../support/example-config';

/** Resolves the example after `change`, expecting failure; returns the error message. */
function failure(change: (raw: RawConfig) => void): string {
  const raw = exampleRaw();
  change(raw);
  try {
    resolveConfig(raw, 'wheelhouse.yml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected the configuration to be rejected');
}

/** Each environment's image tier and repository. */
function images(change?: (raw: RawConfig) => void): [string, string, string][] {
  return exampleConfig(change).environments.map((e) => [e.name, e.images.tier, e.images.repositoryName]);
}

describe('image repositories', () => {
  it('gives dev branch images and stage and prod release images in the example', () => {
    expect(images()).toEqual([
      ['dev', 'branch', 'wheelhouse/service-branches'],
      ['stage', 'release', 'wheelhouse/service'],
      ['prod', 'release', 'wheelhouse/service'],
    ]);
    expect(exampleConfig().registry).toEqual({
      account: '111111111111',
      region: 'eu-west-1',
      repositoryName: 'wheelhouse/service',
      branchRepositoryName: 'wheelhouse/service-branches',
    });
  });

  it('names the branch repository after the release repository unless told', () => {
    expect(
      exampleConfig((raw) => {
        raw.registry.repositoryName = 'acme/api';
      }).registry.branchRepositoryName,
    ).toBe('acme/api-branches');
    expect(
      images((raw) => {
        raw.registry.branchRepositoryName = 'acme/scratch';
      })[0],
    ).toEqual(['dev', 'branch', 'acme/scratch']);
  });

  it('gives release images, left out, to protected environments only: trust is opt-in', () => {
    // GIVEN no environment that says which images it takes
    const change = (raw: RawConfig) => {
      for (const env of Object.values(raw.environments) as RawConfig[]) delete env.images;
    };

    // THEN only prod, the protected one, writes and runs release images
    expect(images(change).map(([name, tier]) => [name, tier])).toEqual([
      ['dev', 'branch'],
      ['stage', 'branch'],
      ['prod', 'release'],
    ]);
  });

  it('takes the setting from defaults like any other field', () => {
    const config = exampleConfig((raw) => {
      raw.defaults.images = 'release';
      delete raw.environments.dev.images;
    });
    expect(findEnvironment(config, 'dev').images.tier).toBe('release');
  });

  it.each<[string, (raw: RawConfig) => void, string]>([
    [
      'an environment names neither tier',
      (raw) => {
        raw.environments.dev.images = 'main';
      },
      'environments.dev.images: must be "branch" (any branch deploys here: images from the branch repository) or "release" (only main or release tags deploy here), got "main"',
    ],
    [
      'a protected environment takes branch images',
      (raw) => {
        raw.environments.prod.images = 'branch';
      },
      'environments.prod.images: must be "release" in a protected environment, got "branch": a protected environment runs only images built from main, never a branch\'s; remove the field or set it to release',
    ],
    [
      'the branch repository is the release repository',
      (raw) => {
        raw.registry.branchRepositoryName = 'wheelhouse/service';
      },
      'registry.branchRepositoryName: must differ from registry.repositoryName (wheelhouse/service), got "wheelhouse/service": branch images must never be where stage and prod pull from; leave it out for wheelhouse/service-branches',
    ],
    [
      'the branch repository is not an ECR name',
      (raw) => {
        raw.registry.branchRepositoryName = 'Wheelhouse/Branches';
      },
      'registry.branchRepositoryName: must be an ECR repository name: lower-case letters and digits, separated by . _ - or / (such as wheelhouse/service), got "Wheelhouse/Branches"',
    ],
    [
      'the branch repository takes the name of the bot repository',
      (raw) => {
        raw.registry.branchRepositoryName = 'wheelhouse/bot';
      },
      "delivery.bot: the bot's image repository is wheelhouse/bot, which registry.branchRepositoryName also names: give the branch repository another name",
    ],
  ])('fails when %s', (_, change, message) => {
    expect(failure(change)).toContain(message);
  });
});
