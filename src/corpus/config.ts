import { BimixError, optionError } from '../errors.js';
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

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

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
 * "format"?, "dtype"?, "eos"?, "vocab"? }`. Relative globs resolve against the config's folder.
 */
export async function readConfigFile(file: string, read: ReadOptions): Promise<{ domains: DomainSpec[]; read: ReadOptions; baseDir: string }> {
  const doc = await readJsonFile(file);
  const fail = (msg: string): never => {
    throw new BimixError('E_CONFIG', msg, { file });
  };
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) fail('expected a JSON object with "domains"');
  const o = doc as Record<string, unknown>;
  const globalRead = validateReadOptions(o as RawReadOptions, read, `${file}: `);
  const domains = o.domains;
  if (domains === null || typeof domains !== 'object' || Array.isArray(domains)) fail('"domains" must map names to globs');
  const out: DomainSpec[] = [];
  for (const [name, value] of Object.entries(domains as Record<string, unknown>)) {
    if (!NAME_RE.test(name)) fail(`domain name ${JSON.stringify(name)} must be letters, digits, _ . -`);
    let globs: unknown;
    let readOpts = globalRead;
    if (typeof value === 'string' || Array.isArray(value)) globs = value;
    else if (value !== null && typeof value === 'object') {
      const v = value as Record<string, unknown>;
      globs = v.globs ?? v.glob ?? v.files;
      readOpts = validateReadOptions(v as RawReadOptions, globalRead, `${file}: domains.${name}.`);
    } else fail(`domains.${name} must be a glob, a list of globs or an object with "globs"`);
    const list = typeof globs === 'string' ? [globs] : globs;
    if (!Array.isArray(list) || list.length === 0 || !list.every((g) => typeof g === 'string' && g !== '')) {
      fail(`domains.${name} needs at least one glob`);
    }
    out.push({ name, globs: list as string[], read: readOpts });
  }
  if (out.length === 0) fail('"domains" is empty');
  const path = await import('node:path');
  return { domains: out, read: globalRead, baseDir: path.dirname(path.resolve(file)) };
}
