/** Number formatting shared by the page's tables (charts format their own axes). */
import { significant } from '../util/format.js';

/** A number with `digits` significant digits; integers in full; null or non-finite as an en dash. */
export function num(v: unknown, digits = 5): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '–';
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return v.toLocaleString('en-US');
  return significant(v, digits);
}

/** A share in [0, 1] as a percentage with two decimals. */
export function pct(v: unknown, decimals = 2): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '–';
  return `${(100 * v).toFixed(decimals)}%`;
}

/** A finite number, or null (charts drop nulls rather than draw them as 0). */
export function finite(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** A two-number interval [low, high], or null when the input has none. */
export function interval(v: unknown): [number, number] | null {
  if (!Array.isArray(v) || v.length !== 2) return null;
  const [lo, hi] = v as unknown[];
  return finite(lo) !== null && finite(hi) !== null ? [lo as number, hi as number] : null;
}
