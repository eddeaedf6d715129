/**
 * Redacts secret-looking values from text the bot sends or logs: Slack tokens, AWS keys, private
 * keys, bearer tokens, passwords in connection strings and `password=` style assignments.
 */

/** What replaces a secret. */
export const REDACTED = '[redacted]';

const PATTERNS: readonly [RegExp, string | ((match: string, ...groups: string[]) => string)][] = [
  // Whole private key blocks first, so that their base64 body is not left behind.
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g, REDACTED],
  // The body of an OpenSSH private key ("openssh-key-v1") pasted without its armour.
  [/b3BlbnNzaC1rZXktdjE[A-Za-z0-9+/=]*/g, REDACTED],
  [/PuTTY-User-Key-File-\d+:[\s\S]*?(Private-MAC: *[0-9a-f]+|$)/g, REDACTED],
  // Slack: bot, user, app-level, config and refresh tokens; signing secrets are not recognisable.
  [/\bx(?:ox[abposer]|app)-[A-Za-z0-9-]{8,}/g, REDACTED],
  [/\bhttps:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/]+/g, REDACTED],
  // AWS access key ids and secrets written as assignments.
  [/\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g, REDACTED],
  [
    /\b(aws_?secret_?access_?key|aws_?session_?token)(["']?\s*[:=]\s*["']?)[A-Za-z0-9/+=]{16,}/gi,
    (_m, key: string, sep: string) => `${key}${sep}${REDACTED}`,
  ],
  // user:password@ in URLs (postgres://, mysql://, https://…).
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+):([^\s@/]+)@/gi, (_m, prefix: string) => `${prefix}:${REDACTED}@`],
  // password=…, "secret": "…", token: … and friends (libpq keyword strings, JSON, YAML, env files).
  [
    /\b((?:[a-z_]*_)?(?:password|passwd|pwd|secret|token|api_?key|app_?key|routing_?key))(["']?\s*[:=]\s*)(["']?)([^\s"',;&]+)\3/gi,
    (_m, key: string, sep: string, quote: string) => `${key}${sep}${quote}${REDACTED}${quote}`,
  ],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{16,}/g, (_m, scheme: string) => `${scheme} ${REDACTED}`],
];

/**
 * Words that every pattern above needs (lower-cased): most text has none of them, and then the
 * replacements are skipped. A plain substring search is much cheaper than a case-insensitive regex,
 * and the bot redacts every reply on the hot path.
 */
const HINTS = [
  'private key',
  'putty',
  'b3blbnnzac1rzxktdje',
  'xox',
  'xapp-',
  'hooks.slack',
  'akia',
  'asia',
  'abia',
  'acca',
  'aws',
  '://',
  'passw',
  'pwd',
  'secret',
  'token',
  'api_key',
  'apikey',
  'app_key',
  'appkey',
  'routing_key',
  'routingkey',
  'bearer',
  'basic',
];

function maybeSecret(text: string): boolean {
  const lower = text.toLowerCase();
  return HINTS.some((hint) => lower.includes(hint));
}

/** Returns `text` with every secret-looking value replaced by {@link REDACTED}. */
export function redact(text: string): string {
  if (!maybeSecret(text)) return text;
  let out = text;
  for (const [pattern, replacement] of PATTERNS) {
    out = out.replace(pattern, replacement as string);
  }
  return out;
}

/**
 * Redacts every string inside a JSON-like value (Block Kit payloads). Returns the value itself when
 * nothing in it looks secret (one scan of its JSON), else a redacted copy.
 */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'object' && value !== null && KNOWN_CLEAN.has(value)) return value;
  if (!maybeSecret(typeof value === 'string' ? value : (JSON.stringify(value) ?? ''))) {
    if (typeof value === 'object' && value !== null) KNOWN_CLEAN.add(value);
    return value;
  }
  return redactEach(value);
}

/**
 * Objects already found free of secrets. Replies are immutable (readonly all the way down), so a
 * reply that is sent again (a cached `/help`) is not scanned again.
 */
const KNOWN_CLEAN = new WeakSet<object>();

function redactEach<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactEach(v)) as T;
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactEach(v);
    return out as T;
  }
  return value;
}
