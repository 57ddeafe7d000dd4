/** The law file (`bimix.law/1`): written by `bimix fit --out`, read by predict and optimize; checked on read against schemas/law.ts. */
import { withSchemaRef } from '../schemas/ids.js';
import { LAW_SCHEMA, lawSchema } from '../schemas/law.js';
import { checkSchemaRef, expectTag, parseWith } from '../schemas/parse.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { readJsonFile } from '../util/json-file.js';
import type { LawReport } from './law-types.js';

export { LAW_SCHEMA };

/** Writes a law report atomically as a law file, with `$schema` first. */
export async function writeLawFile(file: string, law: LawReport): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(withSchemaRef('law', law), null, 2)}\n`);
}

/** Reads a law file, checking its schema tag and every field predict/optimize rely on. */
export async function readLawFile(file: string): Promise<LawReport> {
  return validateLaw(await readJsonFile(file), file);
}

/** Checks a parsed law document; throws E_SCHEMA naming the file and the JSON path of the first problem. */
export function validateLaw(doc: unknown, file?: string): LawReport {
  expectTag(doc, LAW_SCHEMA, file);
  const ctx = file !== undefined ? { file } : {};
  checkSchemaRef(doc, 'law', ctx);
  parseWith(lawSchema, doc, ctx);
  return doc as LawReport;
}
