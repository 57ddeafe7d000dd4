/**
 * Sampled mode's plan and its report fields: which documents are counted at which level,
 * how the grouped counts are reduced, and the whole-corpus estimates with their intervals.
 */
import type { ReportWarning } from '../report-warnings.js';
import type { NativeAccumulatorConfig, NativeReduction } from '../engine/native.js';
import { distinctOf, totalOf } from '../stats/entropy.js';
import { DEFAULT_ESTIMATOR, estimateCorpus, estimateTotal, jackknifeSe, type EstimatorName } from '../stats/corpus-estimate.js';
import type { Mixture } from '../stats/mixture.js';
import { studentTQuantile } from '../stats/student-t.js';
import type { SubsampleRow, SubsampleTable } from '../stats/subsample.js';
import type { CorpusEstimateReport, Interval } from '../report.js';

/** Jackknife groups documents are tagged with. */
export const SAMPLE_GROUPS = 32;
/** Nested halvings of the sample (F/2, F/4) counted in the same pass. */
export const SAMPLE_HALVINGS = 2;
/** Confidence level of the intervals. */
const SAMPLE_LEVEL = 0.95;

/** A sample: fraction of whole documents and seed; `withFull` also counts the whole corpus in the same pass. */
export interface SamplePlan {
  fraction: number;
  seed: number;
  withFull?: boolean;
}

/** The sampling part of the native counting options. */
export function sampleCountConfig(s: SamplePlan): Pick<NativeAccumulatorConfig, 'sampleRate' | 'sampleSeed' | 'groups' | 'nestedRates'> {
  const halvings = Array.from({ length: SAMPLE_HALVINGS }, (_, i) => s.fraction / 2 ** (i + 1));
  // With the whole corpus, level 0 is every document and the sample starts at level 1; the
  // thresholds are the same numbers, so the sample's counts are those of a sampled-only run.
  return s.withFull
    ? { sampleRate: 1, sampleSeed: s.seed, groups: SAMPLE_GROUPS, nestedRates: [s.fraction, ...halvings] }
    : { sampleRate: s.fraction, sampleSeed: s.seed, groups: SAMPLE_GROUPS, nestedRates: halvings };
}

/** The grouped reduction's options: levels, and the first level with leave-one-group-out rows. */
export function sampleReduceOptions(s: SamplePlan): { groups: number; levels: number; jackknifeFrom: number } {
  const levels = SAMPLE_HALVINGS + 1 + (s.withFull ? 1 : 0);
  return { groups: SAMPLE_GROUPS, levels, jackknifeFrom: s.withFull ? 1 : 0 };
}

/** The sample's table, without the whole-corpus level when it was counted too. */
export function sampleTable(t: SubsampleTable, s: SamplePlan): SubsampleTable {
  return s.withFull ? { whole: t.whole.slice(1), omit: t.omit.slice(1) } : t;
}

/** One subsample's counts as an exact reduction (the whole corpus's, when level 0 holds it). */
export function reductionOf(r: SubsampleRow): NativeReduction {
  return {
    tokens: totalOf(r.unigramHist),
    documents: r.documents,
    // Unknown (grouped reductions do not count separators): -1, so no warning reads it as "none".
    separators: -1,
    unigramsOnly: false,
    bigramTotal: totalOf(r.bigramHist),
    bigramDistinct: distinctOf(r.bigramHist),
    unigramDistinct: distinctOf(r.unigramHist),
    leftDistinct: distinctOf(r.leftHist),
    unigramHist: r.unigramHist,
    leftHist: r.leftHist,
    bigramHist: r.bigramHist,
  };
}

