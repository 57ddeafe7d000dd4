/**
 * The counting step: what is computed, independent of where it runs. Opens
 * sources, feeds claimed chunks to one native accumulator, writes one partial.
 */
import { statSync } from 'node:fs';
import { BimixError } from '../errors.js';
import { loadAddon, type NativeSource } from '../engine/native.js';
import { readDolmaSidecar } from '../corpus/sidecar.js';
import { decodeRowGroup, parquetLayout } from '../corpus/parquet.js';
import type { SourceSpec } from '../corpus/types.js';
import { throwIfCancelled } from './cancel.js';
import type { CountResult, CountTask, EmbedResult, EmbedTask, MergeTask, MergeResult, PlannedFile } from './protocol.js';

const sourceCache = new Map<string, NativeSource>();
const CACHE_LIMIT = 256;

/**
 * Opens (or reuses) a native source for a spec. `docEnds` are the sidecar's
 * document ends when the caller decoded them already (they are decoded once per
 * run, not once per worker). At most {@link CACHE_LIMIT} sources stay mapped:
 * an evicted one is closed at once (a mapping per file would hit the kernel's
 * map-count limit near 65,000 files long before garbage collection runs).
 */
export function openSource(spec: SourceSpec, docEnds?: Float64Array | null, detected?: string): NativeSource {
  const key = JSON.stringify(spec);
  const hit = sourceCache.get(key);
  if (hit) {
    // Most recently used last: eviction takes the least recently used.
    sourceCache.delete(key);
    sourceCache.set(key, hit);
    return hit;
  }
  const addon = loadAddon();
  const ends = docEnds ?? (spec.sidecar ? readDolmaSidecar(spec.sidecar, statSync(spec.path, { throwIfNoEntry: false })?.size ?? 0) : undefined);
  const s = new addon.Source({
    path: spec.path,
    // The format planning detected: workers need not probe the file again.
    format: spec.format === 'auto' && detected ? detected : spec.format,
    dtype: spec.dtype,
    eos: spec.eos,
    ...(spec.column ? { column: spec.column } : {}),
    ...(ends ? { docEnds: ends } : {}),
  });
  if (sourceCache.size >= CACHE_LIMIT) {
    const oldest = sourceCache.keys().next().value as string;
    sourceCache.get(oldest)!.close();
    sourceCache.delete(oldest);
  }
  sourceCache.set(key, s);
  return s;
}

/** Opens a source afresh (a cached one is closed first): planning must see the file as it is now. */
export function reopenSource(spec: SourceSpec, docEnds?: Float64Array | null): NativeSource {
  const key = JSON.stringify(spec);
  sourceCache.get(key)?.close();
  sourceCache.delete(key);
  return openSource(spec, docEnds);
}

/** Closes every cached source (their mappings go now, not at garbage collection). */
export function closeSources(): void {
  for (const s of sourceCache.values()) s.close();
  sourceCache.clear();
}

/** E_CHANGED when a source no longer has the size and mtime it had when the run was planned. */
export function checkPlanned(src: NativeSource, planned: PlannedFile | undefined): void {
  if (!planned) return;
  const info = src.info;
  if (info.bytes !== planned.bytes || info.mtimeMs !== planned.mtimeMs) {
    throw new BimixError(
      'E_CHANGED',
      `changed while being read (${planned.bytes} bytes when planned, ${info.bytes} now${info.mtimeMs !== planned.mtimeMs ? ', modified' : ''})`,
      { file: info.path },
    );
  }
}

/** Opens the source of chunk `i` of a task, checked against the plan the first time. */
function taskSource(task: CountTask | EmbedTask, index: number, checked: Set<number>): NativeSource {
  const planned = task.files?.[index];
  const src = openSource(task.sources[index]!, task.docEnds?.[index], planned?.format);
  if (!checked.has(index)) {
    checkPlanned(src, planned);
    checked.add(index);
  }
  return src;
}

/** Ids at or above this are refused (the native engine's limit, 2^24 - 1). */
const MAX_TOKEN_ID = 2 ** 24 - 1;

/**
 * The pieces of chunk [begin, end) of a source as native sources and ranges: the
 * source itself, or for Parquet the row groups whose first position lies in the
 * chunk, decoded.
 */
