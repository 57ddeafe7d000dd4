/** Turns domains into probed files and byte-range chunks. */
import { statSync } from 'node:fs';
import { BimixError } from '../errors.js';
import { reopenSource } from '../exec/count-step.js';
import { loadAddon, native } from '../engine/native.js';
import { discoverSources, fileIdentity } from './discover.js';
import { parquetLayout } from './parquet.js';
import { readDolmaSidecar } from './sidecar.js';
import type { Chunk, DomainSpec, FileEntry, FormatName, SourceSpec } from './types.js';

/** Default chunk size in bytes ("tens of MB"). */
export const DEFAULT_CHUNK_BYTES = 32 * 1024 * 1024;

/** Smallest `--chunk-size` the CLI accepts: below it per-chunk overhead dominates. */
export const MIN_CHUNK_BYTES = 64 * 1024;

/** Most chunks one run plans (the plan holds an object per chunk). */
export const MAX_CHUNKS = 1 << 22;

export interface DomainPlan {
  name: string;
  spec: DomainSpec;
  sources: SourceSpec[];
  files: FileEntry[];
  chunks: Chunk[];
  tokenPositions: number;
  /** Per source: sidecar document ends, decoded once here and shared with the workers; null without a sidecar. */
  docEnds: (Float64Array | null)[];
}

function tokensPerChunk(f: FileEntry, chunkBytes: number): number {
  const width = f.dtype === 'u8' ? 1 : f.dtype === 'u16' || f.dtype === 'i16' ? 2 : 4;
  return Math.max(1, Math.floor(chunkBytes / width));
}

/**
 * Splits [0, tokens) of each file into chunks of about `chunkBytes` bytes. The
 * number of chunks is counted first: a chunk size that would plan more than
 * {@link MAX_CHUNKS} is refused before anything is allocated.
 */
export function planChunks(files: FileEntry[], chunkBytes: number): Chunk[] {
  let count = 0;
  let bytes = 0;
  for (const f of files) {
    count += Math.ceil(f.tokens / tokensPerChunk(f, chunkBytes));
    bytes += f.bytes;
  }
  if (count > MAX_CHUNKS) {
    const need = Math.max(MIN_CHUNK_BYTES, 2 ** Math.ceil(Math.log2(bytes / MAX_CHUNKS)));
    throw new BimixError('E_USAGE', `--chunk-size: ${chunkBytes} bytes would plan ${count} chunks (at most ${MAX_CHUNKS}); use at least ${need} bytes`);
  }
  const chunks: Chunk[] = [];
  files.forEach((f, source) => {
    const per = tokensPerChunk(f, chunkBytes);
    for (let begin = 0; begin < f.tokens; begin += per) chunks.push({ source, begin, end: Math.min(f.tokens, begin + per) });
  });
  return chunks;
}

/** Discovers, opens (validating headers) and chunks every domain. */
export async function planDomains(domains: DomainSpec[], baseDir: string, chunkBytes = DEFAULT_CHUNK_BYTES): Promise<DomainPlan[]> {
  const seen = new Set<string>();
  for (const d of domains) {
    if (seen.has(d.name)) throw new BimixError('E_CONFIG', `domain ${d.name} is named twice`);
    seen.add(d.name);
  }
  if (domains.length === 0) throw new BimixError('E_USAGE', 'no domains: give --domain NAME=GLOB or --config FILE');
  const plans: DomainPlan[] = [];
  // One file in two domains would be counted twice and weigh in both mixture shares.
  const owner = new Map<string, { domain: string; path: string }>();
  for (const d of domains) {
    const sources = await discoverSources(d, baseDir);
    for (const s of sources) {
      const id = fileIdentity(s.path);
      const prev = owner.get(id);
      if (prev && prev.domain !== d.name) {
        const also = prev.path !== s.path ? ` (as ${prev.path})` : '';
        throw new BimixError('E_USAGE', `matched by domains ${prev.domain}${also} and ${d.name}; a file may belong to one domain only`, { file: s.path });
      }
      owner.set(id, { domain: d.name, path: s.path });
    }
    const docEnds: (Float64Array | null)[] = [];
    const files: FileEntry[] = [];
    for (const s of sources) {
      const ends = s.sidecar ? readDolmaSidecar(s.sidecar, statSync(s.path, { throwIfNoEntry: false })?.size ?? 0) : null;
      docEnds.push(ends);
      files.push(await probeSource(s, ends));
    }
    const chunks = planChunks(files, chunkBytes);
    const tokenPositions = files.reduce((s, f) => s + f.tokens, 0);
    if (tokenPositions === 0) throw new BimixError('E_EMPTY', `domain ${d.name} holds no tokens`);
    plans.push({ name: d.name, spec: d, sources, files, chunks, tokenPositions, docEnds });
  }
  return plans;
}

/**
 * Opens one source (validating its headers) and describes its file. `auto` is
 * resolved here, once, so workers read the format the planner saw.
 */
export async function probeSource(s: SourceSpec, docEnds?: Float64Array | null): Promise<FileEntry> {
  if (s.format === 'auto') s.format = native(() => loadAddon().detectFormat(s.path)) as FormatName;
  if (s.format === 'parquet') {
    const l = await parquetLayout(s.path, s.column ?? 'input_ids');
    return { path: s.path, format: 'parquet', dtype: l.dtype, bytes: l.bytes, mtimeMs: Math.floor(l.mtimeMs), tokens: l.slots };
  }
  // Opened afresh: a cached source may predate a change to the file.
  const info = reopenSource(s, docEnds).info;
  return { path: info.path, format: info.format, dtype: info.dtype, bytes: info.bytes, mtimeMs: info.mtimeMs, tokens: info.tokens };
}

/** Flattens chunks into [source, begin, end] triples for the workers. */
export function flattenChunks(chunks: Chunk[]): Float64Array {
  const out = new Float64Array(chunks.length * 3);
  chunks.forEach((c, i) => {
    out[i * 3] = c.source;
    out[i * 3 + 1] = c.begin;
    out[i * 3 + 2] = c.end;
  });
  return out;
}

/** Every file a plan reads: token files with their indexes and sidecars (for refusing an output among them). */
export function planInputFiles(plans: Pick<DomainPlan, 'sources'>[]): string[] {
  const out: string[] = [];
  for (const p of plans) {
    for (const s of p.sources) {
      out.push(s.path);
      if (s.sidecar) out.push(s.sidecar);
      const stem = s.path.replace(/\.bin$/, '');
      if (stem !== s.path) out.push(`${stem}.idx`);
      out.push(`${s.path}.index`, `${s.path}.metadata`);
    }
  }
  return out;
}
