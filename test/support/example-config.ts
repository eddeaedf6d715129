/** The repository's example configuration, and variants of it, for tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { type Config, resolveConfig } from '../../config';

/** Path of the example `wheelhouse.yml`. */
export const EXAMPLE_CONFIG_PATH = join(__dirname, '..', '..', 'wheelhouse.yml');

/** The YAML tree, loosely typed so that tests can edit any field. */
// biome-ignore lint/suspicious/noExplicitAny: tests reach into the YAML tree freely, including to break it.
export type RawConfig = Record<string, any>;

/** The example file as a plain object, fresh on every call so tests can change it. */
export function exampleRaw(): RawConfig {
  return parse(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8'));
}

/** The example configuration, resolved; `change` may edit the raw object first. */
export function exampleConfig(change?: (raw: RawConfig) => void): Config {
  const raw = exampleRaw();
  change?.(raw);
  return resolveConfig(raw, 'wheelhouse.yml').config;
}
