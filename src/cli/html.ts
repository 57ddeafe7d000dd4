/** `--html FILE` of analyze, check and fit: the same page as `bimix report`, built from the result in hand. */
import { emptyInputs, writeReportHtml, type ReportInputs } from '../report-html/index.js';
import { log } from './output.js';

/** The `--html` option's help. */
export const HTML_OPTION = ['--html <file>', 'also write a self-contained HTML page with charts and tables (atomically)'] as const;

/** Writes the page for `parts` to `file` and says so on stderr unless quiet. */
export async function writeHtml(file: string, parts: Partial<ReportInputs>, quiet?: boolean): Promise<void> {
  await writeReportHtml(file, { ...emptyInputs(), ...parts });
  log(quiet, `bimix: wrote ${file}`);
}
