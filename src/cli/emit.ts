/** `--emit` of `bimix optimize`: the optimal mixture for a trainer, with the files of an analysis report for Megatron. */
import { readReport } from '../check/report-input.js';
import { emitMixture, parseEmitFormat } from '../export/mixture-emit.js';

export { EMIT_FORMATS } from '../export/mixture-emit.js';

/** Renders `proportions` in the `--emit` format; `reportFile` (an analysis report) gives Megatron its file prefixes. */
export async function emitOptimized(format: string, proportions: Record<string, number>, reportFile: string | undefined): Promise<string> {
  const f = parseEmitFormat(format);
  const report = reportFile !== undefined ? await readReport(reportFile) : undefined;
  return emitMixture(f, proportions, report?.domains, reportFile);
}
