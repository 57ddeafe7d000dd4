/**
 * The counting step: what is computed, independent of where it runs. Opens
 * sources, feeds claimed chunks to one native accumulator, writes one partial.
 */
import { loadAddon, native, type NativeSource } from '../engine/native.js';
import { readDolmaSidecar } from '../corpus/sidecar.js';
import type { SourceSpec } from '../corpus/types.js';
import type { CountResult, CountTask, EmbedResult, EmbedTask, MergeTask, MergeResult } from './protocol.js';

const sourceCache = new Map<string, NativeSource>();
const CACHE_LIMIT = 256;

/** Opens (or reuses) a native source for a spec. */
export function openSource(spec: SourceSpec): NativeSource {
  const key = JSON.stringify(spec);
  const hit = sourceCache.get(key);
  if (hit) return hit;
  const addon = loadAddon();
  const s = native(() => {
    const docEnds = spec.sidecar ? readDolmaSidecar(spec.sidecar) : undefined;
    return new addon.Source({
      path: spec.path,
      format: spec.format,
      dtype: spec.dtype,
      eos: spec.eos,
      ...(docEnds ? { docEnds } : {}),
    });
  });
  if (sourceCache.size >= CACHE_LIMIT) sourceCache.delete(sourceCache.keys().next().value as string);
  sourceCache.set(key, s);
  return s;
}

/** Runs a count task to completion and returns what it did. */
export function runCountTask(task: CountTask): CountResult {
  const addon = loadAddon();
  const acc = native(() => new addon.Accumulator(task.config));
  const claim = task.claim ? new Int32Array(task.claim) : undefined;
  const progress = task.progress ? new BigInt64Array(task.progress) : undefined;
  const n = task.chunks.length / 3;
  let next = 0;
  const result: CountResult = { out: task.out, chunks: 0, tokens: 0, documents: 0, bigrams: 0, kernel: acc.kernel };
  for (;;) {
    const i = claim ? Atomics.add(claim, 0, 1) : next++;
    if (i >= n) break;
    const src = openSource(task.sources[task.chunks[i * 3]!]!);
    const begin = task.chunks[i * 3 + 1]!;
    const end = task.chunks[i * 3 + 2]!;
    const st = native(() => acc.add(src, begin, end));
    result.chunks += 1;
    result.tokens += st.tokens;
    result.documents += st.documents;
    result.bigrams += st.bigrams;
    if (progress) {
      Atomics.add(progress, 0, BigInt(end - begin));
      Atomics.add(progress, 1, BigInt((end - begin) * src.info.width));
    }
  }
  if (task.register) {
    const name = task.register;
    native(() => acc.register(name));
  } else native(() => acc.writePartial(task.out, task.meta));
  return result;
}

/** Runs a merge task. */
export function runMergeTask(task: MergeTask): MergeResult {
  const addon = loadAddon();
  if (task.registered) {
    const names = task.registered;
    const range = task.range;
    if (range) return native(() => addon.reduceRegisteredRange(names, range.lo, range.hi, range.unigrams));
    return native(() => addon.reduceRegistered(names));
  }
  if (task.grouped) {
    const g = task.grouped;
    return native(() => addon.reduceGrouped(task.inputs, g));
  }
  return native(() =>
    addon.mergePartials(task.inputs, {
      ...(task.out ? { out: task.out } : {}),
      ...(task.meta ? { meta: task.meta } : {}),
      reduce: task.reduce,
    }),
  );
}

/** Keeps the `max` windows with the smallest hashes of two sorted samples. */
export function mergeBottomK(a: EmbedResult, b: EmbedResult, dims: number, max: number): EmbedResult {
  const hashes: bigint[] = [];
  const rows: Float64Array[] = [];
  let i = 0;
  let j = 0;
  while (hashes.length < max && (i < a.hashes.length || j < b.hashes.length)) {
    const takeA = j >= b.hashes.length || (i < a.hashes.length && a.hashes[i]! <= b.hashes[j]!);
    if (takeA) {
      hashes.push(a.hashes[i]!);
      rows.push(a.vectors.subarray(i * dims, (i + 1) * dims));
      i++;
    } else {
      hashes.push(b.hashes[j]!);
      rows.push(b.vectors.subarray(j * dims, (j + 1) * dims));
      j++;
    }
  }
  const vectors = new Float64Array(hashes.length * dims);
  rows.forEach((r, k) => vectors.set(r, k * dims));
  return { hashes: BigUint64Array.from(hashes), vectors };
}

/** Runs an embed task: bottom-k windows over the claimed chunks. */
export function runEmbedTask(task: EmbedTask): EmbedResult {
  const addon = loadAddon();
  const claim = task.claim ? new Int32Array(task.claim) : undefined;
  const n = task.chunks.length / 3;
  let next = 0;
  let kept: EmbedResult = { hashes: new BigUint64Array(0), vectors: new Float64Array(0) };
  for (;;) {
    const i = claim ? Atomics.add(claim, 0, 1) : next++;
    if (i >= n) break;
    const src = openSource(task.sources[task.chunks[i * 3]!]!);
    const got = native(() =>
      addon.embedChunk(src, task.chunks[i * 3 + 1]!, task.chunks[i * 3 + 2]!, { seed: task.seed, dims: task.dims, maxSamples: task.samples, window: task.window }),
    );
    kept = mergeBottomK(kept, got, task.dims, task.samples);
  }
  return kept;
}
