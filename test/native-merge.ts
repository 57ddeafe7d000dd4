/** Test helper: writes accumulators as partial-state files and merges them back through the addon. */
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { NativeAccumulator, NativeAddon } from '../src/engine/native.js';

/** Merges `accs` through partial-state files in `dir`; returns the dense reduction and every merged bigram. */
export function mergeThroughFiles(addon: NativeAddon, accs: NativeAccumulator[], dir: string, run: number | string) {
  const parts = accs.map((a, i) => {
    const p = path.join(dir, `part-${run}-${i}.bimixps`);
    a.writePartial(p, '{}');
    return p;
  });
  const merged = path.join(dir, `merged-${run}.bimixps`);
  const red = addon.mergePartials(parts, { out: merged, reduce: true, dense: true })!;
  const dump = addon.dumpBigrams(merged);
  for (const p of [...parts, merged]) rmSync(p);
  return { red, dump };
}
