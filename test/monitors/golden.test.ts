import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GOLDEN_DIR, loadGoldenConfig, renderGolden } from '../../monitors/golden';

const root = resolve(__dirname, '../..');

describe('golden files', () => {
  const files = [...renderGolden(loadGoldenConfig(root))];

  it.each(files)(
    '%s matches what the definitions generate (update: npm run monitors:golden)',
    (name, content) => {
      // GIVEN the golden file on disk
      const golden = readFileSync(join(root, GOLDEN_DIR, name), 'utf8');
      // THEN it is exactly what the definitions generate now
      expect(content).toBe(golden);
    },
  );
});
