import { describe, expect, it } from 'vitest';
import { assignTasks, globalChunks, taskRanges } from '../src/exec/slurm/assign.js';
import { Rng } from '../src/corpus/rng.js';
import type { FileEntry } from '../src/corpus/types.js';

function file(p: string, tokens: number, dtype = 'u16'): FileEntry {
  return { path: p, format: 'raw', dtype, bytes: tokens * 2, mtimeMs: 0, tokens };
}

describe('chunk assignment', () => {
  const rng = new Rng(7);
  const sizes = Array.from({ length: 97 }, () => 1 + rng.int(5000));

  it('puts every chunk in exactly one task, contiguously and balanced, for N = 1..64', () => {
    const total = sizes.reduce((a, b) => a + b, 0);
    const biggest = Math.max(...sizes);
    for (let n = 1; n <= 64; n++) {
      const owner = assignTasks(sizes, n);
      const seen = new Uint8Array(sizes.length);
      const load = new Array<number>(n).fill(0);
      for (let t = 0; t < n; t++) {
        for (const [a, b] of taskRanges(owner, t)) {
          for (let i = a; i < b; i++) {
            seen[i]! += 1;
            load[t]! += sizes[i]!;
          }
        }
      }
      expect([...seen].every((s) => s === 1), `N=${n}`).toBe(true);
      for (let i = 1; i < owner.length; i++) expect(owner[i]!).toBeGreaterThanOrEqual(owner[i - 1]!);
      for (const l of load) expect(Math.abs(l - total / n)).toBeLessThanOrEqual(biggest);
      expect(owner[0]).toBe(0);
      if (n <= sizes.length) expect(new Set(owner).size).toBeGreaterThanOrEqual(Math.min(n, sizes.length) / 2);
    }
  });

  it('is stable: the same inputs give the same owners (and this fixed answer)', () => {
    expect([...assignTasks(sizes, 5)]).toEqual([...assignTasks([...sizes], 5)]);
    expect([...assignTasks([10, 10, 10, 10, 10, 10], 3)]).toEqual([0, 0, 1, 1, 2, 2]);
    expect([...assignTasks([100, 1, 1, 1], 2)]).toEqual([0, 1, 1, 1]);
    expect([...assignTasks([5, 5], 4)]).toEqual([1, 3]);
  });

  it('orders the global list by domain then chunk, with byte weights from the dtype', () => {
    const g = globalChunks(
      [
        { files: [file('/a/0', 10), file('/a/1', 3)] },
        { files: [file('/b/0', 9, 'u32')] },
      ],
      8,
    );
    expect(g.map((c) => [c.domainIndex, c.source, c.begin, c.end, c.bytes])).toEqual([
      [0, 0, 0, 4, 8],
      [0, 0, 4, 8, 8],
      [0, 0, 8, 10, 4],
      [0, 1, 0, 3, 6],
      [1, 0, 0, 2, 8],
      [1, 0, 2, 4, 8],
      [1, 0, 4, 6, 8],
      [1, 0, 6, 8, 8],
      [1, 0, 8, 9, 4],
    ]);
    expect(g.map((c) => c.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('handles more tasks than chunks and huge byte counts exactly', () => {
    const owner = assignTasks([1, 1, 1], 64);
    expect(new Set(owner).size).toBe(3);
    const big = assignTasks([2 ** 52, 2 ** 52, 2 ** 52, 2 ** 52], 1_000_000);
    expect([...big]).toEqual([125000, 375000, 625000, 875000]);
    expect(() => assignTasks([1], 0)).toThrow(/taskCount/);
  });
});
