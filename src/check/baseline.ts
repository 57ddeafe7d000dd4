/**
 * Baselines (schema "bimix.baseline/1"): the per-domain metrics of a trusted analysis,
 * with how they were produced (tool, options, files with sizes and modification times).
 */
import type { z } from 'zod';
import { BimixError } from '../errors.js';
import type { AnalysisReport, DomainReport } from '../report.js';
import { BASELINE_SCHEMA, baselineSchema, type baselineDomainSchema, type baselineProvenanceSchema } from '../schemas/baseline.js';
import { withSchemaRef } from '../schemas/ids.js';
import { checkSchemaRef, expectTag, parseWith } from '../schemas/parse.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { readJsonFile } from '../util/json-file.js';
import { TOOL } from '../version.js';
import type { DomainMetrics } from './metrics.js';

export { BASELINE_SCHEMA };

/**
 * A domain of a baseline: its metrics and the files they were measured on. A baseline
 * made from a sampled report keeps the intervals, so a later sample at the same
 * fraction is compared like with like.
 */
export type BaselineDomain = z.infer<typeof baselineDomainSchema>;

/** How a baseline was produced. */
export type BaselineProvenance = z.infer<typeof baselineProvenanceSchema>;

/** A baseline file (schema tag "bimix.baseline/1"; see schemas/baseline.ts). */
export type Baseline = z.infer<typeof baselineSchema>;

function metricsOf(d: DomainReport): DomainMetrics {
  return {
    tokens: d.tokens,
    documents: d.documents,
    unigrams: { distinct: d.unigrams.distinct },
    bigrams: { total: d.bigrams.total, distinct: d.bigrams.distinct },
    entropy: { ...d.entropy },
    millerMadow: { ...d.millerMadow },
    ...(d.intervals ? { intervals: { ...d.intervals } } : {}),
  };
}

/**
 * Builds a baseline from an analysis report (with its intervals when the report is sampled),
 * and the report of a sample of the same corpus when one was counted in the same pass.
 */
export function makeBaseline(report: AnalysisReport, opts: { reportFile?: string; createdAt?: Date; sampled?: AnalysisReport } = {}): Baseline {
  const s = opts.sampled;
  if (s && (!s.sample || report.sample)) throw new BimixError('E_USAGE', 'a baseline records a sample beside full statistics only');
  const source: BaselineProvenance = {
    ...(opts.reportFile !== undefined ? { report: opts.reportFile } : {}),
    schema: report.schema,
    tool: { name: report.tool.name, version: report.tool.version },
    options: report.options ?? {},
    ...(report.sample ? { sample: { ...report.sample } } : {}),
    ...(report.unigramsOnly ? { unigramsOnly: true } : {}),
  };
  return {
    schema: BASELINE_SCHEMA,
    tool: { ...TOOL },
    createdAt: (opts.createdAt ?? new Date()).toISOString(),
    base: report.base,
    source,
    ...(s?.sample ? { sampled: { fraction: s.sample.fraction, seed: s.sample.seed } } : {}),
    domains: report.domains.map((d, i) => {
      const sd = s?.domains[i];
      return {
        name: d.name,
        files: d.files.map((f) => ({ path: f.path, format: f.format, dtype: f.dtype, bytes: f.bytes, mtimeMs: f.mtimeMs, tokens: f.tokens })),
        ...metricsOf(d),
        ...(sd ? { sampled: metricsOf(sd) } : {}),
      };
    }),
  };
}

/** Validates a baseline document; foreign documents and a report given in its place are E_SCHEMA errors. */
export function parseBaseline(doc: unknown, file?: string): Baseline {
  expectTag(doc, BASELINE_SCHEMA, file, (s) =>
    s.startsWith('bimix.analysis/') ? ' (this is an analysis report; make a baseline from it with: bimix baseline --from REPORT --out BASELINE)' : '',
  );
  const ctx = file !== undefined ? { file } : {};
  checkSchemaRef(doc, 'baseline', ctx);
  parseWith(baselineSchema, doc, ctx);
  return doc as Baseline;
}

/** Reads and validates a baseline file. */
export async function readBaseline(file: string): Promise<Baseline> {
  return parseBaseline(await readJsonFile(file), file);
}

/** Writes a baseline atomically (temporary file and rename), with `$schema` first. */
export async function writeBaseline(file: string, baseline: Baseline): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(withSchemaRef('baseline', baseline), null, 2)}\n`);
}
