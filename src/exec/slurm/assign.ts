/**
 * Deterministic assignment of the global chunk list to N tasks.
 *
 * The global list is every chunk of every domain, domains in plan order and
 * chunks in plan order. Task t receives the contiguous run of chunks whose
 * byte midpoint falls in [t/N, (t+1)/N) of the corpus's total bytes. So every
 * chunk lands in exactly one task, tasks carry about equal bytes, a task touches
 * as few domains (and writes as few partials) as possible, and the same corpus,
 * chunk size and N always give the same assignment.
 */
import { planChunks } from '../../corpus/chunks.js';
import { tokenWidth, type Chunk, type FileEntry } from '../../corpus/types.js';

/** One chunk of the global list. */
export interface GlobalChunk extends Chunk {
  /** Index in the global list. */
  index: number;
  domainIndex: number;
  bytes: number;
}

/** A [first, end) range of global chunk indices. */
export type ChunkRange = [number, number];

/** The global chunk list of domains given by their files, exactly as `planDomains` chunks them. */
export function globalChunks(domains: { files: FileEntry[]; chunks?: Chunk[] }[], chunkBytes: number): GlobalChunk[] {
  const out: GlobalChunk[] = [];
  domains.forEach((d, domainIndex) => {
    const chunks = d.chunks ?? planChunks(d.files, chunkBytes);
    for (const c of chunks) {
      const f = d.files[c.source]!;
      out.push({ ...c, index: out.length, domainIndex, bytes: (c.end - c.begin) * tokenWidth(f.dtype) });
    }
  });
  return out;
}

/**
 * The task of every chunk, from chunk sizes alone: task = floor(midpoint * N / total),
 * computed in BigInt so terabyte corpora and large N stay exact.
 */
export function assignTasks(chunkBytes: readonly number[], taskCount: number): Int32Array {
  if (!Number.isInteger(taskCount) || taskCount < 1) throw new RangeError(`taskCount must be a positive integer, got ${taskCount}`);
  const owner = new Int32Array(chunkBytes.length);
  let total = 0n;
  for (const b of chunkBytes) total += BigInt(b);
  const n = BigInt(taskCount);
  let before = 0n;
  for (let i = 0; i < chunkBytes.length; i++) {
    const w = BigInt(chunkBytes[i]!);
    // Zero-byte totals cannot happen for planned domains; fall back to chunk order.
    const t = total > 0n ? ((2n * before + w) * n) / (2n * total) : (BigInt(i) * n) / BigInt(chunkBytes.length);
    owner[i] = Number(t < n ? t : n - 1n);
    before += w;
  }
  return owner;
}

/** The chunk ranges of one task (contiguous by construction, but returned as ranges so callers need not rely on it). */
export function taskRanges(owner: Int32Array, taskIndex: number): ChunkRange[] {
  const ranges: ChunkRange[] = [];
  for (let i = 0; i < owner.length; i++) {
    if (owner[i] !== taskIndex) continue;
    const last = ranges[ranges.length - 1];
    if (last && last[1] === i) last[1] = i + 1;
    else ranges.push([i, i + 1]);
  }
  return ranges;
}
