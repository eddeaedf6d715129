/** Parsing helpers shared by command modules: words, and the `<env>` argument with channel defaults. */
import type { EnvironmentConfig } from '../../config';
import { UsageError } from '../../ops/user-error';
import { environmentsBoundTo } from '../permissions';
import type { ParseContext } from './command';

/** Splits command text into words. */
export function words(text: string): string[] {
  const trimmed = text.trim();
  return trimmed === '' ? [] : trimmed.split(/\s+/);
}

/** The text after the first `count` words, as typed (keys and reasons keep their spaces). */
export function afterWords(text: string, count: number): string {
  let rest = text.trimStart();
  for (let i = 0; i < count; i++) rest = rest.replace(/^\S+\s*/, '');
  return rest.trim();
}

/** The environment named by the first word, or the channel's only environment when it is left out. */
export interface TakenEnvironment {
  readonly environment: EnvironmentConfig;
  /** Words consumed: 1 when named, 0 when it came from the channel. */
  readonly consumed: 0 | 1;
}

/**
 * Reads `<env>` from the first word. It may be left out in a channel bound to exactly one
 * environment, when the first word is absent or one of `keywords` (a subcommand or option).
 */
export function takeEnvironment(
  tokens: readonly string[],
  ctx: ParseContext,
  usage: string,
  keywords: readonly string[] = [],
): TakenEnvironment {
  const known = ctx.config.environments;
  const first = tokens[0];
  const named = first === undefined ? undefined : known.find((e) => e.name === first);
  if (named) return { environment: named, consumed: 1 };
  const names = known.map((e) => e.name).join(', ');
  if (first === undefined || keywords.includes(first)) {
    const bound = environmentsBoundTo(ctx.config, ctx.caller.channelId);
    if (bound.length === 1) return { environment: bound[0]!, consumed: 0 };
    throw new UsageError(`Which environment? Name one of: ${names}.`, usage);
  }
  throw new UsageError(`There is no environment "${first.slice(0, 30)}"; known: ${names}.`, usage);
}
