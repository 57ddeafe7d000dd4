/** `bimix report`: one self-contained HTML page from analysis reports, check results, law files and optimizer results. */
import { writeFileAtomic } from '../util/atomic-write.js';
import { BimixError } from '../errors.js';
import { checkSection } from './check-section.js';
import { corpusSection } from './corpus-section.js';
import { lawsSection } from './laws-section.js';
import { mixtureSection } from './mixture-section.js';
import type { ReportInputs, Section } from './model.js';
import { renderPage } from './page.js';

export { readReportInputs, addDocument, REPORT_INPUTS } from './inputs.js';
export { emptyInputs } from './model.js';
export type { ReportInputs, Section, Chart, Block, Sourced } from './model.js';
export { escapeHtml, scriptJson } from './escape.js';

/** Builds the page for `inputs`; sections appear for what the inputs hold. */
export function buildReportHtml(inputs: ReportInputs, title = 'bimix report'): string {
  const sections: Section[] = [];
  inputs.analyses.forEach((a, i) => sections.push(corpusSection(a, i)));
  const mixture = mixtureSection(inputs);
  if (mixture) sections.push(mixture);
  inputs.checks.forEach((c, i) => sections.push(checkSection(c, i)));
  const laws = lawsSection(inputs);
  if (laws) sections.push(laws);
  if (sections.length === 0) throw new BimixError('E_USAGE', 'nothing to report: give an analysis report, a check result, a law file or an optimizer result');
  const sources = [
    ...inputs.analyses, ...inputs.checks, ...inputs.laws, ...inputs.comparisons, ...inputs.optimizations,
  ].map((s) => s.file);
  return renderPage(title, [...new Set(sources)], sections);
}

/** Builds the page and writes it atomically. */
export async function writeReportHtml(file: string, inputs: ReportInputs, title?: string): Promise<void> {
  await writeFileAtomic(file, buildReportHtml(inputs, title));
}
