import { optionError } from '../errors.js';

/** Parses a whole number within [min, max] for option `name`. */
export function parseInteger(name: string, raw: unknown, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const s = typeof raw === 'number' ? String(raw) : raw;
  if (typeof s !== 'string' || !/^-?\d+$/.test(s.trim())) throw optionError(name, `a whole number from ${min} to ${max}`, raw);
  const v = Number(s);
  if (!Number.isSafeInteger(v) || v < min || v > max) throw optionError(name, `a whole number from ${min} to ${max}`, raw);
  return v;
}

/** Parses a finite number, optionally bounded (inclusive unless `exclusiveMin`). */
export function parseNumber(
  name: string,
  raw: unknown,
  opts: { min?: number; max?: number; exclusiveMin?: boolean } = {},
): number {
  const v = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  const range = `${opts.min !== undefined ? (opts.exclusiveMin ? `> ${opts.min}` : `>= ${opts.min}`) : ''}${
    opts.min !== undefined && opts.max !== undefined ? ' and ' : ''
  }${opts.max !== undefined ? `<= ${opts.max}` : ''}`;
  const expected = range ? `a number ${range}` : 'a finite number';
  if (!Number.isFinite(v)) throw optionError(name, expected, raw);
  if (opts.min !== undefined && (opts.exclusiveMin ? v <= opts.min : v < opts.min)) throw optionError(name, expected, raw);
  if (opts.max !== undefined && v > opts.max) throw optionError(name, expected, raw);
  return v;
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

/** Parses a byte size such as `512MB`, `2G` or `1048576` (binary units). */
export function parseSize(name: string, raw: unknown): number {
  const m = typeof raw === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(raw) : null;
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (typeof raw === 'number' && Number.isSafeInteger(Math.floor(raw)) && raw > 0) return Math.floor(raw);
  if (!m || unit === undefined) throw optionError(name, 'a size such as 512MB, 4GB or 1048576', raw);
  const v = Math.floor(Number(m[1]) * unit);
  if (!(v > 0)) throw optionError(name, 'a positive size', raw);
  // Past 2^53 bytes counts stop being exact, and the native side could not take them.
  if (!Number.isSafeInteger(v)) throw optionError(name, 'a size below 8PB', raw);
  return v;
}

/**
 * Parses a memory budget: a byte size (see {@link parseSize}) or a percentage of
 * `totalBytes` (physical memory) from 1% to 100%, e.g. `40%`.
 */
export function parseMemory(name: string, raw: unknown, totalBytes: number): number {
  if (typeof raw === 'string' && raw.trim().endsWith('%')) {
    const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(raw);
    const pct = m ? Number(m[1]) : NaN;
    if (!(pct >= 1 && pct <= 100)) throw optionError(name, 'a percentage of physical memory from 1% to 100%, or a size such as 8GB', raw);
    return Math.floor((totalBytes * pct) / 100);
  }
  return parseSize(name, raw);
}

/** Parses `a=1,b=2` (or repeated values) into an ordered map of numbers. */
export function parseNumberMap(name: string, raw: string | string[] | undefined): Map<string, number> {
  const out = new Map<string, number>();
  if (raw === undefined) return out;
  const items = (Array.isArray(raw) ? raw : [raw]).flatMap((s) => s.split(',')).filter((s) => s.trim() !== '');
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw optionError(name, 'NAME=VALUE pairs separated by commas', item);
    const key = item.slice(0, eq).trim();
    const value = parseNumber(`${name} ${key}`, item.slice(eq + 1).trim());
    if (out.has(key)) throw optionError(name, `each name once`, item);
    out.set(key, value);
  }
  return out;
}

/** Collects repeated option values (commander helper). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
