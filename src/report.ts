/** The analysis report: schema "bimix.analysis/1". Field names are a contract. */
import type { FileEntry } from './corpus/types.js';
import type { Mixture } from './stats/mixture.js';
import type { ReportWarning } from './report-warnings.js';

export const ANALYSIS_SCHEMA = 'bimix.analysis/1';

/** One file of a domain, as analysed (`tokens` counts every token position, separators included). */
export type ReportFile = FileEntry;

/** Entropies of a domain (nats unless the report's base is "2"); null = not measured (--unigrams-only). */
export interface DomainEntropy {
  shannon: number;
  joint: number | null;
  conditional: number | null;
  vne?: number;
}

/** A two-sided interval [low, high] at `level`. */
export type Interval = [number, number];

export interface DomainReport {
  name: string;
  files: ReportFile[];
  tokens: number;
  documents: number;
  unigrams: { distinct: number };
  /** Null with --unigrams-only: bigrams were not counted. */
  bigrams: { total: number | null; distinct: number | null };
  entropy: DomainEntropy;
  millerMadow: { shannon: number; joint: number | null; conditional: number | null };
  /**
   * Sampled mode only: `entropy`, `millerMadow` and the counts above are the sample's;
   * `estimate` holds the whole corpus's, and `intervals` their intervals.
   */
  estimate?: CorpusEstimateReport['estimate'];
  intervals?: CorpusEstimateReport['intervals'];
}

/** Sampled mode: estimates of the whole corpus's values (not the sample's) and their intervals. */
export interface CorpusEstimateReport {
  estimate: {
    /** What is estimated: the value `analyze` without --sample would report for the whole corpus. */
    of: 'corpus';
    estimator: string;
    shannon: number;
    joint: number;
    conditional: number;
    tokens: number;
    documents: number;
  };
  intervals: {
    level: number;
    /** What the intervals bracket: the whole corpus's value. */
    of: 'corpus';
    /** The estimator at their centre. */
    estimator: string;
    /** How they were made: delete-a-group jackknife, Student t with `replicates` - 1 degrees of freedom. */
    method: 'jackknife';
    replicates: number;
    shannon: Interval;
    joint: Interval;
    conditional: Interval;
    tokens: Interval;
    documents: Interval;
  };
}

export interface AnalysisReport {
  schema: typeof ANALYSIS_SCHEMA;
  tool: { name: string; version: string };
  base: 'e' | '2';
  /** How the report was produced (never affects the numbers). */
  options: Record<string, unknown>;
  /** Sampled mode: the fraction and seed of whole documents analysed (with nested halvings F/2, F/4 for the estimates). */
  sample?: { fraction: number; seed: number; groups: number; halvings: number };
  unigramsOnly?: boolean;
  domains: DomainReport[];
  mixture: Mixture;
  /**
   * Things the reader should know before trusting the numbers: suspicious shapes of the data,
   * small samples, uncertain mixture proportions (see report-warnings.ts); present only when there is one.
   */
  warnings?: ReportWarning[];
  /**
   * The VNE proxy's sample: windows of `window` tokens (starts uniform over token positions),
   * `target` per domain, and how many each domain actually had (or rows of its --embeddings file).
   */
  vne?: { window: number; dims: number; seed: number; target: number; samples: Record<string, number> };
  /** Sampled mode: the mixture's proportions' intervals (jackknife, at the intervals' level). */
  mixtureIntervals?: Record<string, Interval>;
}
