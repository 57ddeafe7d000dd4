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
  /** Sampled mode only: bootstrap intervals of the entropies. */
  intervals?: {
    level: number;
    replicates: number;
    shannon: Interval;
    joint: Interval;
    conditional: Interval;
    /** Whole-corpus estimates (sample count / fraction). */
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
  /** Sampled mode: the fraction and seed of whole documents analysed. */
  sample?: { fraction: number; seed: number; groups: number; replicates: number };
  unigramsOnly?: boolean;
  domains: DomainReport[];
  mixture: Mixture;
  /** Suspicious shapes of the data (see report-warnings.ts); present only when there is one. */
  warnings?: ReportWarning[];
}
