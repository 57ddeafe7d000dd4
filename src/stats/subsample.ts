/**
 * Sampled mode: the count histograms of nested subsamples, whole and with one group of
 * documents left out, as the native grouped reduction returns them.
 */
import type { CountHistogram } from '../engine/native.js';

/** One subsample: level j holds the documents kept at fraction rate_j; `omitted` is the group left out (-1: none). */
export interface SubsampleRow {
  level: number;
  omitted: number;
  documents: number;
  unigramHist: CountHistogram;
  leftHist: CountHistogram;
  bigramHist: CountHistogram;
}

/** Decodes the flat Float64Array of `reduceGrouped` (row count, then per row: level, omitted, documents, 3 histograms). */
export function decodeSubsamples(a: Float64Array): SubsampleRow[] {
  let i = 0;
  const rows: SubsampleRow[] = [];
  const n = a[i++]!;
  const hist = (): CountHistogram => {
    const m = a[i++]!;
    const counts = a.slice(i, i + m);
    const multiplicities = a.slice(i + m, i + 2 * m);
    i += 2 * m;
    return { counts, multiplicities };
  };
  for (let r = 0; r < n; r++) {
    const level = a[i++]!;
    const omitted = a[i++]!;
    const documents = a[i++]!;
    const unigramHist = hist();
    const leftHist = hist();
    const bigramHist = hist();
    rows.push({ level, omitted, documents, unigramHist, leftHist, bigramHist });
  }
  return rows;
}

/** Rows arranged by level: `whole[j]` and `omit[j][d]` (empty when level j has no jackknife rows). */
export interface SubsampleTable {
  whole: SubsampleRow[];
  omit: SubsampleRow[][];
}

/** Arranges decoded rows by level and omitted group. */
export function tableOf(rows: SubsampleRow[]): SubsampleTable {
  const levels = rows.reduce((m, r) => Math.max(m, r.level + 1), 0);
  const whole: SubsampleRow[] = new Array(levels);
  const omit: SubsampleRow[][] = Array.from({ length: levels }, () => []);
  for (const r of rows) {
    if (r.omitted < 0) whole[r.level] = r;
    else omit[r.level]![r.omitted] = r;
  }
  return { whole, omit };
}
