/**
 * Check policies: which metrics to compare, how far each may move per metric and per
 * domain, in which direction a move counts as a regression, and which domains may be missing.
 */
import { readJsonFile } from '../util/json-file.js';
import { child, expectArray, expectBoolean, expectKeys, expectNumber, expectObject, jsonError, type JsonWhere } from './json-path.js';
import { isMetricName, METRIC_NAMES, type MetricName } from './metrics.js';

/** Schema tag of policy files (optional in the file). */
export const POLICY_SCHEMA = 'bimix.policy/1';

/** Which move is a regression: any ("both"), only a fall ("decrease"), only a rise ("increase"). */
export type Direction = 'both' | 'decrease' | 'increase';
/** Every direction, in documentation order. */
export const DIRECTIONS: readonly Direction[] = ['both', 'decrease', 'increase'];

/** A fully resolved tolerance: allowed |change| is atol + rtol * |baseline|. */
export interface Tolerance {
  rtol: number;
  atol: number;
  direction: Direction;
}

/** A partial tolerance as written in a policy layer. */
export interface ToleranceSpec {
  rtol?: number;
  atol?: number;
  direction?: Direction;
}

/** Per-domain settings: a tolerance for all its metrics, per-metric ones, and whether it may be missing. */
export interface DomainPolicy extends ToleranceSpec {
  allowMissing?: boolean;
  metrics?: Partial<Record<MetricName, ToleranceSpec>>;
}

/** A parsed policy file (schema "bimix.policy/1"; the "schema" key is optional). */
export interface Policy {
  schema?: typeof POLICY_SCHEMA;
  /** Metrics to compare (default: the built-in set plus every metric the policy names). */
  check?: MetricName[];
  default?: ToleranceSpec;
  metrics?: Partial<Record<MetricName, ToleranceSpec>>;
  domains?: Record<string, DomainPolicy>;
  allowMissing?: boolean;
}

/** The tolerance used where nothing else is said: 1% either way. */
export const BUILTIN_TOLERANCE: Tolerance = { rtol: 0.01, atol: 0, direction: 'both' };

const TOLERANCE_KEYS = ['rtol', 'atol', 'direction'] as const;

function parseTolerance(v: unknown, where: JsonWhere, extraKeys: readonly string[] = []): ToleranceSpec {
  const o = expectObject(v, where);
  expectKeys(o, [...TOLERANCE_KEYS, ...extraKeys], where);
  const out: ToleranceSpec = {};
  if (o.rtol !== undefined) out.rtol = expectNumber(o.rtol, child(where, 'rtol'), { min: 0 });
  if (o.atol !== undefined) out.atol = expectNumber(o.atol, child(where, 'atol'), { min: 0 });
  if (o.direction !== undefined) {
    if (typeof o.direction !== 'string' || !DIRECTIONS.includes(o.direction as Direction)) {
      throw jsonError('E_SCHEMA', child(where, 'direction'), `one of ${DIRECTIONS.map((d) => JSON.stringify(d)).join(', ')}`, o.direction);
    }
    out.direction = o.direction as Direction;
  }
  return out;
}

function parseMetricMap(v: unknown, where: JsonWhere): Partial<Record<MetricName, ToleranceSpec>> {
  const o = expectObject(v, where);
  const out: Partial<Record<MetricName, ToleranceSpec>> = {};
  for (const [k, t] of Object.entries(o)) {
    if (!isMetricName(k)) throw jsonError('E_SCHEMA', child(where, k), `a metric name (${METRIC_NAMES.join(', ')})`, k);
    out[k] = parseTolerance(t, child(where, k));
  }
  return out;
}

/** Validates a policy document; every error names the file and the JSON path. */
export function parsePolicy(doc: unknown, file?: string): Policy {
  const root: JsonWhere = file !== undefined ? { file, path: '$' } : { path: '$' };
  const o = expectObject(doc, root);
  expectKeys(o, ['schema', 'check', 'default', 'metrics', 'domains', 'allowMissing', 'description'], root);
  const policy: Policy = {};
  if (o.schema !== undefined) {
    if (o.schema !== POLICY_SCHEMA) throw jsonError('E_SCHEMA', child(root, 'schema'), JSON.stringify(POLICY_SCHEMA), o.schema);
    policy.schema = POLICY_SCHEMA;
  }
  if (o.check !== undefined) {
    const w = child(root, 'check');
    const list = expectArray(o.check, w);
    if (list.length === 0) throw jsonError('E_SCHEMA', w, 'at least one metric name', list);
    policy.check = list.map((m, i) => {
      if (typeof m !== 'string' || !isMetricName(m)) throw jsonError('E_SCHEMA', child(w, i), `a metric name (${METRIC_NAMES.join(', ')})`, m);
      if (list.indexOf(m) !== i) throw jsonError('E_SCHEMA', child(w, i), 'each metric once', m);
      return m;
    });
  }
  if (o.default !== undefined) policy.default = parseTolerance(o.default, child(root, 'default'));
  if (o.metrics !== undefined) policy.metrics = parseMetricMap(o.metrics, child(root, 'metrics'));
  if (o.allowMissing !== undefined) policy.allowMissing = expectBoolean(o.allowMissing, child(root, 'allowMissing'));
  if (o.domains !== undefined) {
    const w = child(root, 'domains');
    const domains = expectObject(o.domains, w);
    policy.domains = {};
    for (const [name, dv] of Object.entries(domains)) {
      const dw = child(w, name);
      const d = expectObject(dv, dw);
      const dp: DomainPolicy = parseTolerance(d, dw, ['allowMissing', 'metrics']);
      if (d.allowMissing !== undefined) dp.allowMissing = expectBoolean(d.allowMissing, child(dw, 'allowMissing'));
      if (d.metrics !== undefined) dp.metrics = parseMetricMap(d.metrics, child(dw, 'metrics'));
      policy.domains[name] = dp;
    }
  }
  return policy;
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
