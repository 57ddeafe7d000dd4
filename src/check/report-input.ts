/** Reading and validating the analysis reports `check` and `baseline` consume (schema "bimix.analysis/1"). */
import { BimixError } from '../errors.js';
import { ANALYSIS_SCHEMA, type AnalysisReport, type Interval } from '../report.js';
import { readJsonFile } from '../util/json-file.js';
import { child, expectArray, expectNumber, expectObject, expectString, jsonError, type JsonWhere } from './json-path.js';

/** A number, or null where the analysis did not measure it (bigram measures of --unigrams-only). */
function numberOrNull(v: unknown, where: JsonWhere, opts: { min?: number } = {}): number | null {
  return v === null ? null : expectNumber(v, where, opts);
}
import type { DomainMetrics } from './metrics.js';

/** One file of a domain as recorded for provenance. */
export interface FileRecord {
  path: string;
  format?: string;
  dtype?: string;
  bytes: number;
  mtimeMs: number;
  tokens: number;
}

function parseInterval(v: unknown, where: JsonWhere): Interval {
  const a = expectArray(v, where);
  if (a.length !== 2) throw jsonError('E_SCHEMA', where, '[low, high]', v);
  const lo = expectNumber(a[0], child(where, 0));
  const hi = expectNumber(a[1], child(where, 1));
  if (lo > hi) throw jsonError('E_SCHEMA', where, 'low <= high', v);
  return [lo, hi];
}

/** Validates the per-domain numbers of a report or baseline entry (and its intervals, when present). */
export function parseDomainMetrics(v: Record<string, unknown>, where: JsonWhere): DomainMetrics {
  const num = (o: Record<string, unknown>, k: string, w: JsonWhere) => expectNumber(o[k], child(w, k), { min: 0 });
  const uw = child(where, 'unigrams');
  const bw = child(where, 'bigrams');
  const ew = child(where, 'entropy');
  const mw = child(where, 'millerMadow');
  const u = expectObject(v.unigrams, uw);
  const b = expectObject(v.bigrams, bw);
  const e = expectObject(v.entropy, ew);
  const m = expectObject(v.millerMadow, mw);
  const out: DomainMetrics = {
    tokens: num(v, 'tokens', where),
    documents: num(v, 'documents', where),
    unigrams: { distinct: num(u, 'distinct', uw) },
    bigrams: { total: numberOrNull(b.total, child(bw, 'total'), { min: 0 }), distinct: numberOrNull(b.distinct, child(bw, 'distinct'), { min: 0 }) },
    entropy: { shannon: expectNumber(e.shannon, child(ew, 'shannon')), joint: numberOrNull(e.joint, child(ew, 'joint')), conditional: numberOrNull(e.conditional, child(ew, 'conditional')) },
    millerMadow: { shannon: expectNumber(m.shannon, child(mw, 'shannon')), joint: numberOrNull(m.joint, child(mw, 'joint')), conditional: numberOrNull(m.conditional, child(mw, 'conditional')) },
  };
  if (e.vne !== undefined) out.entropy.vne = expectNumber(e.vne, child(ew, 'vne'));
  if (v.intervals !== undefined) {
    const iw = child(where, 'intervals');
    const i = expectObject(v.intervals, iw);
    out.intervals = {
      level: expectNumber(i.level, child(iw, 'level'), { min: 0 }),
      replicates: expectNumber(i.replicates, child(iw, 'replicates'), { min: 0 }),
      shannon: parseInterval(i.shannon, child(iw, 'shannon')),
      joint: parseInterval(i.joint, child(iw, 'joint')),
      conditional: parseInterval(i.conditional, child(iw, 'conditional')),
    };
    if (i.tokens !== undefined) out.intervals.tokens = parseInterval(i.tokens, child(iw, 'tokens'));
    if (i.documents !== undefined) out.intervals.documents = parseInterval(i.documents, child(iw, 'documents'));
  }
  return out;
}

/** Validates a domain's file list. */
export function parseFiles(v: unknown, where: JsonWhere): FileRecord[] {
  return expectArray(v, where).map((f, i) => {
    const fw = child(where, i);
    const o = expectObject(f, fw);
    const rec: FileRecord = {
      path: expectString(o.path, child(fw, 'path')),
      bytes: expectNumber(o.bytes, child(fw, 'bytes'), { min: 0 }),
      mtimeMs: expectNumber(o.mtimeMs, child(fw, 'mtimeMs')),
      tokens: expectNumber(o.tokens, child(fw, 'tokens'), { min: 0 }),
    };
    if (typeof o.format === 'string') rec.format = o.format;
    if (typeof o.dtype === 'string') rec.dtype = o.dtype;
    return rec;
  });
}

/** Checks that `base` is "e" or "2". */
export function parseBase(v: unknown, where: JsonWhere): 'e' | '2' {
  if (v !== 'e' && v !== '2') throw jsonError('E_SCHEMA', where, '"e" or "2"', v);
  return v;
}

/** Rejects two domains of the same name. */
export function uniqueNames(names: string[], where: JsonWhere): void {
  const seen = new Set<string>();
  names.forEach((n, i) => {
    if (seen.has(n)) throw jsonError('E_SCHEMA', child(child(where, i), 'name'), 'a domain name not used before', n);
    seen.add(n);
  });
}

/**
 * Validates an analysis report: schema, base and every domain's numbers. Returns it typed.
 * A baseline given where a report is expected gets a hint rather than a bare schema error.
 */
export function parseReport(doc: unknown, file?: string): AnalysisReport {
  const root: JsonWhere = file !== undefined ? { file, path: '$' } : { path: '$' };
  const o = expectObject(doc, root);
  if (o.schema !== ANALYSIS_SCHEMA) {
    const hint = typeof o.schema === 'string' && o.schema.startsWith('bimix.baseline/') ? ' (this is a baseline; --current takes a report from bimix analyze --out)' : '';
    throw new BimixError('E_SCHEMA', `expected schema ${ANALYSIS_SCHEMA}, found ${JSON.stringify(o.schema ?? null)}${hint}`, file !== undefined ? { file } : {});
  }
  parseBase(o.base, child(root, 'base'));
  const dw = child(root, 'domains');
  const domains = expectArray(o.domains, dw);
  const names = domains.map((d, i) => {
    const w = child(dw, i);
    const dobj = expectObject(d, w);
    const name = expectString(dobj.name, child(w, 'name'));
    parseDomainMetrics(dobj, w);
    parseFiles(dobj.files, child(w, 'files'));
    return name;
  });
  uniqueNames(names, dw);
  return o as unknown as AnalysisReport;
}

/** Reads and validates an analysis report file. */
export async function readReport(file: string): Promise<AnalysisReport> {
  return parseReport(await readJsonFile(file), file);
}
