/**
 * The README promises commands; this test holds it to them. Every `npm run`, `npx`, CLI flag, slash
 * command, `wheelhouse` command and flag, AWS CLI call, stack name and repository path the README names must exist, and the alert
 * table of the operator's guide must be what `npm run monitors -- alerts --env prod` prints.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { findEnvironment, loadConfig } from '../config';
import { ALERT_GUIDE_MARKERS, alertGuideMarkdown } from '../monitors/alert-guide';

const ROOT = path.join(__dirname, '..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const PACKAGE = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  bin: Record<string, string>;
};
const SCRIPTS = Object.keys(PACKAGE.scripts);

/** Every command-like line: each line of a shell code block, and each inline code span. */
function commandLines(markdown: string): string[] {
  const lines: string[] = [];
  const fence = /```(?:sh|bash|shell)?\n([\s\S]*?)```/g;
  for (const block of markdown.matchAll(fence)) {
    for (const line of block[1]!.split('\n')) {
      const command = line.replace(/\s+#.*$/, '').trim();
      if (command) lines.push(command);
    }
  }
  const withoutBlocks = markdown.replace(fence, '');
  for (const span of withoutBlocks.matchAll(/`([^`\n]+)`/g)) lines.push(span[1]!.trim());
  // `a && b` and `a | b` hold two commands.
  return lines.flatMap((line) => line.split(/\s*(?:&&|\|)\s*/)).filter(Boolean);
}

const LINES = commandLines(README);

/** The words after a prefix, for every line that starts with it. */
function invocations(prefix: string): string[][] {
  return LINES.filter((line) => line.startsWith(`${prefix} `) || line === prefix).map((line) =>
    line.slice(prefix.length).trim().split(/\s+/).filter(Boolean),
  );
}

const flagsOf = (words: readonly string[]) =>
  words.filter((w) => /^--[a-z]/.test(w)).map((w) => w.replace(/=.*$/, '').replace(/[,.;:)]+$/, ''));

/** What `wheelhouse <path> --help` prints (the one entry, in-process), or its usage error. */
async function cliHelp(words: readonly string[]): Promise<string> {
  const { main } = require('../cli/main') as typeof import('../cli/main');
  let text = '';
  const write = (t: string) => {
    text += t;
  };
  await main([...words, '--help'], { env: {}, stdout: { write }, stderr: { write } });
  return text;
}

function help(command: string, args: readonly string[]): string {
  try {
    return execFileSync(command, [...args], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe', timeout: 60_000 });
  } catch (error) {
    // Usage printed on stderr with a non-zero exit still lists what exists.
    const e = error as { stdout?: string; stderr?: string };
    return `${e.stdout ?? ''}${e.stderr ?? ''}`;
  }
}

describe('README', () => {
  it('names only npm scripts that package.json has', () => {
    const named = invocations('npm run')
      .map((words) => words[0])
      .filter((name): name is string => name !== undefined);
    expect(named.length).toBeGreaterThan(5);
    // `bench:*` stands for every script with that prefix; at least one must exist.
    const exists = (name: string) =>
      name.endsWith('*') ? SCRIPTS.some((s) => s.startsWith(name.slice(0, -1))) : SCRIPTS.includes(name);
    expect(named.filter((script) => !exists(script))).toEqual([]);
  });

  it('uses only commands, subcommands and flags that the wheelhouse command line knows', async () => {
    // `npx wheelhouse`, `npm run wheelhouse --` and a bare `wheelhouse` are the one entry; `npm run
    // monitors --` is `wheelhouse monitors`.
    const uses = [
      ...invocations('npx wheelhouse'),
      ...invocations('wheelhouse'),
      ...invocations('npm run wheelhouse --'),
      ...invocations('npm run monitors --').map((words) => ['monitors', ...words]),
    ];
    expect(uses.length).toBeGreaterThan(5);
    const unknown: string[] = [];
    for (const words of uses) {
      // The command's words: up to the first option or placeholder (`<command>`, `[--prune]`).
      const end = words.findIndex((w) => /^[-<[]/.test(w));
      const path = end === -1 ? words : words.slice(0, end);
      if (path.length === 0) continue;
      // `help monitors apply` prints what `monitors apply --help` prints.
      if (path[0] === 'help' && path.length > 1) path.shift();
      const text = await cliHelp(path);
      if (!text.startsWith(`Usage: wheelhouse ${path.join(' ')}`)) unknown.push(path.join(' '));
      for (const flag of flagsOf(words)) if (!text.includes(flag)) unknown.push(`${path.join(' ')} ${flag}`);
    }
    expect([...new Set(unknown)]).toEqual([]);
  });

  it('names the exit codes in a table, as wheelhouse --help does', () => {
    const { EXIT_CODE_MEANINGS } = require('../cli/exit-codes') as typeof import('../cli/exit-codes');
    const rows = README.slice(README.indexOf('#### Exit codes'));
    for (const [code] of EXIT_CODE_MEANINGS) expect(rows).toMatch(new RegExp(`^\\| ${code} \\| `, 'm'));
  });

  it('runs only npx tools that are installed, with cdk subcommands and flags the CDK CLI has', () => {
    const uses = invocations('npx').filter((words) => words.length > 0);
    expect(uses.length).toBeGreaterThan(0);
    // The project's own bin (package.json "bin") is not in node_modules/.bin: npx runs it from the
    // project (https://docs.npmjs.com/cli/v11/commands/npx).
    const own = Object.keys(PACKAGE.bin);
    const missing = uses
      .map((words) => words[0]!)
      .filter((bin) => !own.includes(bin) && !existsSync(path.join(ROOT, 'node_modules', '.bin', bin)));
    expect(missing).toEqual([]);
    const cdk = path.join(ROOT, 'node_modules', '.bin', 'cdk');
    const unknown: string[] = [];
    for (const words of uses.filter((w) => w[0] === 'cdk')) {
      const sub = words[1]!;
      const text = help(cdk, [sub, '--help']);
      if (!new RegExp(`cdk ${sub}\\b`).test(text)) unknown.push(sub);
      for (const flag of flagsOf(words)) if (!text.includes(flag)) unknown.push(`${sub} ${flag}`);
    }
    expect(unknown).toEqual([]);
  });

  it('names only stacks that the app has', () => {
    const { config } = loadConfig({ env: {} });
    const project = config.project.name;
    const stacks = new Set([
      ...config.environments.map((e) => e.stackName),
      `${project}-ci`,
      `${project}-bot`,
    ]);
    const named = [...README.matchAll(new RegExp(`\\b${project}-[a-z]+\\b(?![-/.])`, 'g'))]
      .map((m) => m[0])
      // Names of other things that share the prefix: the alert channels, the deploy-state tables, the CI
      // roles, the command line's log name.
      .filter((name) => !/-(alerts|deploy|plan|task|operator|cli)$/.test(name));
    expect(named.length).toBeGreaterThan(3);
    expect([...new Set(named)].filter((name) => !stacks.has(name))).toEqual([]);
  });

  it('names only slash commands that the bot has and the manifest declares', () => {
    // Loaded here: the registry pulls in the bot's command modules.
    const { COMMANDS } = require('../bot/commands/registry') as typeof import('../bot/commands/registry');
    const manifest = readFileSync(path.join(ROOT, 'manifest.yml'), 'utf8');
    const httpPaths = new Set(['healthz', 'readyz', 'tmp', 'slack', 'v1']);
    const named = LINES.map((line) => /^\/([a-z][a-z-]*)(?:\s|$)/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined)
      .filter((name) => !httpPaths.has(name));
    expect(named).toEqual(expect.arrayContaining(['deploy', 'scale', 'tunnel', 'signoff']));
    const unknown = named.filter(
      (name) => !COMMANDS.some((c) => c.name === name) || !manifest.includes(`command: /${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it('calls only AWS CLI operations that exist in the AWS SDK', () => {
    const uses = invocations('aws').filter((words) => words.length >= 2);
    expect(uses.length).toBeGreaterThan(0);
    // Customizations of the AWS CLI itself, with no API operation behind them.
    const cliOnly = new Set(['ecr get-login-password', 'sso login', 'configure sso']);
    // The AWS CLI's service names where the SDK's package is named otherwise.
    const sdkPackage: Record<string, string> = { secretsmanager: 'secrets-manager' };
    const unknown: string[] = [];
    for (const [service, operation] of uses) {
      if (cliOnly.has(`${service} ${operation}`)) continue;
      const pascal = operation!.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());
      const client = require(`@aws-sdk/client-${sdkPackage[service!] ?? service}`) as Record<string, unknown>;
      if (typeof client[`${pascal}Command`] !== 'function') unknown.push(`aws ${service} ${operation}`);
    }
    expect(unknown).toEqual([]);
  });

  it('points only at files and folders that exist', () => {
    const paths = LINES.filter((line) =>
      /^(bot|cli|clients|config|ops|slack|stacks|service|monitors|test|bench|vendor|\.github)\/[\w./-]*$/.test(
        line,
      ),
    );
    expect(paths.length).toBeGreaterThan(10);
    expect(paths.filter((p) => !existsSync(path.join(ROOT, p.replace(/\/$/, ''))))).toEqual([]);
  });

  it('explains every alert: the guide table is what `npm run monitors -- alerts --env prod` prints', () => {
    const start = README.indexOf(ALERT_GUIDE_MARKERS.start);
    const end = README.indexOf(ALERT_GUIDE_MARKERS.end);
    expect(start).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(start);
    const table = README.slice(start + ALERT_GUIDE_MARKERS.start.length, end).trim();
    const { config } = loadConfig({ env: {} });
    expect(table).toBe(alertGuideMarkdown(config, findEnvironment(config, 'prod')));
  });
});
