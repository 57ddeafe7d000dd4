/** The law file (`bimix.law/1`): written by `bimix fit --out`, read by predict and optimize; the schema version is checked on read. */
import { BimixError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { readSchemaFile } from '../util/json-file.js';
import type { LawName, LawReport } from './law-types.js';

/** The schema tag of law files. */
export const LAW_SCHEMA = 'bimix.law/1';

/** Writes a law report atomically as a law file. */
export async function writeLawFile(file: string, law: LawReport): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(law, null, 2)}\n`);
}

/** Reads a law file, checking its schema and the parameters predict/optimize rely on. */
export async function readLawFile(file: string): Promise<LawReport> {
  const doc = await readSchemaFile(file, [LAW_SCHEMA]);
  return validateLaw(doc, file);
}

/** Checks a parsed law document; throws E_SCHEMA naming the first problem. */
export function validateLaw(doc: Record<string, unknown>, file?: string): LawReport {
  const bad = (what: string): never => {
    throw new BimixError('E_SCHEMA', `invalid law file: ${what}`, file !== undefined ? { file } : {});
  };
  if (doc.schema !== LAW_SCHEMA) bad(`schema must be "${LAW_SCHEMA}", found ${JSON.stringify(doc.schema ?? null)}`);
  const law = doc.law as LawName;
  if (!['bimix', 'exp', 'transfer', 'interaction'].includes(law)) bad(`"law" must be bimix, exp, transfer or interaction, found ${JSON.stringify(doc.law ?? null)}`);
  const order = doc.domainOrder;
  if (!Array.isArray(order) || order.length === 0 || !order.every((d) => typeof d === 'string')) bad('"domainOrder" must be a list of domain names');
  if (!Array.isArray(doc.domains) || doc.domains.length === 0) bad('"domains" must be a non-empty list');
  const need: Record<LawName, string[]> = { bimix: ['alpha', 'beta', 'b', 'c'], exp: ['c', 'k', 'step'], transfer: ['alpha', 'beta', 'b', 'c'], interaction: ['alpha', 'beta', 'b', 'c'] };
  for (const [i, d] of (doc.domains as unknown[]).entries()) {
    const dom = d as Record<string, unknown> | null;
    if (!dom || typeof dom.name !== 'string') bad(`domains[${i}] has no name`);
    const params = dom!.params as Record<string, unknown> | undefined;
    if (!params || typeof params !== 'object') bad(`domain "${dom!.name}" has no params`);
    for (const k of need[law]) {
      if (typeof params![k] !== 'number' || !Number.isFinite(params![k])) bad(`domain "${dom!.name}": params.${k} must be a finite number`);
    }
    const map = law === 'exp' ? params!.t : law === 'transfer' || law === 'interaction' ? params!.tau : {};
    if (!map || typeof map !== 'object' || Object.values(map).some((v) => typeof v !== 'number')) bad(`domain "${dom!.name}": params.${law === 'exp' ? 't' : 'tau'} must map domains to numbers`);
    if (law === 'interaction') checkInteraction(params!, dom!.name as string, bad);
    if (!(order as string[]).includes(dom!.name as string)) bad(`domain "${dom!.name}" is not in domainOrder`);
  }
  return doc as unknown as LawReport;
}

/** The interaction law's u and v: lists of the same length of maps from domains to finite numbers. */
function checkInteraction(params: Record<string, unknown>, name: string, bad: (what: string) => never): void {
  const { u, v } = params;
  const ok = (x: unknown): x is Record<string, unknown>[] =>
    Array.isArray(x) && x.every((m) => !!m && typeof m === 'object' && Object.values(m as object).every((t) => typeof t === 'number' && Number.isFinite(t)));
  if (!ok(u) || !ok(v) || u.length !== v.length) bad(`domain "${name}": params.u and params.v must be lists of the same length mapping domains to numbers`);
}
