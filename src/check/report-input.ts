/** Reading and validating the analysis reports `check`, `baseline` and `mix` consume (schema tag "bimix.analysis/1"). */
import type { z } from 'zod';
import { ANALYSIS_SCHEMA, type AnalysisReport } from '../report.js';
import { analysisSchema } from '../schemas/analysis.js';
import type { fileRecordSchema } from '../schemas/baseline.js';
import { checkSchemaRef, expectTag, parseWith } from '../schemas/parse.js';
import { readJsonFile } from '../util/json-file.js';

/** One file of a domain as recorded for provenance. */
export type FileRecord = z.infer<typeof fileRecordSchema>;

/**
 * Validates an analysis report: schema tag, `$schema`, base, every domain's numbers and files, the mixture.
 * Returns it typed (as given: keys this version does not know are kept). A baseline given where a report
 * is expected gets a hint rather than a bare schema error.
 */
export function parseReport(doc: unknown, file?: string): AnalysisReport {
  expectTag(doc, ANALYSIS_SCHEMA, file, (s) => (s.startsWith('bimix.baseline/') ? ' (this is a baseline; --current takes a report from bimix analyze --out)' : ''));
  const ctx = file !== undefined ? { file } : {};
  checkSchemaRef(doc, 'analysis', ctx);
  parseWith(analysisSchema, doc, ctx);
  return doc as AnalysisReport;
}

/** Reads and validates an analysis report file. */
export async function readReport(file: string): Promise<AnalysisReport> {
  return parseReport(await readJsonFile(file), file);
}
