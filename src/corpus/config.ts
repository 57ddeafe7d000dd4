import { optionError } from '../errors.js';
import { configSchema, DOMAIN_NAME_RE } from '../schemas/config.js';
import { checkSchemaRef, parseWith } from '../schemas/parse.js';
import { readJsonFile } from '../util/json-file.js';
import type { DomainSpec, FormatName, ReadOptions } from './types.js';
import { FORMATS } from './types.js';

/** Options that say how to read tokens, before validation. */
export interface RawReadOptions {
  format?: unknown;
  dtype?: unknown;
  eos?: unknown;
  vocab?: unknown;
  column?: unknown;
  split?: unknown;
}

/** Validates reading options; `where` prefixes messages (an option name or a config path). */
export function validateReadOptions(raw: RawReadOptions, base: ReadOptions | undefined, where: string): ReadOptions {
  const out: ReadOptions = { ...(base ?? { format: 'auto' }) };
  if (raw.format !== undefined) {
    if (typeof raw.format !== 'string' || !FORMATS.includes(raw.format as FormatName)) {
      throw optionError(`${where}format`, FORMATS.join('|'), raw.format);
    }
    out.format = raw.format as FormatName;
  }
  if (raw.dtype !== undefined) {
    if (raw.dtype !== 'u16' && raw.dtype !== 'u32' && raw.dtype !== 'u8') throw optionError(`${where}dtype`, 'u16|u32', raw.dtype);
    out.dtype = raw.dtype;
  }
  if (raw.eos !== undefined) out.eos = wholeNumber(`${where}eos`, raw.eos, 0, 2 ** 32 - 1);
  if (raw.vocab !== undefined) out.vocab = wholeNumber(`${where}vocab`, raw.vocab, 1, 2 ** 24);
  for (const key of ['column', 'split'] as const) {
    const v = raw[key];
    if (v === undefined) continue;
    if (typeof v !== 'string' || v === '' || /[\u0000-\u001f/]/.test(v)) throw optionError(`${where}${key}`, 'a name', v);
    out[key] = v;
  }
  if (out.eos !== undefined && out.vocab !== undefined && out.eos >= out.vocab) {
    throw optionError(`${where}eos`, `an id below --vocab ${out.vocab}`, out.eos);
  }
  return out;
}

function wholeNumber(name: string, raw: unknown, min: number, max: number): number {
  const v = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : raw;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw optionError(name, `a whole number from ${min} to ${max}`, raw);
  }
  return v;
}

const NAME_RE = DOMAIN_NAME_RE;

/** Parses repeated `--domain NAME=GLOB` values (a name may repeat to add globs). */
export function parseDomainArgs(values: string[], read: ReadOptions): DomainSpec[] {
  const byName = new Map<string, DomainSpec>();
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0 || eq === v.length - 1) throw optionError('--domain', 'NAME=GLOB', v);
    const name = v.slice(0, eq);
    if (!NAME_RE.test(name)) throw optionError('--domain', 'a name of letters, digits, _ . - (NAME=GLOB)', name);
    const glob = v.slice(eq + 1);
    const d = byName.get(name);
    if (d) d.globs.push(glob);
    else byName.set(name, { name, globs: [glob], read: { ...read } });
  }
  return [...byName.values()];
}

/**
 * Reads a config file: `{ "domains": { "web": "data/web/*.bin", "code": { "globs": [...], "format": "megatron", "eos": 0 } },
 * "format"?, "dtype"?, "eos"?, "vocab"? }` (schema in schemas/config.ts; unknown keys are refused).
 * Relative globs resolve against the config's folder.
 */
export async function readConfigFile(file: string, read: ReadOptions): Promise<{ domains: DomainSpec[]; read: ReadOptions; baseDir: string }> {
  const doc = await readJsonFile(file);
  const ctx = { file, code: 'E_CONFIG' as const };
  checkSchemaRef(doc, 'config', ctx);
  const cfg = parseWith(configSchema, doc, ctx);
  const { domains, $schema: _ref, ...globalRaw } = cfg;
  const globalRead = validateReadOptions(globalRaw, read, `${file}: `);
  const out: DomainSpec[] = [];
  for (const [name, value] of Object.entries(domains)) {
    if (typeof value === 'string' || Array.isArray(value)) {
      out.push({ name, globs: typeof value === 'string' ? [value] : value, read: globalRead });
      continue;
    }
    const { globs, glob, files, ...raw } = value;
    const list = globs ?? glob ?? files!;
    out.push({ name, globs: typeof list === 'string' ? [list] : list, read: validateReadOptions(raw, globalRead, `${file}: domains.${name}.`) });
  }
  const path = await import('node:path');
  return { domains: out, read: globalRead, baseDir: path.dirname(path.resolve(file)) };
}
