/**
 * A deliberately tiny memory budget forces the accumulator to spill sorted runs
 * and merge them; the results must be identical to an unbounded run and to a
 * sort-based reference, natively and through analyze().
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { mergeThroughFiles } from './native-merge.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../src/analyze/index.js';
import { writeRaw } from '../src/corpus/writers.js';
import { addonCandidates, loadAddon, type NativeReduction, type NativeSource } from '../src/engine/native.js';
import { TestRng } from './reference.js';

const addon = loadAddon();
const SIMDS = ['scalar', ...(addon.kernelInfo().available.includes('avx2') ? ['avx2'] : [])];
const VOCAB = 1 << 20;
const SEP = 7;
const TOKENS = 600_000;

let dir: string;
let files: string[];
let stream: Uint32Array[];

beforeAll(() => {
  const base = existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
  dir = mkdtempSync(path.join(base, 'bimix-spill-'));
  // Two u32 files over a large vocabulary: nearly every bigram is distinct, so
  // ~1.2M distinct bigrams cannot fit an 8 MB table budget.
  const rng = new TestRng(99);
  stream = [0, 1].map(() => {
    const t = new Uint32Array(TOKENS);
    for (let i = 0; i < TOKENS; i++) t[i] = rng.next() < 0.01 ? SEP : rng.int(VOCAB);
    return t;
  });
  files = stream.map((t, i) => {
    const f = path.join(dir, `big-${i}.bin`);
    writeRaw(f, [t], { dtype: 'u32' });
    return f;
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Sort-based reference: all in-document bigram keys, sorted, run-length encoded. */
function referenceBigrams(): { keys: BigUint64Array; counts: Float64Array; tokens: number; documents: number } {
  let n = 0;
  let tokens = 0;
  let documents = 0;
  const all = new BigUint64Array(TOKENS * 2);
  for (const t of stream) {
    let inDoc = false;
    for (let i = 0; i < t.length; i++) {
      if (t[i] === SEP) {
        inDoc = false;
        continue;
      }
      tokens += 1;
      if (!inDoc) documents += 1;
      inDoc = true;
      if (i + 1 < t.length && t[i + 1] !== SEP) all[n++] = (BigInt(t[i]!) << 32n) | BigInt(t[i + 1]!);
    }
  }
  const sorted = all.subarray(0, n).sort();
  const keys: bigint[] = [];
  const counts: number[] = [];
  for (let i = 0; i < n; i++) {
    if (keys.length > 0 && keys[keys.length - 1] === sorted[i]) counts[counts.length - 1]! += 1;
    else {
      keys.push(sorted[i]!);
      counts.push(1);
    }
  }
  return { keys: BigUint64Array.from(keys), counts: Float64Array.from(counts), tokens, documents };
}

