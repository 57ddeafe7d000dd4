/** Combines the reductions of disjoint partition ranges into one exact reduction. */
import { BimixError } from '../errors.js';
import type { CountHistogram, NativeReduction } from '../engine/native.js';

type RangeReduction = NativeReduction & { unigramTotal: number; leftTotal: number };

/** Sums counts of counts. */
function mergeHistograms(parts: CountHistogram[]): CountHistogram {
  const m = new Map<number, number>();
  for (const h of parts) for (let i = 0; i < h.counts.length; i++) m.set(h.counts[i]!, (m.get(h.counts[i]!) ?? 0) + h.multiplicities[i]!);
  const keys = [...m.keys()].sort((a, b) => a - b);
  return { counts: Float64Array.from(keys), multiplicities: Float64Array.from(keys.map((k) => m.get(k)!)) };
}

/**
 * The ranges' bigram statistics add up; the unigram statistics come from the first range,
 * which carried them. Totals are checked the way the native merge checks them.
 */
export function combineRanges(parts: RangeReduction[]): NativeReduction {
  const u = parts[0]!; // the first range carries the unigram counts
  const bigramTotal = parts.reduce((s, p) => s + p.bigramTotal, 0);
  const out: NativeReduction = {
    tokens: u.tokens,
    documents: u.documents,
    separators: u.separators,
    unigramsOnly: u.unigramsOnly,
    bigramTotal,
    bigramDistinct: parts.reduce((s, p) => s + p.bigramDistinct, 0),
    unigramDistinct: u.unigramDistinct,
    leftDistinct: u.leftDistinct,
    ...(u.maxId !== undefined ? { maxId: u.maxId } : {}),
    unigramHist: u.unigramHist,
    leftHist: u.leftHist,
    bigramHist: mergeHistograms(parts.map((p) => p.bigramHist)),
  };
  if (u.unigramTotal !== u.tokens || (!u.unigramsOnly && u.leftTotal !== bigramTotal)) {
    throw new BimixError(
      'E_STATE',
      `inconsistent counts after the in-memory merge (unigram total ${u.unigramTotal} vs tokens ${u.tokens}, left marginal ${u.leftTotal} vs bigrams ${bigramTotal})`,
    );
  }
  return out;
}
