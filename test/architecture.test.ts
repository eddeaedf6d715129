/**
 * The README's layout table says which folder may import which; this test reads that table and every
 * import of every source file (static `import`/`export … from`, `import()`, `require()`, `jest.mock`,
 * `typeof import()` and the computed specifiers `const specifier = '…'` used to load a module late),
 * and fails on an import that runs another way. So the README's arrows stay true.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';

const ROOT = join(__dirname, '..');

/** A folder's allowed imports, as the README's third column says; `anything` for test and bench. */
type Allowed = readonly string[] | 'anything';

/** Reads the layout table: `| \`folder/\` | what | may import |`. */
function readLayout(readme: string): Map<string, Allowed> {
  const section = readme.slice(
    readme.indexOf('## Layout'),
    readme.indexOf('\n## ', readme.indexOf('## Layout') + 1),
  );
  const layout = new Map<string, Allowed>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const folder = /^`([a-z.-]+)\/`$/.exec(cells[1] ?? '')?.[1];
    const imports = cells[3];
    if (!folder || imports === undefined || imports === '' || folder.startsWith('.')) continue;
    if (imports === 'anything') layout.set(folder, 'anything');
    else if (imports === 'nothing') layout.set(folder, []);
    else
      layout.set(
        folder,
        [...imports.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.replace(/\.ts$/, '')),
      );
  }
  return layout;
}

const SPECIFIER =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bjest\.(?:mock|requireActual)\s*\(\s*|\bspecifier\s*=\s*|^import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;

/** Every relative module specifier in `source`. */
function relativeImports(source: string): string[] {
  return [...source.matchAll(SPECIFIER)].map((m) => m[1]!);
}

/** The repository path an import of `specifier` from `file` points at (without extension). */
function target(file: string, specifier: string): string {
  return normalize(join(dirname(file), specifier))
    .split(sep)
    .join('/')
    .replace(/\.js$/, '');
}

/** Whether `file` (a repository path) may import `path`, by `layout`; null when allowed. */
function violation(layout: Map<string, Allowed>, file: string, path: string): string | null {
  const from = file.split('/')[0]!;
  const to = path.split('/')[0]!;
  if (from === to) return null;
  const allowed = layout.get(from);
  if (allowed === undefined) return `${from}/ is not in the README's layout table`;
  if (allowed === 'anything') return null;
  if (allowed.some((a) => a === to || path === a || path.startsWith(`${a}/`))) return null;
  return `${file} imports ${path}: ${from}/ may import ${allowed.length === 0 ? 'nothing of ours' : allowed.join(', ')}`;
}

function sourceFiles(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name === 'gen' || name === 'cdk.out') continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts')) out.push(relative(ROOT, path).split(sep).join('/'));
    }
  };
  walk(join(ROOT, folder));
  return out;
}

const layout = readLayout(readFileSync(join(ROOT, 'README.md'), 'utf8'));

describe('the import arrows', () => {
  it('the README names every top-level folder of code', () => {
    const code = readdirSync(ROOT).filter(
      (name) =>
        !name.startsWith('.') &&
        !['node_modules', 'vendor', 'cdk.out'].includes(name) &&
        statSync(join(ROOT, name)).isDirectory() &&
        sourceFiles(name).length > 0,
    );
    expect(code.filter((name) => !layout.has(name))).toEqual([]);
    expect(layout.get('config')).toEqual([]);
    expect(layout.get('service')).toEqual([]);
  });

  it('every import runs the way the README says', () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const folder of layout.keys()) {
      for (const file of sourceFiles(folder)) {
        for (const specifier of relativeImports(readFileSync(join(ROOT, file), 'utf8'))) {
          checked++;
          const problem = violation(layout, file, target(file, specifier));
          if (problem) wrong.push(problem);
        }
      }
    }
    expect(checked).toBeGreaterThan(500);
    expect(wrong).toEqual([]);
  });

  it('catches each kind of import that runs the wrong way', () => {
    const source = [
      "import { a } from '../bot/x';",
      "export * from '../../cli/y';",
      "const m = await import('../slack/z.js');",
      "const n = require('../bot/w') as typeof import('../bot/w');",
      "jest.mock('../../bot/v');",
      "const specifier = '../bot/late';",
      "import '../bot/side-effect';",
    ].join('\n');
    const imports = relativeImports(source);
    expect(imports).toEqual([
      '../bot/x',
      '../../cli/y',
      '../slack/z.js',
      '../bot/w',
      '../bot/w',
      '../../bot/v',
      '../bot/late',
      '../bot/side-effect',
    ]);
    const file = 'ops/deploy/run-deploy.ts';
    expect(violation(layout, 'ops/a.ts', target('ops/a.ts', '../bot/x'))).toMatch(/ops\/a.ts imports bot\/x/);
    expect(violation(layout, file, target(file, '../../slack/blocks'))).toMatch(/may import config, clients/);
    expect(violation(layout, 'service/main.ts', 'config/index')).toMatch(/nothing of ours/);
    expect(violation(layout, 'monitors/a.ts', 'service/observability/metric-names')).toBeNull();
    expect(violation(layout, 'monitors/a.ts', 'service/db/pool')).not.toBeNull();
    expect(violation(layout, 'cli/main.ts', 'bot/main')).not.toBeNull();
    expect(violation(layout, 'bot/main.ts', 'cli/main')).not.toBeNull();
  });
});
