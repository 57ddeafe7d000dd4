/**
 * The benchmark corpus: a first-order Markov chain whose marginal is Zipf(s) over a
 * random permutation of ids; each token's successor comes with probability 0.5
 * from a per-token preferred set of 64 successors (drawn from the global Zipf,
 * weighted Zipf(1.0) by rank) and otherwise from the global Zipf. Documents end
 * with a separator token (nanoGPT style). Streams straight to a file.
 */
import { closeSync, openSync, writeSync, renameSync } from 'node:fs';
import { Rng } from './rng.js';

/** Walker alias table for O(1) sampling from a discrete distribution. */
class Alias {
  readonly prob: Float64Array;
  readonly alias: Uint32Array;

  constructor(weights: Float64Array) {
    const n = weights.length;
    const total = weights.reduce((a, b) => a + b, 0);
    this.prob = new Float64Array(n);
    this.alias = new Uint32Array(n);
    const scaled = Float64Array.from(weights, (w) => (w * n) / total);
    const small: number[] = [];
    const large: number[] = [];
    scaled.forEach((p, i) => (p < 1 ? small : large).push(i));
    while (small.length > 0 && large.length > 0) {
      const s = small.pop()!;
      const l = large[large.length - 1]!;
      this.prob[s] = scaled[s]!;
      this.alias[s] = l;
      scaled[l] = scaled[l]! + scaled[s]! - 1;
      if (scaled[l]! < 1) {
        large.pop();
        small.push(l);
      }
    }
    for (const i of [...small, ...large]) {
      this.prob[i] = 1;
      this.alias[i] = i;
    }
  }

  sample(rng: Rng): number {
    const u = rng.next() * this.prob.length;
    const i = Math.floor(u);
    return u - i < this.prob[i]! ? i : this.alias[i]!;
  }
}

export interface ZipfMarkovSpec {
  vocab: number;
  /** Separator id appended after each document (outside the Markov ids when >= vocab - 1). */
  eos: number;
  zipf: number;
  preferred: number;
  preferredProbability: number;
  meanDocLength: number;
  seed: number;
  dtype: 'u16' | 'u32';
  /**
   * Ids ordered by frequency (id 0 the most frequent, as BPE vocabularies roughly are)
   * instead of a random permutation: the scattered corpus with every id replaced by
   * its frequency rank, so every count statistic is the same.
   */
  frequencyOrdered?: boolean;
}

/** The benchmark's u16 (GPT-2 vocabulary) and u32 (Llama-3 vocabulary) corpora. */
export const BENCH_SPECS: Record<'u16' | 'u32', ZipfMarkovSpec> = {
  u16: { vocab: 50257, eos: 50256, zipf: 1.1, preferred: 64, preferredProbability: 0.5, meanDocLength: 2000, seed: 7, dtype: 'u16' },
  u32: { vocab: 128256, eos: 128255, zipf: 1.1, preferred: 64, preferredProbability: 0.5, meanDocLength: 2000, seed: 8, dtype: 'u32' },
};

/** Writes `tokens` tokens of the chain to `file` (atomically). */
export function writeZipfMarkov(file: string, spec: ZipfMarkovSpec, tokens: number): void {
  const rng = new Rng(spec.seed);
  const ids = spec.vocab - 1; // the last id is the separator
  const perm = new Uint32Array(ids);
  for (let i = 0; i < ids; i++) perm[i] = i;
  for (let i = ids - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  const zipf = new Alias(Float64Array.from({ length: ids }, (_, r) => 1 / Math.pow(r + 1, spec.zipf)));
  const byRank = new Alias(Float64Array.from({ length: spec.preferred }, (_, r) => 1 / (r + 1)));
  const pref = new Uint32Array(ids * spec.preferred);
  for (let i = 0; i < pref.length; i++) pref[i] = perm[zipf.sample(rng)]!;
  // The written id of each chain id: itself, or its Zipf rank.
  const label = new Uint32Array(spec.vocab);
  for (let i = 0; i < spec.vocab; i++) label[i] = i;
  if (spec.frequencyOrdered) for (let r = 0; r < ids; r++) label[perm[r]!] = r;
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  const block = 1 << 22;
  const buf = spec.dtype === 'u16' ? new Uint16Array(block) : new Uint32Array(block);
  let written = 0;
  let x = perm[zipf.sample(rng)]!;
  const endP = 1 / spec.meanDocLength;
  while (written < tokens) {
    const n = Math.min(block, tokens - written);
    for (let i = 0; i < n; i++) {
      if (rng.next() < endP) {
        buf[i] = spec.eos;
        x = perm[zipf.sample(rng)]!;
        continue;
      }
      buf[i] = label[x]!;
      x = rng.next() < spec.preferredProbability ? pref[x * spec.preferred + byRank.sample(rng)]! : perm[zipf.sample(rng)]!;
    }
    writeSync(fd, new Uint8Array(buf.buffer, 0, n * buf.BYTES_PER_ELEMENT));
    written += n;
  }
  closeSync(fd);
  renameSync(tmp, file);
}
