/**
 * Sampled mode: entropies of bootstrap replicates and their intervals. Replicate 0
 * is the whole sample (the point estimate); replicates 1..B resample the document
 * groups with replacement.
 */
import type { Interval } from '../report.js';
import { studentTQuantile } from './student-t.js';

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

/**
 * Bias-corrected normal bootstrap interval at 95%: centre t - bias (bias = mean of the
 * replicates - t), half-width t_{0.975, G-1} times the replicates' standard deviation,
 * inflated by sqrt(G / (G - 1)) because resampling G groups underestimates the spread.
 * Plug-in entropies of a sample are biased low; the correction moves against that.
 */
export function groupBootstrapInterval(point: number, replicates: number[], groups: number): Interval {
  const n = replicates.length;
  if (n < 2) return [point, point];
  const mean = replicates.reduce((a, b) => a + b, 0) / n;
  const variance = replicates.reduce((a, b) => a + (b - mean) * (b - mean), 0) / (n - 1);
  const sd = Math.sqrt(variance * (groups / Math.max(1, groups - 1)));
  const centre = point - (mean - point);
  const half = studentTQuantile(0.975, Math.max(1, groups - 1)) * sd;
  return [centre - half, centre + half];
}
