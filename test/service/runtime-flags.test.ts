import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.join(__dirname, '..', '..');

/**
 * Allocates objects from one site and keeps them all: the pattern V8's allocation-site pretenuring acts on.
 * Prints V8's pretenuring decisions (`--trace-pretenuring-statistics`).
 */
async function pretenuringDecisions(preload: string[]): Promise<string[]> {
  const script = `
    const keep = [];
    function make(i) { return { a: i, b: [i, i + 1], c: 'x' + i }; }
    for (let i = 0; i < 3_000_000; i++) keep.push(make(i));
    console.log(keep.length);
  `;
  const { stdout } = await run(
    process.execPath,
    ['--trace-pretenuring-statistics', ...preload, '--eval', script],
    { cwd: root, maxBuffer: 16 * 1024 * 1024 },
  );
  return stdout.split('\n').filter((line) => /=> (maybe )?tenure$/.test(line));
}

it("turns V8's allocation-site pretenuring off for the process that loads it", async () => {
  // GIVEN a workload that V8 pretenures when left to itself
  expect((await pretenuringDecisions([])).length).toBeGreaterThan(0);

  // WHEN the service's runtime settings are loaded first, as service/main.ts does
  const decisions = await pretenuringDecisions(['--import', 'tsx', '--import', './service/runtime-flags.ts']);

  // THEN V8 decides to pretenure nothing
  expect(decisions).toEqual([]);
}, 60_000);

it('is the first thing service/main.ts imports', async () => {
  const source = await readFile(path.join(root, 'service', 'main.ts'), 'utf8');
  const imports = source.split('\n').filter((line) => line.startsWith('import '));
  expect(imports[0]).toBe("import './runtime-flags';");
});
