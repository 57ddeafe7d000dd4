import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { BimixError } from '../errors.js';

/**
 * Reads a dolma metadata sidecar (`X.csv.gz`, rows `start,end,id,src,loc` in token
 * offsets) and returns the sorted document boundaries it implies. Tokens between
 * two listed documents form a document of their own.
 */
export function readDolmaSidecar(file: string): Float64Array {
  let text: string;
  try {
    text = gunzipSync(readFileSync(file)).toString('utf8');
  } catch (e) {
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
  const out = Float64Array.from(bounds.filter((b, i) => b > 0 && (i === 0 || b !== bounds[i - 1])));
  return out;
}
