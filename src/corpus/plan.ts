/** Turns domains into probed files and byte-range chunks. */
import { statSync } from 'node:fs';
import { BimixError } from '../errors.js';
import { openSource } from '../exec/count-step.js';
import { loadAddon, native } from '../engine/native.js';
import { discoverSources } from './discover.js';
import { parquetLayout } from './parquet.js';
import type { Chunk, DomainSpec, FileEntry, FormatName, SourceSpec } from './types.js';

/** Default chunk size in bytes ("tens of MB"). */
export const DEFAULT_CHUNK_BYTES = 32 * 1024 * 1024;

export interface DomainPlan {
  name: string;
  spec: DomainSpec;
  sources: SourceSpec[];
  files: FileEntry[];
  chunks: Chunk[];
  tokenPositions: number;
}

/** Splits [0, tokens) of each file into chunks of about `chunkBytes` bytes. */
export function planChunks(files: FileEntry[], chunkBytes: number): Chunk[] {
  const chunks: Chunk[] = [];
  files.forEach((f, source) => {
    const width = f.dtype === 'u8' ? 1 : f.dtype === 'u16' || f.dtype === 'i16' ? 2 : 4;
    const per = Math.max(1, Math.floor(chunkBytes / width));
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
  for (const d of domains) {
    const sources = await discoverSources(d, baseDir);
    const files: FileEntry[] = [];
    for (const s of sources) files.push(await probeSource(s));
    const chunks = planChunks(files, chunkBytes);
    const tokenPositions = files.reduce((s, f) => s + f.tokens, 0);
    if (tokenPositions === 0) throw new BimixError('E_EMPTY', `domain ${d.name} holds no tokens`);
    plans.push({ name: d.name, spec: d, sources, files, chunks, tokenPositions });
  }
  return plans;
}

/**
 * Opens one source (validating its headers) and describes its file. `auto` is
 * resolved here, once, so workers read the format the planner saw.
 */
export async function probeSource(s: SourceSpec): Promise<FileEntry> {
  if (s.format === 'auto') s.format = native(() => loadAddon().detectFormat(s.path)) as FormatName;
  if (s.format === 'parquet') {
    const l = await parquetLayout(s.path, s.column ?? 'input_ids');
    return { path: s.path, format: 'parquet', dtype: l.dtype, bytes: l.bytes, mtimeMs: Math.floor(l.mtimeMs), tokens: l.slots };
  }
  const info = openSource(s).info;
  const st = statSync(info.path);
  return { path: info.path, format: info.format, dtype: info.dtype, bytes: info.bytes, mtimeMs: Math.floor(st.mtimeMs), tokens: info.tokens };
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
