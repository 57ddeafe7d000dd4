/** Reads the files given to `bimix report` and sorts them by what they are (their `schema`). */
import { ANALYSIS_SCHEMA, type AnalysisReport } from '../report.js';
import { CHECK_SCHEMA, type CheckResult } from '../check/compare.js';
import { BimixError } from '../errors.js';
import { LAW_SCHEMA, validateLaw } from '../laws/law-file.js';
import type { LawComparison } from '../laws/fit-laws.js';
import type { OptimizeResult } from '../laws/optimize.js';
import { readJsonFile } from '../util/json-file.js';
import { emptyInputs, type ReportInputs } from './model.js';

/** The documents `bimix report` takes, by schema; the last two carry no schema and are recognised by shape. */
export const REPORT_INPUTS = [ANALYSIS_SCHEMA, CHECK_SCHEMA, LAW_SCHEMA, 'bimix fit --law all --json', 'bimix optimize --json'] as const;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `bimix fit --law all --json`: `{ laws: [law reports or errors], comparison }`. */
function isComparison(doc: Record<string, unknown>): boolean {
  return Array.isArray(doc.laws) && doc.laws.length > 0 && doc.laws.every((l) => isObject(l) && (l.schema === LAW_SCHEMA || isObject(l.error)));
}

/** `bimix optimize --json`: a law name, steps, a method, proportions and per-domain rows. */
function isOptimizeResult(doc: Record<string, unknown>): boolean {
  return typeof doc.law === 'string' && typeof doc.steps === 'number' && typeof doc.method === 'string' && isObject(doc.proportions) && Array.isArray(doc.domains);
}

/** Adds one parsed document to `inputs`; throws E_SCHEMA naming the file when it is none of {@link REPORT_INPUTS}. */
export function addDocument(inputs: ReportInputs, file: string, doc: unknown): void {
  const bad = (what: string): never => {
    throw new BimixError('E_SCHEMA', `${what}; bimix report takes ${REPORT_INPUTS.join(', ')}`, { file });
  };
  if (!isObject(doc)) return bad('expected a JSON object');
  const schema = doc.schema;
  if (schema === ANALYSIS_SCHEMA) {
    if (!Array.isArray(doc.domains) || !doc.domains.every((d) => isObject(d) && typeof d.name === 'string')) bad('an analysis report needs "domains" with names');
    inputs.analyses.push({ file, doc: doc as unknown as AnalysisReport });
  } else if (schema === CHECK_SCHEMA) {
    if (!Array.isArray(doc.rows) || !doc.rows.every((r) => isObject(r) && typeof r.domain === 'string' && typeof r.metric === 'string')) bad('a check result needs "rows" with domain and metric');
    inputs.checks.push({ file, doc: doc as unknown as CheckResult });
  } else if (schema === LAW_SCHEMA) {
    inputs.laws.push({ file, doc: validateLaw(doc, file) });
  } else if (schema === undefined && isComparison(doc)) {
    for (const l of doc.laws as Record<string, unknown>[]) if (l.schema === LAW_SCHEMA) validateLaw(l, file);
    inputs.comparisons.push({ file, doc: doc as unknown as LawComparison });
  } else if (schema === undefined && isOptimizeResult(doc)) {
    inputs.optimizations.push({ file, doc: doc as unknown as OptimizeResult });
  } else bad(`unknown schema ${JSON.stringify(schema ?? null)}`);
}

/** Reads every file and sorts it into a {@link ReportInputs}. */
export async function readReportInputs(files: readonly string[]): Promise<ReportInputs> {
  const inputs = emptyInputs();
  for (const file of files) addDocument(inputs, file, await readJsonFile(file));
  return inputs;
}