/** The whole-corpus estimates of a sampled domain and their intervals (entropies in the report's unit). */
export function corpusEstimateOf(
  t: SubsampleTable,
  fraction: number,
  base: 'e' | '2',
  estimator: EstimatorName = DEFAULT_ESTIMATOR,
): CorpusEstimateReport {
  const k = base === '2' ? 1 / Math.LN2 : 1;
  const e = estimateCorpus(t, fraction, estimator, SAMPLE_LEVEL);
  const tokens = estimateTotal(t, fraction, (r) => totalOf(r.unigramHist), SAMPLE_LEVEL);
  const documents = estimateTotal(t, fraction, (r) => r.documents, SAMPLE_LEVEL);
  // Entropies and counts are never negative.
  const iv = (i: Interval, s = k): Interval => [Math.max(0, i[0] * s), Math.max(0, i[1] * s)];
  return {
    estimate: {
      of: 'corpus',
      estimator,
      shannon: Math.max(0, e.value.shannon * k),
      joint: Math.max(0, e.value.joint * k),
      conditional: Math.max(0, e.value.conditional * k),
      tokens: tokens.value,
      documents: documents.value,
    },
    intervals: {
      level: SAMPLE_LEVEL,
      of: 'corpus',
      estimator,
      method: 'jackknife',
      replicates: t.omit[0]!.length,
      shannon: iv(e.intervals.shannon),
      joint: iv(e.intervals.joint),
      conditional: iv(e.intervals.conditional),
      tokens: iv(tokens.interval, 1),
      documents: iv(documents.interval, 1),
    },
  };
}

/** A mixture proportion whose interval is wider than this (in proportion units) is flagged in the report's warnings. */
const MIXTURE_WARN_WIDTH = 0.05;

/**
 * Jackknife intervals of the mixture's proportions: the mixture is recomputed from each
 * domain's estimate with group d left out, for d = 1..G (domains are sampled independently).
 */
export function mixtureIntervals(
  tables: Record<string, SubsampleTable>,
  fraction: number,
  proxy: 'shannon' | 'joint' | 'conditional',
  mixture: Mixture,
  mix: (entropiesNats: Record<string, number>) => Mixture,
): Record<string, Interval> {
  const names = Object.keys(tables);
  const reps = Object.fromEntries(names.map((n) => [n, estimateCorpus(tables[n]!, fraction, DEFAULT_ESTIMATOR, SAMPLE_LEVEL).replicates]));
  const groups = Math.min(...names.map((n) => reps[n]!.length));
  const byGroup = Array.from({ length: groups }, (_, d) => mix(Object.fromEntries(names.map((n) => [n, reps[n]![d]![proxy]]))).proportions);
  const q = groups > 1 ? studentTQuantile(0.5 + SAMPLE_LEVEL / 2, groups - 1) : 0;
  const out: Record<string, Interval> = {};
  for (const n of names) {
    const p = mixture.proportions[n]!;
    const half = q * jackknifeSe(byGroup.map((r) => r[n]!));
    out[n] = [Math.max(0, p - half), Math.min(1, p + half)];
  }
  return out;
}

/** Warnings for proportions whose interval is wider than {@link MIXTURE_WARN_WIDTH}. */
export function mixtureWarnings(intervals: Record<string, Interval>): ReportWarning[] {
  const out: ReportWarning[] = [];
  for (const [n, [lo, hi]] of Object.entries(intervals)) {
    if (hi - lo > MIXTURE_WARN_WIDTH) {
      out.push({
        code: 'W_UNCERTAIN_MIXTURE',
        domain: n,
        message: `mixture proportion of ${n} is uncertain: ${Math.round(SAMPLE_LEVEL * 100)}% interval ${(100 * lo).toFixed(1)}%..${(100 * hi).toFixed(1)}% (wider than ${100 * MIXTURE_WARN_WIDTH} points); raise --sample`,
      });
    }
  }
  return out;
}

/** Warnings for sampled domains with fewer documents than jackknife groups: their intervals mean little. */
export function sampleSizeWarnings(domains: { name: string; documents: number }[]): ReportWarning[] {
  return domains
    .filter((d) => d.documents < SAMPLE_GROUPS)
    .map((d) => ({
      code: 'W_SMALL_SAMPLE' as const,
      domain: d.name,
      message: `the sample of ${d.name} holds ${d.documents} document${d.documents === 1 ? '' : 's'}, fewer than the ${SAMPLE_GROUPS} jackknife groups: its estimates and intervals are unreliable; raise --sample`,
    }));
}
