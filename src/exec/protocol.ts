/**
 * Messages shared by the executors and the pool worker. Every executor (one
 * process, the piscina pool, Slurm tasks) moves the same tasks and the same
 * partial-state files.
 */
import type { NativeAccumulatorConfig, NativeReduction } from '../engine/native.js';
import type { SourceSpec } from '../corpus/types.js';
import type { LawFitTask } from './law-step.js';

/** Count a set of chunks into one partial-state file. */
export interface CountTask {
  kind: 'count';
  sources: SourceSpec[];
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
  /** Keep the counts in process memory under this name for a `registered` merge (no files). */
  register?: string;
}

export interface CountResult {
  out: string;
  chunks: number;
  tokens: number;
  documents: number;
  bigrams: number;
  kernel: string;
}

/** Merge partial-state files; optionally write the merged file and/or reduce to entropy inputs. */
export interface MergeTask {
  kind: 'merge';
  inputs: string[];
  out?: string;
  meta?: string;
  reduce: boolean;
  /** Reduce accumulators registered in this process under these names (instead of `inputs`). */
  registered?: string[];
  /** With `registered`: only partitions [lo, hi), and the unigram counts when `unigrams`. */
  range?: { lo: number; hi: number; unigrams: boolean };
  /** Sampled mode: reduce grouped partials to bootstrap replicate sums instead. */
  grouped?: { groups: number; replicates: number; seed: number };
}

export type MergeResult = NativeReduction | Float64Array | null;

/** Embed a seeded bottom-k sample of documents (the VNE proxy) from claimed chunks. */
export interface EmbedTask {
  kind: 'embed';
  sources: SourceSpec[];
  chunks: Float64Array;
  claim?: SharedArrayBuffer;
  seed: number;
  dims: number;
  maxDocuments: number;
}

/** Kept documents sorted by sampling hash: hashes and row-major unit vectors. */
export interface EmbedResult {
  hashes: BigUint64Array;
  vectors: Float64Array;
}

export type Task = CountTask | MergeTask | EmbedTask | LawFitTask;

/** A serialisable error crossing the worker boundary. */
export interface WireError {
  code: string;
  message: string;
  file?: string;
  offset?: number;
}
