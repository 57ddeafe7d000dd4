/** Options of the analyze pipeline: their shape, defaults and the one validation of them. */
import os from 'node:os';
import { BimixError, optionError } from '../errors.js';
import { DEFAULT_CHUNK_BYTES } from '../corpus/chunks.js';
import type { DomainSpec } from '../corpus/types.js';
import { defaultThreads } from '../exec/pool.js';
import { PROXIES, type Proxy } from '../stats/mixture.js';
import type { DomainPlan } from './plan.js';

/** Progress of one domain, as reported while counting. */
export interface ProgressEvent {
  domain: string;
  domainIndex: number;
  domains: number;
  tokensDone: number;
  tokensTotal: number;
  bytesDone: number;
  elapsedMs: number;
}

export interface AnalyzeOptions {
  domains: DomainSpec[];
  /** Folder relative globs resolve against (default: cwd). */
  baseDir?: string;
  threads?: number;
  /** Memory budget for counting tables, in bytes (all threads together). */
  memoryBytes?: number;
  chunkBytes?: number;
  base?: 'e' | '2';
  proxy?: Proxy;
  temperature?: number;
  min?: Record<string, number>;
  max?: Record<string, number>;
  /** Force a SIMD variant ("scalar", "avx2"); default from BIMIX_SIMD or the CPU. */
  simd?: string;
  unigramsOnly?: boolean;
  /**
   * Sampled mode: analyze a deterministic, seeded sample of whole documents (each kept
   * with probability `fraction`) and report estimates of the whole corpus's entropies
   * with jackknife intervals.
   */
  sample?: { fraction: number; seed: number };
  /**
   * The VNE proxy: embed `samples` windows of `window` tokens per domain (defaults 2048 and
   * 512), their starts sampled uniformly over token positions with `seed`, in `dims`
   * dimensions (default 256). On when the proxy is "vne".
   */
  vne?: boolean | { dims?: number; samples?: number; window?: number; seed?: number };
  /** Per-domain float32 N x d .npy embeddings from a real model, used for VNE instead. */
  embeddings?: Record<string, string>;
  /** Folder for temporary partial files and spills (default: the OS temp folder). */
  tmpDir?: string;
  onProgress?: (p: ProgressEvent) => void;
  /** Notes (such as leftovers of dead runs removed from the temporary folder); default: none. */
  onNote?: (line: string) => void;
  /** Aborting stops the run within a fraction of a second with E_INTERRUPTED; temporary files are removed. */
  signal?: AbortSignal;
  /**
   * Files the caller will write, by option name (e.g. `{ '--out': 'report.json' }`): one that
   * is also an input is refused (E_USAGE) after planning, before any counting.
   */
  outputs?: Record<string, string>;
}

/** Most worker threads a run may ask for (a run never starts more than it has chunks). */
export const MAX_THREADS = 1024;

/** Largest memory budget accepted: far beyond any machine, far below where byte counts stop being exact doubles. */
export const MAX_MEMORY_BYTES = 2 ** 50;

/** Workers worth starting: no more than the largest domain has chunks. */
export function usefulThreads(threads: number, plans: Pick<DomainPlan, 'chunks'>[]): number {
  return Math.max(1, Math.min(threads, Math.max(0, ...plans.map((p) => p.chunks.length))));
}

/** The default memory budget: 40% of physical memory. */
export function defaultMemoryBytes(): number {
  return Math.floor(os.totalmem() * 0.4);
}

/** Checks a `--sample` fraction in (0, 1] and its `--seed`, a whole number from 0 to 2^32 - 1; returns it. */
export function validateSample(sample: { fraction: number; seed: number }): { fraction: number; seed: number } {
  const { fraction, seed } = sample;
  if (!(fraction > 0 && fraction <= 1)) throw optionError('--sample', 'a fraction in (0, 1]', fraction);
  if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 32 - 1) throw optionError('--seed', 'a whole number from 0 to 4294967295', seed);
  return sample;
}

/** Options after validation, with every default filled in. */
export type ValidatedOptions = Required<Pick<AnalyzeOptions, 'threads' | 'memoryBytes' | 'chunkBytes' | 'base' | 'proxy' | 'temperature' | 'simd'>>;

/** Validates options and fills defaults (threads, memory, chunk size, base, proxy, temperature, sample, SIMD). */
export function validateAnalyzeOptions(o: AnalyzeOptions): ValidatedOptions {
  const threads = o.threads ?? defaultThreads();
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) throw optionError('--threads', `a whole number from 1 to ${MAX_THREADS}`, threads);
  const memoryBytes = o.memoryBytes ?? defaultMemoryBytes();
  if (!Number.isFinite(memoryBytes) || memoryBytes < threads * 8 * 1024 * 1024) {
    throw optionError('--memory', `at least 8MB per thread (${threads * 8}MB for ${threads} threads)`, memoryBytes);
  }
  if (memoryBytes > MAX_MEMORY_BYTES) throw optionError('--memory', 'at most 1PB (1125899906842624 bytes)', memoryBytes);
  const chunkBytes = o.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1) throw optionError('chunkBytes', 'a positive whole number', chunkBytes);
  const base = o.base ?? 'e';
  if (base !== 'e' && base !== '2') throw optionError('--base', 'e|2', base);
  // --unigrams-only alone selects the one entropy it measures.
  const proxy = o.proxy ?? (o.unigramsOnly ? 'shannon' : 'conditional');
  if (!PROXIES.includes(proxy)) throw optionError('--proxy', PROXIES.join('|'), proxy);
  const temperature = o.temperature ?? 1;
  if (!(temperature > 0)) throw optionError('--temperature', 'a number > 0', temperature);
  if (o.unigramsOnly && proxy !== 'shannon') throw optionError('--proxy', 'shannon with --unigrams-only', proxy);
  if (o.sample) {
    validateSample(o.sample);
    if (o.unigramsOnly) throw new BimixError('E_USAGE', '--sample does not combine with --unigrams-only');
  }
  const simd = o.simd ?? process.env.BIMIX_SIMD ?? 'auto';
  if (!['auto', 'scalar', 'avx2'].includes(simd)) throw optionError('BIMIX_SIMD', 'auto|scalar|avx2', simd);
  return { threads, memoryBytes, chunkBytes, base, proxy, temperature, simd };
}
