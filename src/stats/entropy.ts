/**
 * Plug-in and Miller-Madow entropies from counts of counts. Sums run in ascending
 * count order with compensated summation, so a result depends only on the exact
 * counts, never on how the work was split.
 */
import type { CountHistogram } from '../engine/native.js';

/** Neumaier-compensated sum of `terms` produced in a fixed order. */
function compensatedSum(n: number, term: (i: number) => number): number {
  let sum = 0;
  let comp = 0;
  for (let i = 0; i < n; i++) {
    const t = term(i);
    const s = sum + t;
    comp += Math.abs(sum) >= Math.abs(t) ? sum - s + t : t - s + sum;
    sum = s;
  }
  return sum + comp;
}

/** Sum over items of c ln c, from counts of counts. */
function sumCLogC(h: CountHistogram): number {
  return compensatedSum(h.counts.length, (i) => {
    const c = h.counts[i]!;
    return h.multiplicities[i]! * c * Math.log(c);
  });
}

/** Total count N = sum of m_c * c. */
export function totalOf(h: CountHistogram): number {
  let n = 0;
  for (let i = 0; i < h.counts.length; i++) n += h.counts[i]! * h.multiplicities[i]!;
  return n;
}

/** Distinct items K = sum of m_c. */
export function distinctOf(h: CountHistogram): number {
  let k = 0;
  for (let i = 0; i < h.multiplicities.length; i++) k += h.multiplicities[i]!;
  return k;
}

/** Plug-in entropy in nats: H = ln N - (1/N) sum c ln c. Zero for empty histograms. */
export function plugInEntropy(h: CountHistogram): number {
  const n = totalOf(h);
  if (n <= 0) return 0;
  const h0 = Math.log(n) - sumCLogC(h) / n;
  return h0 < 0 ? 0 : h0;
}

/** Miller-Madow correction: plug-in + (K - 1) / (2N). */
export function millerMadowEntropy(h: CountHistogram): number {
  const n = totalOf(h);
  if (n <= 0) return 0;
  return plugInEntropy(h) + (distinctOf(h) - 1) / (2 * n);
}

/** The entropy measures of one domain, in nats. */
export interface EntropySet {
  shannon: number;
  joint: number;
  conditional: number;
}

/** Counts-of-counts inputs for {@link entropiesFromCounts}. */
export interface EntropyInputs {
  unigramHist: CountHistogram;
  bigramHist: CountHistogram;
  /** Counts of tokens as the LEFT element of a bigram (document-final tokens excluded). */
  leftHist: CountHistogram;
}

/**
 * Shannon H(X), joint H(X_t, X_t+1) and conditional H(X_t+1 | X_t) = joint - H(left marginal),
 * plug-in and Miller-Madow, in nats.
 */
export function entropiesFromCounts(x: EntropyInputs): { plugIn: EntropySet; millerMadow: EntropySet } {
  const shannon = plugInEntropy(x.unigramHist);
  const joint = plugInEntropy(x.bigramHist);
  const left = plugInEntropy(x.leftHist);
  const mmShannon = millerMadowEntropy(x.unigramHist);
  const mmJoint = millerMadowEntropy(x.bigramHist);
  const mmLeft = millerMadowEntropy(x.leftHist);
  return {
    plugIn: { shannon, joint, conditional: Math.max(0, joint - left) },
    millerMadow: { shannon: mmShannon, joint: mmJoint, conditional: Math.max(0, mmJoint - mmLeft) },
  };
}

/** Histogram of counts of counts from plain counts (for references and tests). */
export function histogramOf(counts: Iterable<number>): CountHistogram {
  const m = new Map<number, number>();
  for (const c of counts) if (c > 0) m.set(c, (m.get(c) ?? 0) + 1);
  const keys = [...m.keys()].sort((a, b) => a - b);
  return { counts: Float64Array.from(keys), multiplicities: Float64Array.from(keys.map((k) => m.get(k)!)) };
}
