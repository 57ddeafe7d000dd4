/** The analyze pipeline's plan: domains turned into probed files and byte-range chunks. */
import { statSync } from 'node:fs';
import { BimixError } from '../errors.js';
import { reopenSource } from '../exec/count-step.js';
import { loadAddon } from '../engine/native.js';
import { discoverSources, fileIdentity } from '../corpus/discover.js';
import { parquetLayout } from '../corpus/parquet.js';
import { readDolmaSidecar } from '../corpus/sidecar.js';
import { DEFAULT_CHUNK_BYTES, planChunks } from '../corpus/chunks.js';
import type { Chunk, DomainSpec, FileEntry, FormatName, SourceSpec } from '../corpus/types.js';

export { DEFAULT_CHUNK_BYTES, MAX_CHUNKS, MIN_CHUNK_BYTES, flattenChunks, planChunks } from '../corpus/chunks.js';

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
  if (s.format === 'auto') s.format = loadAddon().detectFormat(s.path) as FormatName;
  if (s.format === 'parquet') {
    const l = await parquetLayout(s.path, s.column ?? 'input_ids');
    return { path: s.path, format: 'parquet', dtype: l.dtype, bytes: l.bytes, mtimeMs: Math.floor(l.mtimeMs), tokens: l.slots };
  }
  // Opened afresh: a cached source may predate a change to the file.
  const info = reopenSource(s, docEnds).info;
  return { path: info.path, format: info.format, dtype: info.dtype, bytes: info.bytes, mtimeMs: info.mtimeMs, tokens: info.tokens };
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
