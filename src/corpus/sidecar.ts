import { constants as bufferConstants } from 'node:buffer';
import { gunzipSync } from 'node:zlib';
import { BimixError } from '../errors.js';
import { READ_LIMITS, formatBytes, readRegularFile } from '../util/read-file.js';

/** Decompressed sidecar bytes allowed per byte of the shard (a row per document, at most one document per token). */
const SIDECAR_BYTES_PER_SHARD_BYTE = 256;

/** The most a sidecar of a `shardBytes`-byte shard may decompress to. */
function sidecarOutputLimit(shardBytes: number): number {
  return Math.min(bufferConstants.MAX_STRING_LENGTH, 1024 * 1024 + SIDECAR_BYTES_PER_SHARD_BYTE * shardBytes);
}

/**
 * Reads a dolma metadata sidecar (`X.csv.gz`, rows `start,end,id,src,loc` in token
 * offsets) and returns the sorted document boundaries it implies. Tokens between
 * two listed documents form a document of their own. Decompression stops at
 * {@link sidecarOutputLimit} of the shard's size (a gzip bomb cannot fill memory).
 * The result lives in shared memory so that workers use it without decoding again.
 */
export function readDolmaSidecar(file: string, shardBytes: number): Float64Array {
  const packed = readRegularFile(file, { maxBytes: READ_LIMITS.sidecar, what: 'compressed sidecar' });
  const limit = sidecarOutputLimit(shardBytes);
  let text: string;
  try {
    text = gunzipSync(packed, { maxOutputLength: limit }).toString('utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new BimixError('E_FORMAT', `sidecar decompresses to more than ${formatBytes(limit)}, more than a ${shardBytes}-byte shard can need`, { file });
    }
    throw new BimixError('E_FORMAT', `cannot read gzip CSV sidecar: ${(e as Error).message}`, { file });
  }
  const bounds: number[] = [];
  let prevEnd = 0;
  let row = 0;
  for (const line of text.split('\n')) {
    row += 1;
    if (line.trim() === '') continue;
    const comma1 = line.indexOf(',');
    const comma2 = comma1 < 0 ? -1 : line.indexOf(',', comma1 + 1);
    const startText = comma1 < 0 ? '' : line.slice(0, comma1);
    const endText = comma2 < 0 ? line.slice(comma1 + 1) : line.slice(comma1 + 1, comma2);
    if (row === 1 && !/^\d+$/.test(startText.trim())) continue; // header row
    if (!/^\d+$/.test(startText.trim()) || !/^\d+$/.test(endText.trim())) {
      throw new BimixError('E_FORMAT', 'expected integer start,end token offsets', { file, row });
    }
    const start = Number(startText);
    const end = Number(endText);
    if (end < start || start < prevEnd) {
      throw new BimixError('E_FORMAT', `document span ${start}-${end} overlaps or runs backwards (previous end ${prevEnd})`, {
        file,
        row,
      });
    }
    if (start > prevEnd || bounds.length === 0) bounds.push(start);
    bounds.push(end);
    prevEnd = end;
  }
  const kept = bounds.filter((b, i) => b > 0 && (i === 0 || b !== bounds[i - 1]));
  const out = new Float64Array(new SharedArrayBuffer(kept.length * 8));
  out.set(kept);
  return out;
}
