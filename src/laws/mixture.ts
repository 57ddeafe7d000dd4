/** Mixtures given by users (option strings or JSON files), validated against a law's domains. */
import { BimixError } from '../errors.js';
import { readJsonFile } from '../util/json-file.js';
import { MIXTURE_SUM_TOLERANCE } from './data.js';

/** Reads a mixture JSON file: `{ "domain": share, ... }`, or such an object under "proportions" or "mixture". */
export async function readMixtureFile(file: string): Promise<Record<string, number>> {
  return mixtureFromJson(await readJsonFile(file), file);
}

/** Extracts a name -> share map from a parsed mixture document. */
export function mixtureFromJson(doc: unknown, file?: string): Record<string, number> {
  let obj = doc as Record<string, unknown> | null;
  if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
    for (const key of ['proportions', 'mixture']) {
      const inner = obj[key];
      if (inner && typeof inner === 'object' && !Array.isArray(inner)) obj = inner as Record<string, unknown>;
    }
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new BimixError('E_SCHEMA', 'a mixture must be a JSON object mapping domain names to proportions', file ? { file } : {});
  }
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'schema') continue;
    if (typeof v !== 'number') throw new BimixError('E_SCHEMA', `mixture entry "${k}" must be a number, got ${JSON.stringify(v)}`, file ? { file } : {});
    out[k] = v;
  }
  return out;
}

/** Orders a mixture by `domains`, filling absent domains with 0; checks names, range and sum. */
export function mixtureVector(domains: readonly string[], mixture: Record<string, number>, what = 'mixture'): number[] {
  for (const [k, v] of Object.entries(mixture)) {
    if (!domains.includes(k)) throw new BimixError('E_USAGE', `${what}: unknown domain "${k}" (the law has ${domains.join(', ')})`);
    if (!Number.isFinite(v) || v < 0 || v > 1) throw new BimixError('E_USAGE', `${what}: proportion of "${k}" must lie in [0, 1], got ${v}`);
  }
  const vec = domains.map((d) => mixture[d] ?? 0);
  const sum = vec.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > MIXTURE_SUM_TOLERANCE) throw new BimixError('E_USAGE', `${what}: proportions sum to ${Number(sum.toPrecision(12))}, expected 1 within ${MIXTURE_SUM_TOLERANCE.toExponential()}`);
  return vec;
}
