/**
 * The one environment lookup of the command line: the configuration from `WHEELHOUSE_CONFIG` (else
 * `wheelhouse.yml` in the working directory), through the same loader as the bot (`config/load.ts`),
 * and the environment that `--env` names. Every command that takes `--env` goes through it.
 */
import { type Config, type EnvironmentConfig, loadConfig } from '../config';
import { CliUsageError } from './cli-usage-error';
import { closestName } from './closest-name';

/** The configuration, the environment `--env` names, and the loader's warnings. */
export interface CliTarget {
  readonly config: Config;
  readonly environment: EnvironmentConfig;
  /** What the loader warns about (logged, not fatal). */
  readonly warnings: readonly string[];
}

/**
 * Loads the configuration (unless `config` is given) and finds `name` in it.
 *
 * @throws ConfigError when the file cannot be read or is not valid (the fix is in the message)
 * @throws CliUsageError naming the known environments (and the closest) when there is no `name`
 */
export function lookupEnvironment(
  env: NodeJS.ProcessEnv,
  name: string,
  usage: { readonly line: string; readonly command: string },
  config?: Config,
): CliTarget {
  const resolved = config ? { config, warnings: [] } : loadConfig({ env });
  const names = resolved.config.environments.map((e) => e.name);
  const environment = resolved.config.environments.find((e) => e.name === name);
  if (!environment) {
    const near = closestName(name, names);
    throw new CliUsageError(
      `There is no environment "${name.slice(0, 30)}" in ${resolved.config.source}; known: ${names.join(', ')}.${near ? ` Did you mean "${near}"?` : ''}`,
      usage.line,
      usage.command,
    );
  }
  return { config: resolved.config, environment, warnings: resolved.warnings };
}
