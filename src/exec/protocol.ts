/**
 * Messages shared by the executors and the pool worker. Every executor (one
 * process, the piscina pool, Slurm tasks) moves the same tasks and the same
 * partial-state files.
 */
import type { NativeAccumulatorConfig, NativeReduction } from '../engine/native.js';
import type { SourceSpec } from '../corpus/types.js';
import { BimixError } from '../errors.js';

/** Size and mtime of a source when the run was planned; a source that differs when counted is E_CHANGED. */
export interface PlannedFile {
  bytes: number;
  mtimeMs: number;
  /** The format planning detected (workers skip detection). */
  format?: string;
}

/** Count a set of chunks into one partial-state file. */
export interface CountTask {
  kind: 'count';
  sources: SourceSpec[];
  /** Per source: its size and mtime at planning (checked when opened). */
  files?: PlannedFile[];
  /** Per source: sidecar document ends decoded at planning (shared memory), or null. */
  docEnds?: (Float64Array | null)[];
  /** Flattened [source, begin, end] triples. */
  chunks: Float64Array;
  /** Int32Array[1] of the next chunk index to claim, shared by the tasks of one domain; absent: take all chunks in order. */
  claim?: SharedArrayBuffer;
  /** BigInt64Array[2]: tokens positions done and bytes done, for progress. */
  progress?: SharedArrayBuffer;
  config: NativeAccumulatorConfig;
  /** Partial-state file to write; ignored when `register` is set. */
  out: string;
  meta: string;
  /** Keep the counts in process memory under this name (the domain's) for a `registered` merge (no files). */
  register?: string;
  /** The run's cancel slot (exec/cancel.ts), checked before each chunk; also `config.cancel`. */
  cancel?: number;
}

export interface CountResult {
  out: string;
  chunks: number;
  tokens: number;
  documents: number;
  bigrams: number;
  kernel: string;
  /** With `register`: how many runs the task's counts spilled to files. */
  spills?: number;
}

/** Merge partial-state files; optionally write the merged file and/or reduce to entropy inputs. */
export interface MergeTask {
  kind: 'merge';
  inputs: string[];
  out?: string;
  meta?: string;
  reduce: boolean;
  /**
   * Reduce the accumulators registered in this process under this name (instead of `inputs`),
   * or with `out`, write them as that one partial-state file.
   */
  registered?: string;
  /** With `registered`: native threads folding the partitions. */
  threads?: number;
  /** Sampled mode: reduce grouped partials to the histograms of nested, leave-one-group-out subsamples instead. */
  grouped?: { groups: number; levels: number; jackknifeFrom: number };
  /** The run's cancel slot; registered accumulators carry theirs from counting. */
  cancel?: number;
}

export type MergeResult = NativeReduction | Float64Array | null;

/** Embed a seeded bottom-k sample of fixed-length windows (the VNE proxy) from claimed chunks. */
export interface EmbedTask {
  kind: 'embed';
  sources: SourceSpec[];
  files?: PlannedFile[];
  docEnds?: (Float64Array | null)[];
  chunks: Float64Array;
  claim?: SharedArrayBuffer;
  seed: number;
  dims: number;
  /** Windows to keep. */
  samples: number;
  /** Token positions per window. */
  window: number;
  /** The run's cancel slot. */
  cancel?: number;
}

/** Kept windows sorted by sampling hash: hashes and row-major unit vectors. */
export interface EmbedResult {
  hashes: BigUint64Array;
  vectors: Float64Array;
}

/** The tasks of the counting worker (src/exec/worker.ts); other worker entries define their own. */
export type Task = CountTask | MergeTask | EmbedTask;

/** A serialisable error crossing the worker boundary. */
export interface WireError {
  code: string;
  message: string;
  file?: string;
  offset?: number;
}

/** What a worker entry answers: a result, or an error that crossed the thread boundary as plain data. */
export type WorkerReply<R> = { ok: R; error?: undefined } | { ok?: undefined; error: WireError };

/** Runs one task body in a worker entry and turns a thrown error into a {@link WireError}, so its code survives. */
export async function replyOf<R>(body: () => R | Promise<R>): Promise<WorkerReply<R>> {
  try {
    return { ok: await body() };
  } catch (e) {
    const error: WireError =
      e instanceof BimixError
        ? { code: e.code, message: e.detail, ...(e.file ? { file: e.file } : {}), ...(e.offset !== undefined ? { offset: e.offset } : {}) }
        : { code: 'E_NATIVE', message: (e as Error)?.stack ?? String(e) };
    return { error };
  }
}
