/**
 * Check policies: which metrics to compare, how far each may move per metric and per
 * domain, in which direction a move counts as a regression, and which domains may be missing.
 */
import type { z } from 'zod';
import { DIRECTIONS, POLICY_SCHEMA, policySchema, type domainPolicySchema, type toleranceSpecSchema } from '../schemas/policy.js';
import { checkSchemaRef, parseWith } from '../schemas/parse.js';
import { readJsonFile } from '../util/json-file.js';
import { isMetricName, type MetricName } from './metrics.js';

export { DIRECTIONS, POLICY_SCHEMA };

/** Which move is a regression: any ("both"), only a fall ("decrease"), only a rise ("increase"). */
export type Direction = (typeof DIRECTIONS)[number];

/** A fully resolved tolerance: allowed |change| is atol + rtol * |baseline|. */
export interface Tolerance {
  rtol: number;
  atol: number;
  direction: Direction;
}

/** A partial tolerance as written in a policy layer. */
export type ToleranceSpec = z.infer<typeof toleranceSpecSchema>;

/** Per-domain settings: a tolerance for all its metrics, per-metric ones, and whether it may be missing. */
export type DomainPolicy = z.infer<typeof domainPolicySchema>;

/** A parsed policy file (schema tag "bimix.policy/1", optional; see schemas/policy.ts). */
export type Policy = z.infer<typeof policySchema>;

/** The tolerance used where nothing else is said: 1% either way. */
export const BUILTIN_TOLERANCE: Tolerance = { rtol: 0.01, atol: 0, direction: 'both' };

/** Validates a policy document; every error names the file and the JSON path. */
export function parsePolicy(doc: unknown, file?: string): Policy {
  const ctx = file !== undefined ? { file } : {};
  checkSchemaRef(doc, 'policy', ctx);
  return parseWith(policySchema, doc, ctx);
}

/** Reads and validates a policy file. */
export async function readPolicy(file: string): Promise<Policy> {
  return parsePolicy(await readJsonFile(file), file);
}

/** Overrides of the default tolerance given on the command line (`--rtol`, `--atol`). */
export interface ToleranceOverrides {
  rtol?: number;
  atol?: number;
}

function merge(into: Tolerance, layer: ToleranceSpec | undefined): void {
  if (!layer) return;
  if (layer.rtol !== undefined) into.rtol = layer.rtol;
  if (layer.atol !== undefined) into.atol = layer.atol;
  if (layer.direction !== undefined) into.direction = layer.direction;
}

/**
 * The tolerance of one domain and metric. Layers, each overriding the one before field by field:
 * built-in (rtol 0.01, atol 0, both) < policy `default` < `--rtol`/`--atol` < policy `metrics.<m>`
 * < policy `domains.<d>` < policy `domains.<d>.metrics.<m>`.
 */
export function resolveTolerance(policy: Policy | undefined, domain: string, metric: MetricName, cli: ToleranceOverrides = {}): Tolerance {
  const t: Tolerance = { ...BUILTIN_TOLERANCE };
  merge(t, policy?.default);
  merge(t, cli);
  merge(t, policy?.metrics?.[metric]);
  const d = policy?.domains && Object.prototype.hasOwnProperty.call(policy.domains, domain) ? policy.domains[domain] : undefined;
  if (d) merge(t, { rtol: d.rtol, atol: d.atol, direction: d.direction });
  merge(t, d?.metrics?.[metric]);
  return t;
}

/** Whether a domain may be absent from either side without failing the check. */
export function missingAllowed(policy: Policy | undefined, domain: string): boolean {
  const d = policy?.domains && Object.prototype.hasOwnProperty.call(policy.domains, domain) ? policy.domains[domain] : undefined;
  return d?.allowMissing ?? policy?.allowMissing ?? false;
}

/** The metrics a policy asks for: its `check` list, or the defaults plus every metric it sets a tolerance for. */
export function policyMetrics(policy: Policy | undefined, defaults: readonly MetricName[]): MetricName[] {
  if (policy?.check) return [...policy.check];
  const out = [...defaults];
  const add = (m: string) => {
    if (isMetricName(m) && !out.includes(m)) out.push(m);
  };
  for (const m of Object.keys(policy?.metrics ?? {})) add(m);
  for (const d of Object.values(policy?.domains ?? {})) for (const m of Object.keys(d.metrics ?? {})) add(m);
  return out;
}
