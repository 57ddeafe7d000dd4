/** Mixtures given by users (option strings or JSON files), validated against a law's domains. */
import { BimixError } from '../errors.js';
import { mixtureInputSchema } from '../schemas/mixture.js';
import { checkSchemaRef, parseWith } from '../schemas/parse.js';
import { readJsonFile } from '../util/json-file.js';
import { MIXTURE_SUM_TOLERANCE } from './data.js';

/** Reads a mixture JSON file: `{ "domain": share, ... }`, or such an object under "proportions" or "mixture". */
export async function readMixtureFile(file: string): Promise<Record<string, number>> {
  return mixtureFromJson(await readJsonFile(file), file);
}

/**
 * Extracts a name -> share map from a parsed mixture document (schemas/mixture.ts): the map itself, or
 * the map under "proportions" or "mixture" (the outputs of mix and optimize). "schema" and "$schema" are not domains.
 */
export function mixtureFromJson(doc: unknown, file?: string): Record<string, number> {
  const ctx = file !== undefined ? { file } : {};
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isObject(doc)) throw new BimixError('E_SCHEMA', 'a mixture must be a JSON object mapping domain names to proportions', ctx);
  checkSchemaRef(doc, 'mixture', ctx);
  let obj = doc;
  const path: string[] = [];
  for (const key of ['proportions', 'mixture']) {
    const inner = obj[key];
    if (isObject(inner)) {
      obj = inner;
      path.push(key);
    }
  }
  const { schema: _tag, $schema: _ref, ...shares } = obj;
  return parseWith(mixtureInputSchema, shares, { ...ctx, at: path });
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
