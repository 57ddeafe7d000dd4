/**
 * Sampled mode: entropies of bootstrap replicates and their intervals. Replicate 0
 * is the whole sample (the point estimate); replicates 1..B resample the document
 * groups with replacement.
 */
import type { Interval } from '../report.js';

/** The entropies and counts of one replicate (nats). */
export interface ReplicateEstimate {
  tokens: number;
  documents: number;
  unigramDistinct: number;
  bigramTotal: number;
  bigramDistinct: number;
  shannon: number;
  joint: number;
  conditional: number;
  mm: { shannon: number; joint: number; conditional: number };
}

function plugIn(n: number, s: number): number {
  return n > 0 ? Math.max(0, Math.log(n) - s / n) : 0;
}

function mm(n: number, k: number, s: number): number {
  return n > 0 ? plugIn(n, s) + (k - 1) / (2 * n) : 0;
}

/** Decodes the native replicate sums (10 numbers per replicate). */
export function replicateEstimates(sums: Float64Array): ReplicateEstimate[] {
  const out: ReplicateEstimate[] = [];
  for (let b = 0; b * 10 < sums.length; b++) {
    const [uN, uK, uS, lN, lK, lS, bN, bK, bS, docs] = Array.from(sums.subarray(b * 10, b * 10 + 10)) as number[];
    const shannon = plugIn(uN!, uS!);
    const joint = plugIn(bN!, bS!);
    const left = plugIn(lN!, lS!);
    const mmJoint = mm(bN!, bK!, bS!);
    const mmLeft = mm(lN!, lK!, lS!);
    out.push({
      tokens: uN!,
      documents: docs!,
      unigramDistinct: uK!,
      bigramTotal: bN!,
      bigramDistinct: bK!,
      shannon,
      joint,
      conditional: Math.max(0, joint - left),
      mm: { shannon: mm(uN!, uK!, uS!), joint: mmJoint, conditional: Math.max(0, mmJoint - mmLeft) },
    });
  }
  return out;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * Basic (pivotal) bootstrap interval: [2 t - q_hi, 2 t - q_lo]. Unlike the percentile
 * interval it moves against the replicates' bias, which matters for plug-in
 * entropies: they are biased low, and more so on resampled (duplicated) data.
 */
export function basicInterval(point: number, replicates: number[], level: number): Interval {
  const sorted = [...replicates].sort((a, b) => a - b);
  const a = (1 - level) / 2;
  return [2 * point - quantile(sorted, 1 - a), 2 * point - quantile(sorted, a)];
}
