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
