/** The rooms of src/ depend one way: nothing imports from a layer above its own (table in test/architecture.ts). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importEdges, layerOf, violations } from './architecture.js';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src');

describe('dependency direction', () => {
  it('every file of src/ is in a room of the layer table and imports only its own layer or lower ones', () => {
    const edges = importEdges(SRC);
    // The scan must see the real graph, not an empty one.
    expect(edges.length).toBeGreaterThan(300);
    expect(edges).toContainEqual({ from: 'cli/analyze.ts', to: 'analyze/index.ts' });
    expect(edges).toContainEqual({ from: 'analyze/run.ts', to: 'exec/fan-out.ts' });
    expect(violations(edges)).toEqual([]);
  });

  it('places the rooms bottom to top', () => {
    const order = ['util/read-file.ts', 'engine/native.ts', 'corpus/chunks.ts', 'stats/entropy.ts', 'exec/pool.ts', 'analyze/run.ts', 'check/index.ts', 'report-html/page.ts', 'cli/analyze.ts', 'index.ts'];
    const layers = order.map(layerOf);
    expect(layers.every((l, i) => l >= 0 && (i === 0 || l > layers[i - 1]!))).toBe(true);
    expect(layerOf('laws/registry.ts')).toBe(layerOf('analyze/index.ts'));
    expect(layerOf('nowhere/x.ts')).toBe(-1);
  });

  it('reports an import that points up, and a file outside every room', () => {
    expect(
      violations([
        { from: 'exec/slurm/merge.ts', to: 'analyze/report.ts' },
        { from: 'stats/student-t.ts', to: 'check/normal.ts' },
        { from: 'corpus/plan.ts', to: 'exec/count-step.ts' },
        { from: 'analyze/run.ts', to: 'exec/pool.ts' },
        { from: 'cli/run.ts', to: 'cli/signals.ts' },
        { from: 'stray.ts', to: 'errors.ts' },
        { from: 'util/parse.ts', to: 'misc/helper.ts' },
      ]),
    ).toEqual([
      'exec/slurm/merge.ts (exec) imports analyze/report.ts (pipelines), a higher layer',
      'stats/student-t.ts (stats) imports check/normal.ts (check), a higher layer',
      'corpus/plan.ts (corpus) imports exec/count-step.ts (exec), a higher layer',
      'stray.ts: in no room of the layer table',
      'util/parse.ts imports misc/helper.ts, which is in no room of the layer table',
    ]);
  });

  it('the import scan finds static, re-export, side-effect and dynamic imports', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(path.join(tmpdir(), 'bimix-arch-'));
    mkdirSync(path.join(dir, 'exec'));
    writeFileSync(
      path.join(dir, 'exec', 'bad.ts'),
      [
        "import {\n  a,\n  b,\n} from '../analyze/index.js';",
        "export { c } from '../cli/run.js';",
        "import '../check/index.js';",
        "const m = await import('../laws/registry.js');",
        "import { x } from 'node:fs';",
      ].join('\n'),
    );
    const edges = importEdges(dir);
    expect(edges.map((e) => e.to).sort()).toEqual(['analyze/index.ts', 'check/index.ts', 'cli/run.ts', 'laws/registry.ts']);
    expect(violations(edges)).toHaveLength(4);
  });
});
