/** Chunking: byte-range chunks of token files, and their flat form for the workers. */
import { BimixError } from '../errors.js';
import { tokenWidth, type Chunk, type FileEntry } from './types.js';

/** Default chunk size in bytes ("tens of MB"). */
export const DEFAULT_CHUNK_BYTES = 32 * 1024 * 1024;

/** Smallest `--chunk-size` the CLI accepts: below it per-chunk overhead dominates. */
export const MIN_CHUNK_BYTES = 64 * 1024;

/** Most chunks one run plans (the plan holds an object per chunk). */
export const MAX_CHUNKS = 1 << 22;

function tokensPerChunk(f: FileEntry, chunkBytes: number): number {
  return Math.max(1, Math.floor(chunkBytes / tokenWidth(f.dtype)));
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
