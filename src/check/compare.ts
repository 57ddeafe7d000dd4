/** Compares every domain and metric of a current analysis with a baseline. */
import type { z } from 'zod';
import type { AnalysisReport, DomainReport } from '../report.js';
import { CHECK_SCHEMA, type VERDICTS, type checkRowSchema, type checkSchema, type checkSummarySchema, type fileChangesSchema } from '../schemas/check.js';
import { makeBaseline, type Baseline, type BaselineDomain } from './baseline.js';
import { allowedChange, judgePoint } from './judge.js';
import { comparableBaseline } from './like-with-like.js';
import { DEFAULT_METRICS, METRICS, type DomainMetrics, type MetricName } from './metrics.js';
import { missingAllowed, policyMetrics, resolveTolerance, type Policy, type Tolerance } from './policy.js';
import type { FileRecord } from './report-input.js';

export { CHECK_SCHEMA };

/** pass: within tolerance; fail: a regression; missing: absent on one side; skip: not comparable (see schemas/check.ts). */
export type Verdict = (typeof VERDICTS)[number];

/** One domain × metric comparison. Entropies are in the baseline's unit. */
export type CheckRow = z.infer<typeof checkRowSchema>;

/** Files of a domain that differ from the baseline's record (informational; never fails). */
export type FileChanges = z.infer<typeof fileChangesSchema>;

/** Row counts by verdict; `regressions` decides the exit code. */
export type CheckSummary = z.infer<typeof checkSummarySchema>;

/** The outcome of `bimix check` (schema tag "bimix.check/1"; see schemas/check.ts). */
export type CheckResult = z.infer<typeof checkSchema>;

/** Options of {@link compareReports}. */
export interface CompareOptions {
  policy?: Policy;
  /** Metrics to compare; default: the policy's choice, else {@link DEFAULT_METRICS}. */
  metrics?: readonly MetricName[];
  /** Default relative tolerance (overrides the policy's `default.rtol`). */
  rtol?: number;
  /** Default absolute tolerance (overrides the policy's `default.atol`). */
  atol?: number;
  baselineFile?: string;
  currentFile?: string;
}

function isBaseline(b: Baseline | AnalysisReport): b is Baseline {
  return b.schema === 'bimix.baseline/1';
}

function fileChanges(domain: string, before: FileRecord[], after: FileRecord[]): FileChanges | undefined {
  const out: FileChanges = { domain, added: [], removed: [], changed: [] };
  const now = new Map(after.map((f) => [f.path, f]));
  const unmatchedOld: FileRecord[] = [];
  const pairs: [FileRecord, FileRecord][] = [];
  for (const f of before) {
    const n = now.get(f.path);
    if (n) {
      pairs.push([f, n]);
      now.delete(f.path);
    } else unmatchedOld.push(f);
  }
  // A corpus checked out elsewhere (a CI runner) has other absolute paths: pair the rest by file name when unambiguous.
  const base = (p: string) => p.split(/[\\/]/).pop()!;
  const count = (files: Iterable<FileRecord>) => {
    const m = new Map<string, number>();
    for (const f of files) m.set(base(f.path), (m.get(base(f.path)) ?? 0) + 1);
    return m;
  };
  const oldNames = count(unmatchedOld);
  const newNames = count(now.values());
  for (const f of unmatchedOld) {
    const name = base(f.path);
    const n = oldNames.get(name) === 1 && newNames.get(name) === 1 ? [...now.values()].find((x) => base(x.path) === name) : undefined;
    if (n) {
      pairs.push([f, n]);
      now.delete(n.path);
    } else out.removed.push(f.path);
  }
  out.added.push(...now.keys());
  for (const [f, n] of pairs) {
    // A fresh checkout has new modification times: they count only for a file at the same path.
    if (n.bytes !== f.bytes || (n.path === f.path && n.mtimeMs !== f.mtimeMs)) out.changed.push({ path: n.path, bytes: [f.bytes, n.bytes], mtimeMs: [f.mtimeMs, n.mtimeMs] });
  }
  return out.added.length + out.removed.length + out.changed.length > 0 ? out : undefined;
}

/**
 * Compares a current analysis report with a baseline (or with another report used as one),
 * row by row, under a policy. Pure: reads no files.
 */
