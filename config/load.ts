/** Reads `wheelhouse.yml` (or `WHEELHOUSE_CONFIG`) from disk and resolves it. */
import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { parse, YAMLParseError } from 'yaml';
import { ConfigError } from './config-error';
import { type Resolved, resolveConfig } from './resolve';

/** Options for {@link loadConfig}. */
export interface LoadConfigOptions {
  /** File to read. @default process.env.WHEELHOUSE_CONFIG, else `wheelhouse.yml` in the working directory */
  readonly path?: string;
  /** Environment variables to read `WHEELHOUSE_CONFIG` from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** Default file name, at the repository root. */
export const DEFAULT_CONFIG_FILE = 'wheelhouse.yml';

/** Loads and resolves the configuration; throws {@link ConfigError} with every problem when it is not valid. */
export function loadConfig(options: LoadConfigOptions = {}): Resolved {
  const env = options.env ?? process.env;
  const path = resolvePath(options.path ?? env.WHEELHOUSE_CONFIG ?? DEFAULT_CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const fix =
      code === 'ENOENT'
        ? `create it (copy the example wheelhouse.yml from the repository) or set WHEELHOUSE_CONFIG to its path`
        : `check its permissions (${code ?? 'unreadable'})`;
    throw new ConfigError(path, [{ path: '', message: `cannot read the file: ${fix}` }]);
  }
  return parseConfig(text, path);
}

/** Parses YAML text and resolves it; `source` names it in error messages. */
export function parseConfig(text: string, source = '<inline>'): Resolved {
  let raw: unknown;
  try {
    raw = parse(text, { prettyErrors: true, uniqueKeys: true });
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const [line, col] = error.linePos?.[0] ? [error.linePos[0].line, error.linePos[0].col] : [0, 0];
      throw new ConfigError(source, [
        {
          path: '',
          message: `not valid YAML at line ${line}, column ${col}: ${error.message.split('\n')[0]}`,
        },
      ]);
    }
    throw error;
  }
  return resolveConfig(raw, source);
}
