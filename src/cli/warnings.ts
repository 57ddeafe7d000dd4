/** Printing a report's warnings: one `bimix: warning: ...` line each on stderr. */
import type { AnalysisReport } from '../report.js';

/** Writes the report's warnings to stderr (even with --quiet: they say the numbers may be wrong). */
export function printWarnings(report: Pick<AnalysisReport, 'warnings'>): void {
  for (const w of report.warnings ?? []) process.stderr.write(`bimix: warning: ${w.message}\n`);
}
