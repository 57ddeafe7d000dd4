/**
 * Baselines (schema "bimix.baseline/1"): the per-domain metrics of a trusted analysis,
 * with how they were produced (tool, options, files with sizes and modification times).
 */
import { BimixError } from '../errors.js';
import type { AnalysisReport, DomainReport } from '../report.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { readJsonFile } from '../util/json-file.js';
import { TOOL } from '../version.js';
import { child, expectArray, expectNumber, expectObject, expectString, type JsonWhere } from './json-path.js';
import type { DomainMetrics } from './metrics.js';
import { parseBase, parseDomainMetrics, parseFiles, uniqueNames, type FileRecord } from './report-input.js';

/** Schema tag of baseline files. */
export const BASELINE_SCHEMA = 'bimix.baseline/1';

/**
 * A domain of a baseline: its metrics and the files they were measured on. A baseline
 * made from a sampled report keeps the intervals, so a later sample at the same
 * fraction is compared like with like.
 */
export interface BaselineDomain extends DomainMetrics {
  name: string;
  files: FileRecord[];
  /** The same domain's statistics in the sample of {@link Baseline.sampled}, counted in the same pass. */
  sampled?: DomainMetrics;
}

/** How a baseline was produced. */
export interface BaselineProvenance {
  /** The report file it was made from, as given. */
  report?: string;
  /** Schema, tool and options of that report. */
  schema: string;
  tool: { name: string; version: string };
  options: Record<string, unknown>;
  sample?: { fraction: number; seed: number };
  unigramsOnly?: boolean;
}

/** A baseline file (schema "bimix.baseline/1"). */
export interface Baseline {
  schema: typeof BASELINE_SCHEMA;
  /** The tool that wrote the baseline. */
  tool: { name: string; version: string };
  createdAt: string;
  /** Entropy unit: "e" (nats) or "2" (bits). */
  base: 'e' | '2';
  source: BaselineProvenance;
  /**
   * A sample recorded beside the full statistics (`bimix baseline --sample F --seed S`):
   * `bimix check --sample F --seed S` compares with it, like with like.
   */
  sampled?: { fraction: number; seed: number };
  domains: BaselineDomain[];
}

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
  const loc = file !== undefined ? { file } : {};
  const root: JsonWhere = { ...loc, path: '$' };
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new BimixError('E_SCHEMA', `expected a JSON object with "schema" ${BASELINE_SCHEMA}`, loc);
  }
  const o = doc as Record<string, unknown>;
  if (o.schema !== BASELINE_SCHEMA) {
    const hint =
      typeof o.schema === 'string' && o.schema.startsWith('bimix.analysis/')
        ? ' (this is an analysis report; make a baseline from it with: bimix baseline --from REPORT --out BASELINE)'
        : '';
    throw new BimixError('E_SCHEMA', `expected schema ${BASELINE_SCHEMA}, found ${JSON.stringify(o.schema ?? null)}${hint}`, loc);
  }
  parseBase(o.base, child(root, 'base'));
  const tool = expectObject(o.tool, child(root, 'tool'));
  expectString(tool.version, child(child(root, 'tool'), 'version'));
  const src = expectObject(o.source, child(root, 'source'));
  expectObject(src.options, child(child(root, 'source'), 'options'));
  if (o.sampled !== undefined) {
    const sw = child(root, 'sampled');
    const so = expectObject(o.sampled, sw);
    expectNumber(so.fraction, child(sw, 'fraction'), { min: 0 });
    expectNumber(so.seed, child(sw, 'seed'), { min: 0 });
  }
  const dw = child(root, 'domains');
  const names = expectArray(o.domains, dw).map((d, i) => {
    const w = child(dw, i);
    const dobj = expectObject(d, w);
    const name = expectString(dobj.name, child(w, 'name'));
    parseDomainMetrics(dobj, w);
    parseFiles(dobj.files, child(w, 'files'));
    if (dobj.sampled !== undefined) parseDomainMetrics(expectObject(dobj.sampled, child(w, 'sampled')), child(w, 'sampled'));
    else if (o.sampled !== undefined) throw new BimixError('E_SCHEMA', `${name}: the baseline records a sample but this domain has no "sampled" statistics`, loc);
    return name;
  });
  uniqueNames(names, dw);
  return o as unknown as Baseline;
}

/** Reads and validates a baseline file. */
export async function readBaseline(file: string): Promise<Baseline> {
  return parseBaseline(await readJsonFile(file), file);
}

/** Writes a baseline atomically (temporary file and rename). */
export async function writeBaseline(file: string, baseline: Baseline): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(baseline, null, 2)}\n`);
}