/** Byte equality of typed arrays (vitest's deep equality is slow on millions of elements). */
function sameBytes(a: ArrayBufferView | undefined, b: ArrayBufferView | undefined): boolean {
  if (!a || !b) return a === b;
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

/** Asserts two reductions are identical, typed arrays included. */
function expectSameReduction(a: NativeReduction, b: NativeReduction): void {
  const { unigrams: ua, docFinal: fa, unigramHist: uha, leftHist: lha, bigramHist: bha, ...ra } = a;
  const { unigrams: ub, docFinal: fb, unigramHist: uhb, leftHist: lhb, bigramHist: bhb, ...rb } = b;
  expect(ra).toEqual(rb);
  expect(sameBytes(ua, ub), 'dense unigrams').toBe(true);
  expect(sameBytes(fa, fb), 'dense docFinal').toBe(true);
  for (const [x, y] of [
    [uha, uhb],
    [lha, lhb],
    [bha, bhb],
  ] as const) {
    expect(sameBytes(x.counts, y.counts) && sameBytes(x.multiplicities, y.multiplicities), 'histograms').toBe(true);
  }
}

let runNo = 0;
function count(sources: NativeSource[], o: { memoryBytes: number; batchTokens?: number; simd: string; accs: number; chunk: number }) {
  const run = runNo++;
  const spill = path.join(dir, `spill-${run}`);
  mkdirSync(spill);
  const accs = Array.from({ length: o.accs }, () =>
    new addon.Accumulator({ memoryBytes: o.memoryBytes, spillDir: spill, simd: o.simd, vocab: VOCAB, unigramsOnly: false, ...(o.batchTokens ? { batchTokens: o.batchTokens } : {}) }),
  );
  let k = 0;
  sources.forEach((s) => {
    for (let b = 0; b < s.info.tokens; b += o.chunk) accs[k++ % o.accs]!.add(s, b, Math.min(s.info.tokens, b + o.chunk));
  });
  const spillRuns = readdirSync(spill).length;
  const { red, dump } = mergeThroughFiles(addon, accs, dir, run);
  const leftover = readdirSync(spill).length;
  rmSync(spill, { recursive: true });
  return { red, dump, spillRuns, leftover };
}

describe('bounded memory: spilling gives exact results', () => {
  it('an 8 MB budget with small batches spills and equals the unbounded run and the reference', () => {
    const sources = files.map((f) => new addon.Source({ path: f, format: 'raw', dtype: 'u32', eos: SEP }));
    const unbounded = count(sources, { memoryBytes: 2 ** 31, simd: 'scalar', accs: 1, chunk: 1 << 30 });
    expect(unbounded.spillRuns).toBe(0);
    const ref = referenceBigrams();
    expect(unbounded.red.tokens).toBe(ref.tokens);
    expect(unbounded.red.documents).toBe(ref.documents);
    expect(unbounded.red.bigramDistinct).toBeGreaterThan(1_000_000);
    expect(sameBytes(unbounded.dump.keys, ref.keys), 'bigram keys vs reference').toBe(true);
    expect(sameBytes(unbounded.dump.counts, ref.counts), 'bigram counts vs reference').toBe(true);
    for (const simd of SIMDS) {
      // Spills between chunks (chunk <= batch) and inside multi-batch chunks.
      for (const [accs, chunk] of [
        [1, 4096],
        [2, 4093],
        [2, 100_003],
      ] as const) {
        const tiny = count(sources, { memoryBytes: 8 << 20, batchTokens: 4096, simd, accs, chunk });
        // At least two runs to merge (how many depends on how full tables grow: at load 3/4, one per
        // accumulator with two of them).
        expect(tiny.spillRuns, `${simd} ${accs}`).toBeGreaterThanOrEqual(2);
        expect(tiny.leftover, 'spill runs are removed after writePartial').toBe(0);
        expectSameReduction(tiny.red, unbounded.red);
        expect(sameBytes(tiny.dump.keys, unbounded.dump.keys), 'bigram keys').toBe(true);
        expect(sameBytes(tiny.dump.counts, unbounded.dump.counts), 'bigram counts').toBe(true);
      }
    }
  });

  it('analyze({ memoryBytes: 16MB }) with 2 threads reports exactly what an unbounded run reports', async () => {
    const domains = [{ name: 'big', globs: ['big-*.bin'], read: { format: 'raw' as const, dtype: 'u32' as const, eos: SEP, vocab: VOCAB } }];
    const tmpDir = path.join(dir, 'analyze-tmp');
    mkdirSync(tmpDir);
    const common = { domains, baseDir: dir, tmpDir, threads: 2, chunkBytes: 1 << 20 };
    const tight = await analyze({ ...common, memoryBytes: 16 << 20 });
    const loose = await analyze({ ...common, memoryBytes: 1 << 30 });
    expect(JSON.stringify(tight)).toBe(JSON.stringify(loose));
    expect(tight.domains[0]!.bigrams.distinct).toBeGreaterThan(1_000_000);
  });
});

describe('bounded memory: a spill in the middle of a multi-batch chunk', () => {
  // Regression (found by this suite, native/count/accumulator.cc): addNarrow/addWide
  // took `buf = scatter_.data()` once per addChunk while spill() freed scatter_,
  // so a spill after batch k of a multi-batch chunk made batch k+1 write through
  // a dangling pointer: heap-use-after-free under ASan, "malloc(): unsorted
  // double linked list corrupted" or a hang in Node. Run in a child process so a
  // crash cannot take the test worker down.
  it('one 600k-token chunk, 8 MB budget, batchTokens 4096 must not crash and must equal the unbounded run', () => {
    const addonPath = addonCandidates().find((p) => existsSync(p))!;
    const script = `
      const a = require(${JSON.stringify(addonPath)});
      const src = new a.Source({ path: ${JSON.stringify(files[0])}, format: 'raw', dtype: 'u32', eos: ${SEP} });
      const fs = require('node:fs');
      const out = [];
      for (const [mem, batch] of [[2 ** 31, 0], [8 << 20, 4096]]) {
        const spill = ${JSON.stringify(dir)} + '/bug-spill-' + out.length;
        fs.mkdirSync(spill);
        const acc = new a.Accumulator({ memoryBytes: mem, spillDir: spill, simd: 'scalar', vocab: ${VOCAB}, unigramsOnly: false, batchTokens: batch });
        acc.add(src, 0, src.info.tokens);
        const runs = fs.readdirSync(spill).length;
        const p = ${JSON.stringify(dir)} + '/bug-' + out.length + '.bimixps';
        acc.writePartial(p, '{}');
        const r = a.mergePartials([p], { reduce: true });
        out.push([r.tokens, r.documents, r.bigramTotal, r.bigramDistinct, runs]);
      }
      console.log(JSON.stringify(out));`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' });
    expect({ status: r.status, signal: r.signal, stderr: r.stderr.slice(0, 300) }).toEqual({ status: 0, signal: null, stderr: '' });
    const [unbounded, tiny] = JSON.parse(r.stdout) as number[][];
    expect(unbounded![4]).toBe(0);
    expect(tiny![4], 'spill runs written in the middle of the chunk').toBeGreaterThan(0);
    expect(tiny!.slice(0, 4)).toEqual(unbounded!.slice(0, 4));
  });
});
