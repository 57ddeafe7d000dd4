/**
 * The single loader of the native addon, and the types of what it exports.
 * Candidates are tried in order (a source build, then the prebuild of this platform);
 * BIMIX_NATIVE_PATH replaces them all.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BimixError } from '../errors.js';
import { installFailurePath, prebuildPath } from './prebuild-path.js';

/** The file a native source was opened as. */
export interface NativeSourceInfo {
  path: string;
  format: 'megatron' | 'llmc' | 'raw' | 'npy' | 'datatrove' | 'arrow' | 'memory';
  dtype: 'u8' | 'u16' | 'u32' | 'i8' | 'i16' | 'i32' | 'i64';
  width: number;
  tokens: number;
  dataOffset: number;
  bytes: number;
  /** Modification time when opened, whole milliseconds. */
  mtimeMs: number;
  separator: number;
  /** Separate runs of tokens (Arrow record batches); 0 for single-run formats. */
  parts: number;
  explicitDocuments: number | null;
}

/** Spec of a source, mirroring the C++ SourceSpec. */
export interface NativeSourceSpec {
  path: string;
  format?: string;
  dtype?: string;
  /** -2: the format's default separator; -1: none; >= 0: separator token id. */
  eos?: number;
  docEnds?: Float64Array;
  /** Arrow: the token column ("" = input_ids). */
  column?: string;
  /** Format "memory": decoded ids placed at positions [first, first + tokens.length). */
  tokens?: Uint32Array;
  first?: number;
}

export interface NativeSource {
  readonly info: NativeSourceInfo;
  /** Unmaps the file now; the source cannot be used afterwards. */
  close(): void;
}

/** Mirrors the C++ AccumulatorConfig. */
export interface NativeAccumulatorConfig {
  memoryBytes: number;
  spillDir: string;
  simd: string;
  /** Accumulators given the same name (one domain's) share a partition layout, so their tables merge in memory. */
  layout?: string;
  vocab: number;
  unigramsOnly: boolean;
  batchTokens?: number;
  /** Cancel slot of the run (see exec/cancel.ts); 0 or absent: not cancellable. */
  cancel?: number;
  /** Sampled mode: keep whole documents with this probability (1 = all). */
  sampleRate?: number;
  sampleSeed?: number;
  /** Jackknife groups documents are tagged with in sampled mode. */
  groups?: number;
  /** Nested subsample rates, descending below `sampleRate` (a document's level is how many it falls under). */
  nestedRates?: number[];
}

export interface NativeChunkStats {
  tokens: number;
  documents: number;
  separators: number;
  bigrams: number;
}

export interface NativeAccumulator {
  add(source: NativeSource, begin: number, end: number): NativeChunkStats;
  writePartial(path: string, meta: string): void;
  /**
   * Adds the counts to those registered under `name` (reduced by {@link NativeAddon.reduceRegistered});
   * the object is then empty. Returns how many runs it spilled to files.
   */
  register(name: string): number;
  readonly kernel: string;
}

/** Counts of counts: `multiplicities[i]` distinct items occurred `counts[i]` times (ascending counts). */
export interface CountHistogram {
  counts: Float64Array;
  multiplicities: Float64Array;
}

export interface NativeReduction {
  tokens: number;
  documents: number;
  separators: number;
  unigramsOnly: boolean;
  bigramTotal: number;
  bigramDistinct: number;
  unigramDistinct: number;
  leftDistinct: number;
  /** Largest token id counted (separators excluded); -1 when none. */
  maxId?: number;
  unigramHist: CountHistogram;
  leftHist: CountHistogram;
  bigramHist: CountHistogram;
  unigrams?: Float64Array;
  docFinal?: Float64Array;
}

export interface NativePartialInfo {
  meta: string;
  flags: number;
  tokens: number;
  documents: number;
  separators: number;
  bigramTotal: number;
  bigramDistinct: number;
  formatVersion: number;
}