async function* chunkPieces(
  task: CountTask | EmbedTask,
  index: number,
  begin: number,
  end: number,
  vocab: number,
  checked: Set<number>,
): AsyncGenerator<{ src: NativeSource; begin: number; end: number }> {
  const spec = task.sources[index]!;
  if (spec.format !== 'parquet') {
    yield { src: taskSource(task, index, checked), begin, end };
    return;
  }
  const planned = task.files?.[index];
  if (planned && !checked.has(index)) {
    const st = statSync(spec.path, { throwIfNoEntry: false });
    if (!st || st.size !== planned.bytes || Math.floor(st.mtimeMs) !== planned.mtimeMs)
      throw new BimixError('E_CHANGED', `changed while being read (${planned.bytes} bytes when planned, ${st ? st.size : 'removed'} now)`, { file: spec.path });
    checked.add(index);
  }
  const addon = loadAddon();
  const layout = await parquetLayout(spec.path, spec.column ?? 'input_ids');
  const limit = vocab > 0 ? Math.min(vocab, MAX_TOKEN_ID) : MAX_TOKEN_ID;
  for (const [g, rg] of layout.rowGroups.entries()) {
    if (rg.first < begin || rg.first >= end || rg.slots === 0) continue;
    const d = await decodeRowGroup(spec.path, layout, g, limit, vocab);
    if (d.tokens.length === 0) continue;
    const src = new addon.Source({ path: spec.path, format: 'memory', eos: spec.eos, tokens: d.tokens, first: d.first, docEnds: d.docEnds });
    yield { src, begin: d.first, end: d.first + d.tokens.length };
  }
}

/**
 * The chunks a task claims, one at a time as it asks for the next: through the counter shared with
 * the task's copies (see exec/fan-out.ts), or all of them in order without one. Checks for
 * cancellation before each claim.
 */
function* claimedChunks(task: CountTask | EmbedTask): Generator<{ index: number; begin: number; end: number }> {
  const claim = task.claim ? new Int32Array(task.claim) : undefined;
  const n = task.chunks.length / 3;
  let next = 0;
  for (;;) {
    throwIfCancelled(task.cancel);
    // The claim counter only grows (cancellation has its own flag); i < 0 would mean
    // it wrapped, which no run of < 2^31 chunks reaches.
    const i = claim ? Atomics.add(claim, 0, 1) : next++;
    if (i < 0 || i >= n) return;
    yield { index: task.chunks[i * 3]!, begin: task.chunks[i * 3 + 1]!, end: task.chunks[i * 3 + 2]! };
  }
}

/** Runs a count task to completion and returns what it did. */
export async function runCountTask(task: CountTask): Promise<CountResult> {
  const addon = loadAddon();
  const acc = new addon.Accumulator(task.config);
  const progress = task.progress ? new BigInt64Array(task.progress) : undefined;
  const result: CountResult = { out: task.out, chunks: 0, tokens: 0, documents: 0, bigrams: 0, kernel: acc.kernel };
  const checked = new Set<number>();
  for (const { index, begin, end } of claimedChunks(task)) {
    let width = 4;
    for await (const piece of chunkPieces(task, index, begin, end, task.config.vocab, checked)) {
      const st = acc.add(piece.src, piece.begin, piece.end);
      width = piece.src.info.width;
      result.tokens += st.tokens;
      result.documents += st.documents;
      result.bigrams += st.bigrams;
    }
    result.chunks += 1;
    if (progress) {
      Atomics.add(progress, 0, BigInt(end - begin));
      Atomics.add(progress, 1, BigInt((end - begin) * width));
    }
  }
  throwIfCancelled(task.cancel);
  if (task.register) {
    const name = task.register;
    result.spills = acc.register(name);
  } else acc.writePartial(task.out, task.meta);
  return result;
}

/** Runs a merge task. */
export function runMergeTask(task: MergeTask): MergeResult {
  const addon = loadAddon();
  throwIfCancelled(task.cancel);
  if (task.registered !== undefined) {
    const name = task.registered;
    if (task.out) {
      addon.writeRegistered(name, { out: task.out, meta: task.meta ?? '{}' });
      return null;
    }
    return addon.reduceRegistered(name, { threads: task.threads ?? 1 });
  }
  if (task.grouped) {
    const g = task.grouped;
    return addon.reduceGrouped(task.inputs, { ...g, ...(task.cancel ? { cancel: task.cancel } : {}) });
  }
  return addon.mergePartials(task.inputs, {
    ...(task.out ? { out: task.out } : {}),
    ...(task.meta ? { meta: task.meta } : {}),
    reduce: task.reduce,
    ...(task.cancel ? { cancel: task.cancel } : {}),
  });
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
export async function runEmbedTask(task: EmbedTask): Promise<EmbedResult> {
  const addon = loadAddon();
  let kept: EmbedResult = { hashes: new BigUint64Array(0), vectors: new Float64Array(0) };
  const checked = new Set<number>();
  for (const { index, begin, end } of claimedChunks(task)) {
    for await (const piece of chunkPieces(task, index, begin, end, 0, checked)) {
      const got = addon.embedChunk(piece.src, piece.begin, piece.end, { seed: task.seed, dims: task.dims, maxSamples: task.samples, window: task.window, cancel: task.cancel ?? 0 });
      kept = mergeBottomK(kept, got, task.dims, task.samples);
    }
  }
  return kept;
}