export function compareReports(baselineIn: Baseline | AnalysisReport, current: AnalysisReport, opts: CompareOptions = {}): CheckResult {
  const baselineAny = isBaseline(baselineIn) ? baselineIn : makeBaseline(baselineIn);
  const sampledReport = current.sample !== undefined;
  // A sample is compared only with the same sample (identical on an unchanged corpus), else refused.
  const baseline = comparableBaseline(baselineAny, current, opts.baselineFile);
  const metrics = opts.metrics ? [...opts.metrics] : policyMetrics(opts.policy, DEFAULT_METRICS);
  const cli = { ...(opts.rtol !== undefined ? { rtol: opts.rtol } : {}), ...(opts.atol !== undefined ? { atol: opts.atol } : {}) };
  // Entropies are compared in the baseline's unit.
  const unit = baseline.base === current.base ? 1 : current.base === '2' ? Math.LN2 : 1 / Math.LN2;
  const baseBigrams = !baseline.source.unigramsOnly;
  const curBigrams = !current.unigramsOnly;

  const rows: CheckRow[] = [];
  const files: FileChanges[] = [];
  const curByName = new Map<string, DomainReport>(current.domains.map((d) => [d.name, d]));
  const baseByName = new Map<string, BaselineDomain>(baseline.domains.map((d) => [d.name, d]));
  const names = [...baseline.domains.map((d) => d.name), ...current.domains.filter((d) => !baseByName.has(d.name)).map((d) => d.name)];

  for (const name of names) {
    const b = baseByName.get(name);
    const c = curByName.get(name);
    if (b && c) {
      const fc = fileChanges(name, b.files, c.files);
      if (fc) files.push(fc);
    }
    for (const metric of metrics) {
      const def = METRICS[metric];
      const tol = resolveTolerance(opts.policy, name, metric, cli);
      const scale = def.kind === 'entropy' ? unit : 1;
      // Null (not measured) is absent, like a missing field: never compared with a number.
      const bv = (b ? def.get(b as DomainMetrics) : undefined) ?? undefined;
      const cvRaw = (c ? def.get(c as DomainMetrics) : undefined) ?? undefined;
      const cv = cvRaw !== undefined ? cvRaw * scale : undefined;
      const row: CheckRow = {
        domain: name,
        metric,
        baseline: bv ?? null,
        current: cv ?? null,
        change: bv !== undefined && cv !== undefined ? cv - bv : null,
        relChange: bv !== undefined && cv !== undefined && bv !== 0 ? (cv - bv) / Math.abs(bv) : null,
        tolerance: { ...tol, allowed: bv !== undefined ? allowedChange(bv, tol) : null },
        verdict: 'pass',
        regression: false,
        reason: '',
      };
      const allowed = missingAllowed(opts.policy, name);
      if (!b || !c) {
        row.verdict = 'missing';
        row.regression = !allowed;
        row.reason = `${!c ? 'domain missing from the current analysis' : 'domain not in the baseline'}${allowed ? ' (allowed by policy)' : ''}`;
      } else if (def.bigram && (!baseBigrams || !curBigrams)) {
        row.verdict = 'skip';
        row.reason = `${!baseBigrams ? 'baseline' : 'current report'} is unigrams-only`;
      } else if (bv === undefined && cv === undefined) {
        row.verdict = 'skip';
        row.reason = 'measured on neither side';
      } else if (bv === undefined || cv === undefined) {
        row.verdict = 'missing';
        row.regression = !allowed;
        row.reason = `metric missing from the ${bv === undefined ? 'baseline' : 'current analysis'}${allowed ? ' (allowed by policy)' : ''}`;
      } else {
        const j = judgePoint(bv, cv, tol);
        row.verdict = j.pass ? 'pass' : 'fail';
        row.regression = !j.pass;
        row.reason = j.reason;
      }
      rows.push(row);
    }
  }

  const summary: CheckSummary = { checks: rows.length, pass: 0, fail: 0, missing: 0, skip: 0, regressions: 0 };
  for (const r of rows) {
    summary[r.verdict] += 1;
    if (r.regression) summary.regressions += 1;
  }
  return {
    schema: CHECK_SCHEMA,
    ok: summary.regressions === 0,
    base: baseline.base,
    metrics,
    sampled: sampledReport,
    baseline: {
      ...(opts.baselineFile !== undefined ? { file: opts.baselineFile } : {}),
      tool: { name: baseline.tool.name, version: baseline.tool.version },
      ...(baseline.createdAt ? { createdAt: baseline.createdAt } : {}),
    },
    current: {
      ...(opts.currentFile !== undefined ? { file: opts.currentFile } : {}),
      tool: { name: current.tool.name, version: current.tool.version },
      ...(current.sample ? { sample: { ...current.sample } } : {}),
    },
    summary,
    rows,
    files,
  };
}
