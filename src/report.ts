/**
 * The analysis report: schema tag "bimix.analysis/1". Field names are a contract; the types are
 * inferred from the schema in schemas/analysis.ts, which is also the JSON Schema shipped in `schemas/`.
 */
import type { z } from 'zod';
import type { analysisSchema, domainReportSchema, entropySchema, estimateSchema, fileEntrySchema, intervalsSchema } from './schemas/analysis.js';

export { ANALYSIS_SCHEMA } from './schemas/analysis.js';

/** One file of a domain, as analysed (`tokens` counts every token position, separators included). */
export type ReportFile = z.infer<typeof fileEntrySchema>;

/** Entropies of a domain (nats unless the report's base is "2"); null = not measured (--unigrams-only). */
export type DomainEntropy = z.infer<typeof entropySchema>;

/** A two-sided interval [low, high] at `level`. */
export type Interval = [number, number];

/**
 * One domain of a report. Sampled mode only: `entropy`, `millerMadow` and the counts are the
 * sample's; `estimate` holds the whole corpus's, and `intervals` their intervals.
 */
export type DomainReport = z.infer<typeof domainReportSchema>;

/** Sampled mode: estimates of the whole corpus's values (not the sample's) and their intervals. */
export interface CorpusEstimateReport {
  estimate: z.infer<typeof estimateSchema>;
  intervals: z.infer<typeof intervalsSchema>;
}

/** The analysis report (see schemas/analysis.ts for what each field holds). */
export type AnalysisReport = z.infer<typeof analysisSchema>;
