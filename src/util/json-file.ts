import { promises as fsp } from 'node:fs';
import { BimixError } from '../errors.js';

/** Reads and parses a JSON file, turning every failure into a BimixError naming the file. */
export async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    throw new BimixError('E_IO', `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file });
  }
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