export interface NativeAddon {
  Source: new (spec: NativeSourceSpec) => NativeSource;
  Accumulator: new (config: NativeAccumulatorConfig) => NativeAccumulator;
  mergePartials(
    inputs: string[],
    options: { out?: string; meta?: string; reduce?: boolean; dense?: boolean; cancel?: number },
  ): NativeReduction | null;
  readPartialInfo(path: string): NativePartialInfo;
  /**
   * Merges the accumulators registered under `name` and reduces them: in memory on
   * `threads` native threads, or through files in their spill folder when one spilled.
   * The counts are consumed; the result does not depend on `threads`.
   */
  reduceRegistered(name: string, options?: { threads?: number; dense?: boolean }): NativeReduction;
  /**
   * Writes the accumulators registered under `name` (tables they share, once) as one partial-state
   * file `out`, atomically. The counts are consumed.
   */
  writeRegistered(name: string, options: { out: string; meta: string }): void;
  /** Frees the accumulators registered under `name` (after a failure). */
  discardRegistered(name: string): void;
  /** Histograms of nested subsamples, whole and leaving out each group (decode with stats/subsample.ts). */
  reduceGrouped(inputs: string[], options: { groups: number; levels: number; jackknifeFrom: number; cancel?: number }): Float64Array;
  dumpBigrams(path: string): { keys: BigUint64Array; counts: Float64Array };
  embedChunk(
    source: NativeSource,
    begin: number,
    end: number,
    options: { seed: number; dims: number; maxSamples: number; window: number; cancel?: number },
  ): { hashes: BigUint64Array; vectors: Float64Array };
  streamSum(source: NativeSource, begin: number, end: number, simd?: string): bigint;
  kernelInfo(): { available: string; selected: string; partialFormatVersion: number };
  /** Raises (or lowers) the cancel flag of a run's slot; kernels of every thread poll it. */
  setCancelled(slot: number, on: boolean): void;
  cancelRequested(slot: number): boolean;
  /** Number of cancel slots (slot 0 is never raised). */
  readonly cancelSlots: number;
  /** The command line's hard deadline for stop signals (native/common/hard_stop.h). */
  armHardStop(graceMs: number): void;
  disarmHardStop(): void;
  acknowledgeStop(): void;
  addCleanupPath(path: string): void;
  removeCleanupPath(path: string): void;
  /** The format `--format auto` reads a path as; throws E_FORMAT/E_EMPTY/E_IO for what it refuses. */
  detectFormat(path: string): string;
  /** Float32 N x d embeddings from a .npy file (C order, 1 <= d <= 4096, every value finite); E_FORMAT/E_TRUNCATED/E_DATA naming the file and offset otherwise. */
  readEmbeddings(path: string): { vectors: Float32Array; rows: number; dims: number };
  /** Hands the addon the error class it throws (`new errorClass(code, message, { file, offset })`); the loader calls it once. */
  setErrorClass(errorClass: new (code: never, message: string, where: { file?: string; offset?: number }) => Error): void;
  /** Loads XGBoost (dlopen, once per process; see native/regress/xgboost.h) and says whether it worked. */
  xgboostInfo(): { loaded: boolean; path: string; error: string; version: string };
  /** Trains boosted trees (params set in order as name, value pairs), then predicts `xPred`; E_NO_XGBOOST without the library. */
  xgboostTrain(
    x: Float32Array,
    rows: number,
    cols: number,
    y: Float32Array,
    params: string[],
    rounds: number,
    xPred: Float32Array,
    predRows: number,
  ): { model: string; predictions: Float32Array };
  /** Predicts rows with a JSON model (kept loaded for the next calls). */
  xgboostPredict(model: string, x: Float32Array, rows: number, cols: number, nthread: number): Float32Array;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Paths tried, in order, to load the addon. */
export function addonCandidates(): string[] {
  // An override is the only candidate: falling back to another build would hide a typo.
  if (process.env.BIMIX_NATIVE_PATH) return [path.resolve(process.env.BIMIX_NATIVE_PATH)];
  const list: string[] = [];
  // A source build (a checkout, a forced or fallback build at install) wins over the
  // prebuild shipped in the package.
  list.push(path.join(root, 'build', 'Release', 'bimix.node'));
  list.push(prebuildPath(root));
  list.push(path.join(root, 'build-gyp', 'Release', 'bimix.node'));
  list.push(path.join(root, 'build', 'Debug', 'bimix.node'));
  return list;
}

let cached: NativeAddon | undefined;

/** Loads the addon once; throws one actionable E_NATIVE error when nothing loads. */
export function loadAddon(): NativeAddon {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const tried: string[] = [];
  for (const candidate of addonCandidates()) {
    if (!existsSync(candidate)) {
      tried.push(`${candidate} (missing)`);
      continue;
    }
    try {
      const addon = require(candidate) as NativeAddon;
      // An addon built from older sources cannot throw BimixErrors itself: skip it, say why.
      if (typeof addon.setErrorClass !== 'function') {
        tried.push(`${candidate} (built from older sources: no setErrorClass; rebuild it)`);
        continue;
      }
      // Handed over once: the addon throws BimixErrors with code, file and offset directly.
      addon.setErrorClass(BimixError);
      cached = addon;
      return cached;
    } catch (e) {
      tried.push(`${candidate} (${(e as Error).message})`);
    }
  }
  throw new BimixError('E_NATIVE', `the native addon could not be loaded. ${howToFix()} Tried: ${tried.join('; ')}`);
}

/** What to do when no addon loads, with the reason the install step recorded, if any. */
function howToFix(): string {
  if (process.env.BIMIX_NATIVE_PATH) return 'BIMIX_NATIVE_PATH names the addon to load; unset it to use the installed one.';
  // The C++ unit tests are never packed, so their presence marks a source checkout
  // (scripts/install.mjs uses the same rule).
  if (existsSync(path.join(root, 'native', 'test'))) return 'Run `npm run build:native` (needs cmake and a C++17 compiler).';
  let atInstall = '';
  try {
    atInstall = ` At install: ${readFileSync(installFailurePath(root), 'utf8').trim()}`;
  } catch {
    // No record: the install step did not run or did not fail.
  }
  return (
    `No prebuilt addon for ${process.platform}-${process.arch} loaded and none was built from source.${atInstall}` +
    ' Install cmake and a C++17 compiler, then run `npm rebuild bimix` (`npm rebuild -g bimix` for a global install).' +
    ' fit, predict, optimize, grow, mix and check of saved reports work without the addon.'
  );
}
