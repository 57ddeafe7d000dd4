import { BimixError } from '../errors.js';
import { READ_LIMITS, readTextFile } from './read-file.js';

/** Reads and parses a JSON file (a regular file of at most 256 MB), turning every failure into a BimixError naming the file. */
export async function readJsonFile(file: string): Promise<unknown> {
  const text = readTextFile(file, { maxBytes: READ_LIMITS.json, what: 'JSON' });
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new BimixError('E_FORMAT', `not valid JSON: ${(e as Error).message}`, { file });
  }
}

/** Reads a JSON file that must carry `schema` equal to one of `schemas`. */
export async function readSchemaFile(file: string, schemas: readonly string[]): Promise<Record<string, unknown>> {
  const doc = await readJsonFile(file);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new BimixError('E_SCHEMA', `expected a JSON object with "schema" ${schemas.join(' or ')}`, { file });
  }
  const schema = (doc as Record<string, unknown>).schema;
  if (typeof schema !== 'string' || !schemas.includes(schema)) {
    throw new BimixError('E_SCHEMA', `expected schema ${schemas.join(' or ')}, found ${JSON.stringify(schema ?? null)}`, { file });
  }
  return doc as Record<string, unknown>;
}
