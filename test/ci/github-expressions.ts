/**
 * A small evaluator of GitHub Actions expressions (`${{ … }}` and `if:` conditions), enough to run the
 * workflows' routing against an event in a test: literals, context paths, `!`, `==`, `!=`, `&&`, `||`,
 * parentheses and the functions the workflows use. Anything else throws, naming what it met, so a new
 * construct in a workflow fails loudly here instead of being guessed at.
 */

/** A value an expression can produce. */
export type ExpressionValue = string | number | boolean | null | ExpressionObject | ExpressionValue[];
/** An object in the contexts (`github`, `needs`, `inputs`, …). */
export interface ExpressionObject {
  readonly [key: string]: ExpressionValue;
}

/** Status functions answer as for a run in which every needed job succeeded or was skipped. */
export interface ExpressionContext {
  readonly contexts: ExpressionObject;
  /** `success()`: true when every needed job succeeded. @default true */
  readonly success?: boolean;
}

type Token = { kind: 'string' | 'number' | 'name' | 'op'; text: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const pattern =
    /\s*(?:('(?:[^']|'')*')|(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_-]*)|(==|!=|&&|\|\||[!().,[\]*]))/y;
  let at = 0;
  while (at < source.length) {
    if (/^\s*$/.test(source.slice(at))) break;
    pattern.lastIndex = at;
    const match = pattern.exec(source);
    if (!match) throw new Error(`cannot read the expression at "${source.slice(at)}" in: ${source}`);
    at = pattern.lastIndex;
    if (match[1] !== undefined)
      tokens.push({ kind: 'string', text: match[1].slice(1, -1).replace(/''/g, "'") });
    else if (match[2] !== undefined) tokens.push({ kind: 'number', text: match[2] });
    else if (match[3] !== undefined) tokens.push({ kind: 'name', text: match[3] });
    else tokens.push({ kind: 'op', text: match[4]! });
  }
  return tokens;
}

/** GitHub's truthiness: false, 0, '', null are false. */
export function truthy(value: ExpressionValue): boolean {
  return !(value === false || value === 0 || value === '' || value === null);
}

/** What a value becomes when interpolated into a string. */
function asString(value: ExpressionValue): string {
  if (value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function equal(a: ExpressionValue, b: ExpressionValue): boolean {
  // Strings compare case-insensitively; other types are left to strict equality, which our workflows need.
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  return a === b;
}

/** Evaluates one expression (no `${{ }}` around it). */
export function evaluate(source: string, context: ExpressionContext): ExpressionValue {
  const tokens = tokenize(source);
  let i = 0;
  const peek = () => tokens[i];
  const take = (text?: string): Token => {
    const token = tokens[i];
    if (!token || (text !== undefined && token.text !== text))
      throw new Error(`expected ${text ?? 'more'} at token ${i} of: ${source}`);
    i++;
    return token;
  };

  const call = (name: string, args: ExpressionValue[]): ExpressionValue => {
    const [a = null, b = null] = args;
    switch (name.toLowerCase()) {
      case 'success':
        return context.success ?? true;
      case 'always':
        return true;
      case 'failure':
      case 'cancelled':
        return false;
      case 'startswith':
        return asString(a).toLowerCase().startsWith(asString(b).toLowerCase());
      case 'endswith':
        return asString(a).toLowerCase().endsWith(asString(b).toLowerCase());
      case 'contains':
        return Array.isArray(a)
          ? a.some((x) => equal(x, b))
          : asString(a).toLowerCase().includes(asString(b).toLowerCase());
      case 'fromjson':
        return JSON.parse(asString(a)) as ExpressionValue;
      default:
        throw new Error(`the evaluator does not know ${name}() in: ${source}`);
    }
  };

  const index = (value: ExpressionValue, key: ExpressionValue): ExpressionValue => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
    // Property names are case-insensitive in GitHub expressions.
    const found = Object.keys(value).find((k) => k.toLowerCase() === asString(key).toLowerCase());
    return found === undefined ? null : value[found]!;
  };

  const primary = (): ExpressionValue => {
    const token = take();
    if (token.kind === 'string') return token.text;
    if (token.kind === 'number') return Number(token.text);
    if (token.text === '(') {
      const value = or();
      take(')');
      return value;
    }
    if (token.kind !== 'name') throw new Error(`unexpected "${token.text}" in: ${source}`);
    if (token.text === 'true') return true;
    if (token.text === 'false') return false;
    if (token.text === 'null') return null;
    if (peek()?.text === '(') {
      take('(');
      const args: ExpressionValue[] = [];
      while (peek()?.text !== ')') {
        args.push(or());
        if (peek()?.text === ',') take(',');
      }
      take(')');
      return call(token.text, args);
    }
    let value = index(context.contexts, token.text);
    for (;;) {
      if (peek()?.text === '.') {
        take('.');
        value = index(value, take().text);
      } else if (peek()?.text === '[') {
        take('[');
        value = index(value, or());
        take(']');
      } else return value;
    }
  };
  const not = (): ExpressionValue => {
    if (peek()?.text === '!') {
      take('!');
      return !truthy(not());
    }
    return primary();
  };
  const comparison = (): ExpressionValue => {
    let left = not();
    while (peek()?.text === '==' || peek()?.text === '!=') {
      const op = take().text;
      const right = not();
      left = op === '==' ? equal(left, right) : !equal(left, right);
    }
    return left;
  };
  const and = (): ExpressionValue => {
    let left = comparison();
    while (peek()?.text === '&&') {
      take('&&');
      const right = comparison();
      left = truthy(left) ? right : left;
    }
    return left;
  };
  function or(): ExpressionValue {
    let left = and();
    while (peek()?.text === '||') {
      take('||');
      const right = and();
      left = truthy(left) ? left : right;
    }
    return left;
  }

  const value = or();
  if (i !== tokens.length) throw new Error(`unexpected "${tokens[i]!.text}" in: ${source}`);
  return value;
}

/** A YAML value with `${{ }}` in it: one whole expression keeps its type, anything else is interpolated. */
export function interpolate(value: unknown, context: ExpressionContext): ExpressionValue {
  if (typeof value !== 'string') return (value ?? null) as ExpressionValue;
  const whole = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(value);
  if (whole && !whole[1]!.includes('}}')) return evaluate(whole[1]!, context);
  return value.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expression: string) =>
    asString(evaluate(expression, context)),
  );
}

/** An `if:` condition, with or without `${{ }}`. */
export function condition(value: unknown, context: ExpressionContext): boolean {
  if (value === undefined) return context.success ?? true;
  if (typeof value === 'boolean') return value;
  const text = String(value);
  return truthy(/\$\{\{/.test(text) ? interpolate(text, context) : evaluate(text, context));
}
