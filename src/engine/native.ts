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
import { isErrorCode } from '../error-codes.js';
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
  /** Hands the counts to {@link NativeAddon.reduceRegistered} under `name`; the object is then empty. */
  register(name: string): void;
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
  /** Merges registered accumulators in memory (files only if one spilled) and reduces them. */
  reduceRegistered(names: string[], options?: { dense?: boolean }): NativeReduction;
  discardRegistered(names: string[]): void;
  /**
   * Folds partitions [lo, hi) of registered accumulators (they stay registered); with
   * `unigrams` also the unigram counts. Null when they cannot be merged in memory.
   */
  reduceRegisteredRange(names: string[], lo: number, hi: number, unigrams: boolean): (NativeReduction & { unigramTotal: number; leftTotal: number }) | null;
  /** Number of key partitions of the counting tables. */
  readonly partitionCount: number;
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
      cached = require(candidate) as NativeAddon;
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

/** Re-wraps an error thrown by the addon into a BimixError with its code, file and offset. */
export function wrapNativeError(e: unknown): unknown {
  if (e instanceof BimixError) return e;
  const err = e as { code?: unknown; file?: unknown; offset?: unknown; message?: unknown };
  if (err && typeof err.code === 'string' && /^E_[A-Z_]+$/.test(err.code)) {
    // A code missing from the shared list is a bug in the addon; keep its text, say so.
    const known = isErrorCode(err.code);
    return new BimixError(known ? err.code as BimixError['code'] : 'E_NATIVE', known ? String(err.message) : `${err.code}: ${String(err.message)}`, {
      file: typeof err.file === 'string' && err.file !== '' ? err.file : undefined,
      offset: typeof err.offset === 'number' ? err.offset : undefined,
    });
  }
  return e;
}

/** Runs `fn`, converting native errors into BimixErrors. */
export function native<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw wrapNativeError(e);
  }
}
