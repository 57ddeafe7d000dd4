/**
 * Validation of hand-written or foreign JSON documents, with errors that name the
 * file and the JSON path of the offending value (`$.metrics.tokens.rtol`).
 */
import { BimixError, type ErrorCode } from '../errors.js';

/** Where a value sits: the file it came from and its JSON path. */
export interface JsonWhere {
  file?: string;
  path: string;
}

/** The path of a child: `$.a` + `b` → `$.a.b`, `$.a` + 0 → `$.a[0]`; odd keys are quoted. */
export function child(where: JsonWhere, key: string | number): JsonWhere {
  if (typeof key === 'number') return { ...where, path: `${where.path}[${key}]` };
  return { ...where, path: /^[A-Za-z_$][\w$]*$/.test(key) ? `${where.path}.${key}` : `${where.path}[${JSON.stringify(key)}]` };
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  return JSON.stringify(v);
}

/** An error about the value at `where`: what was expected and what was found. */
export function jsonError(code: ErrorCode, where: JsonWhere, expected: string, given: unknown): BimixError {
  return new BimixError(code, `${where.path}: expected ${expected}, got ${show(given)}`, where.file !== undefined ? { file: where.file } : {});
}

/** Asserts a plain object (not null, not an array). */
export function expectObject(v: unknown, where: JsonWhere, code: ErrorCode = 'E_SCHEMA'): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw jsonError(code, where, 'an object', v);
  return v as Record<string, unknown>;
}

/** Asserts an array. */
export function expectArray(v: unknown, where: JsonWhere, code: ErrorCode = 'E_SCHEMA'): unknown[] {
  if (!Array.isArray(v)) throw jsonError(code, where, 'an array', v);
  return v;
}

/** Asserts a non-empty string. */
export function expectString(v: unknown, where: JsonWhere, code: ErrorCode = 'E_SCHEMA'): string {
  if (typeof v !== 'string' || v === '') throw jsonError(code, where, 'a non-empty string', v);
  return v;
}

/** Asserts a finite number, optionally >= min. */
export function expectNumber(v: unknown, where: JsonWhere, opts: { min?: number; code?: ErrorCode } = {}): number {
  const ok = typeof v === 'number' && Number.isFinite(v) && (opts.min === undefined || v >= opts.min);
  if (!ok) throw jsonError(opts.code ?? 'E_SCHEMA', where, opts.min === undefined ? 'a finite number' : `a number >= ${opts.min}`, v);
  return v as number;
}

/** Asserts a boolean. */
export function expectBoolean(v: unknown, where: JsonWhere, code: ErrorCode = 'E_SCHEMA'): boolean {
  if (typeof v !== 'boolean') throw jsonError(code, where, 'true or false', v);
  return v;
}

/** Rejects keys outside `allowed` (catches typos such as "rtoll"). */
export function expectKeys(obj: Record<string, unknown>, allowed: readonly string[], where: JsonWhere, code: ErrorCode = 'E_SCHEMA'): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) {
      throw new BimixError(code, `${child(where, k).path}: unknown key (expected one of ${allowed.join(', ')})`, where.file !== undefined ? { file: where.file } : {});
    }
  }
}
