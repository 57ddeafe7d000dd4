/** Entropy regression checks: the typed library API behind `bimix check` and `bimix baseline`. */
import { analyze, type AnalyzeOptions } from '../analyze/index.js';
import type { AnalysisReport } from '../report.js';
import { readBaseline, type Baseline } from './baseline.js';
import { compareReports, type CheckResult, type CompareOptions } from './compare.js';
import { readPolicy, type Policy } from './policy.js';

export { BASELINE_SCHEMA, makeBaseline, parseBaseline, readBaseline, writeBaseline, type Baseline, type BaselineDomain, type BaselineProvenance } from './baseline.js';
export { CHECK_SCHEMA, compareReports, type CheckResult, type CheckRow, type CheckSummary, type CompareOptions, type FileChanges, type Verdict } from './compare.js';
export { allowedChange, judgePoint, type Judgement } from './judge.js';
export { comparableBaseline } from './like-with-like.js';
export { normalQuantile } from '../stats/normal.js';
export { DEFAULT_METRICS, METRIC_NAMES, METRICS, isMetricName, parseMetricList, type DomainMetrics, type MetricName } from './metrics.js';
export {
  BUILTIN_TOLERANCE,
  DIRECTIONS,
  POLICY_SCHEMA,
  missingAllowed,
  parsePolicy,
  policyMetrics,
  readPolicy,
  resolveTolerance,
  type Direction,
  type DomainPolicy,
  type Policy,
  type Tolerance,
  type ToleranceSpec,
} from './policy.js';
export { parseReport, readReport, type FileRecord } from './report-input.js';
export { CHECK_FORMATS, parseCheckFormat, renderCheck, type CheckFormat } from './reporters/index.js';

/** Options of {@link checkCorpus}. */
export interface CheckCorpusOptions extends Omit<CompareOptions, 'policy'> {
  /** A baseline, or the path of a baseline file. */
  baseline: Baseline | string;
  /** A policy, or the path of a policy file. */
  policy?: Policy | string;
  /** How to analyze the corpus now (set `sample` for the fast sampled mode). */
  analyze: AnalyzeOptions;
}

/** Analyzes a corpus and compares it with a baseline: the library form of `bimix check <analyze options>`. */
export async function checkCorpus(o: CheckCorpusOptions): Promise<{ report: AnalysisReport; result: CheckResult }> {
  // Read the inputs first so a bad baseline or policy fails before any counting.
  const baseline = typeof o.baseline === 'string' ? await readBaseline(o.baseline) : o.baseline;
  const policy = typeof o.policy === 'string' ? await readPolicy(o.policy) : o.policy;
  const report = await analyze(o.analyze);
  const { analyze: _a, baseline: _b, policy: _p, ...rest } = o;
  const result = compareReports(baseline, report, {
    ...rest,
    ...(policy ? { policy } : {}),
    ...(typeof o.baseline === 'string' && o.baselineFile === undefined ? { baselineFile: o.baseline } : {}),
  });
  return { report, result };
}
