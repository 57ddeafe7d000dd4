/**
 * Sampled mode: estimates of the whole corpus's plug-in entropies from a document sample,
 * with delete-a-group jackknife intervals.
 *
 * The quantity estimated is what `analyze` without --sample reports: the plug-in entropy of
 * all the corpus's counts. A sample's plug-in entropy falls short of it, by more the smaller
 * the sample. The nested subsamples (fractions F, F/2, F/4 from one pass) trace that shortfall
 * as a function of the fraction; the extrapolating estimators follow the curve to fraction 1.
 */
import type { CountHistogram } from '../engine/native.js';
import type { Interval } from '../report.js';
import { millerMadowEntropy, plugInEntropy, totalOf } from './entropy.js';
import { studentTQuantile } from './student-t.js';
import type { SubsampleRow, SubsampleTable } from './subsample.js';

/** The entropy measures an estimator yields, in nats. */
export interface EntropyTriple {
  shannon: number;
  joint: number;
  conditional: number;
}

/** Estimators of the whole corpus's entropies (see docs/sampled.md for their measured coverage). */
export const ESTIMATORS = ['plug-in', 'miller-madow', 'chao-shen', 'jackknife', 'richardson', 'power', 'power-mm', 'power-cs'] as const;
export type EstimatorName = (typeof ESTIMATORS)[number];

/** The estimator sampled reports use, chosen by measured coverage. */
export const DEFAULT_ESTIMATOR: EstimatorName = 'power';

/** Chao-Shen coverage-adjusted entropy: Horvitz-Thompson sum over Good-Turing-shrunk frequencies. */
export function chaoShenEntropy(h: CountHistogram): number {
  const n = totalOf(h);
  if (n <= 0) return 0;
  let f1 = 0;
  for (let i = 0; i < h.counts.length; i++) if (h.counts[i] === 1) f1 = h.multiplicities[i]!;
  if (f1 >= n) f1 = n - 1;
  const coverage = 1 - f1 / n;
  let s = 0;
  for (let i = 0; i < h.counts.length; i++) {
    const p = (coverage * h.counts[i]!) / n;
    const inclusion = -Math.expm1(n * Math.log1p(-p));
    s -= (h.multiplicities[i]! * p * Math.log(p)) / inclusion;
  }
  return s;
}

type Base = (h: CountHistogram) => number;

function triple(r: SubsampleRow, base: Base): EntropyTriple {
  const joint = base(r.bigramHist);
  return { shannon: base(r.unigramHist), joint, conditional: joint - base(r.leftHist) };
}

const KEYS = ['shannon', 'joint', 'conditional'] as const;

function mapTriple(f: (k: (typeof KEYS)[number]) => number): EntropyTriple {
  return { shannon: f('shannon'), joint: f('joint'), conditional: f('conditional') };
}

/** Value at fraction 1 of H(f) = a - c f^-gamma through (f0, h0) and (f1, h1). */
function extrapolate(f0: number, h0: number, f1: number, h1: number, gamma: number): number {
  const c = (h0 - h1) / (f1 ** -gamma - f0 ** -gamma);
  return h0 + c * (f0 ** -gamma - 1);
}

/** Decay exponent of the shortfall from three halving fractions, bounded where the fit is ill-posed. */
function decayExponent(h0: number, h1: number, h2: number): number {
  const ratio = (h1 - h2) / (h0 - h1);
  if (!(ratio > 0) || !Number.isFinite(ratio)) return 1;
  return Math.min(2, Math.max(0.25, Math.log2(ratio)));
}

/** An estimator applied to one set of nested rows (level 0 first) kept at `fractions`. */
function estimateRows(name: EstimatorName, rows: SubsampleRow[], fractions: number[]): EntropyTriple {
  const base: Base = name === 'miller-madow' || name === 'power-mm' ? millerMadowEntropy : name === 'chao-shen' || name === 'power-cs' ? chaoShenEntropy : plugInEntropy;
  if (name === 'plug-in' || name === 'miller-madow' || name === 'chao-shen' || name === 'jackknife') return triple(rows[0]!, base);
  const t = rows.slice(0, 3).map((r) => triple(r, base));
  if (name === 'richardson' || t.length < 3) return mapTriple((k) => (t.length < 2 ? t[0]![k] : extrapolate(fractions[0]!, t[0]![k], fractions[1]!, t[1]![k], 1)));
  return mapTriple((k) => extrapolate(fractions[0]!, t[0]![k], fractions[1]!, t[1]![k], decayExponent(t[0]![k], t[1]![k], t[2]![k])));
}

/** An estimate with its interval, per entropy. */
export interface CorpusEstimate {
  estimator: EstimatorName;
  value: EntropyTriple;
  intervals: { shannon: Interval; joint: Interval; conditional: Interval };
  /** Jackknife standard errors. */
  se: EntropyTriple;
  /** The estimate with each group left out in turn (for the jackknife of functions of it). */
  replicates: EntropyTriple[];
}

/** Delete-a-group jackknife: standard error of a statistic from its G leave-one-out values. */
export function jackknifeSe(values: number[]): number {
  const g = values.length;
  if (g < 2) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / g;
  return Math.sqrt(((g - 1) / g) * values.reduce((a, v) => a + (v - mean) * (v - mean), 0));
}

/**
 * Estimates the whole corpus's entropies from a sample at `fraction` (level 0), its nested
 * halvings, and their leave-one-group-out rows, with `level` jackknife-t intervals.
 */
export function estimateCorpus(t: SubsampleTable, fraction: number, name: EstimatorName, level = 0.95): CorpusEstimate {
  const levels = t.whole.length;
  const groups = t.omit[0]!.length;
  const fr = Array.from({ length: levels }, (_, j) => fraction / 2 ** j);
  const point = estimateRows(name, t.whole, fr);
  const frOmit = fr.map((f) => (f * (groups - 1)) / groups);
  const reps = Array.from({ length: groups }, (_, d) => estimateRows(name, t.omit.map((o) => o[d]!), frOmit));
  const se = mapTriple((k) => jackknifeSe(reps.map((r) => r[k])));
  let value = point;
  let replicates = reps;
  if (name === 'jackknife') {
    // Bias ~ 1/n: leaving out one group of G shows it; scale it to the distance from the sample to the corpus.
    const mean = mapTriple((k) => reps.reduce((a, r) => a + r[k], 0) / groups);
    value = mapTriple((k) => point[k] + (1 - fraction) * (groups - 1) * (point[k] - mean[k]));
    replicates = reps.map((r) => mapTriple((k) => r[k] + value[k] - point[k]));
  }
  const q = groups > 1 ? studentTQuantile(0.5 + level / 2, groups - 1) : 0;
  const iv = (k: (typeof KEYS)[number]): Interval => [value[k] - q * se[k], value[k] + q * se[k]];
  return { estimator: name, value, se, replicates, intervals: { shannon: iv('shannon'), joint: iv('joint'), conditional: iv('conditional') } };
}

/** Whole-corpus estimate (count / fraction) of a sample count with its jackknife interval. */
export function estimateTotal(t: SubsampleTable, fraction: number, count: (r: SubsampleRow) => number, level = 0.95): { value: number; interval: Interval } {
  const groups = t.omit[0]!.length;
  const value = count(t.whole[0]!) / fraction;
  const reps = t.omit[0]!.map((r) => (count(r) * groups) / ((groups - 1) * fraction));
  const half = (groups > 1 ? studentTQuantile(0.5 + level / 2, groups - 1) : 0) * jackknifeSe(reps);
  return { value, interval: [value - half, value + half] };
}
