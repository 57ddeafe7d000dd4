/**
 * One error type for the whole project. Every failure a user can cause carries a
 * stable `code`, the file it concerns, and where known the byte offset or row.
 */

import type { ErrorCode } from './error-codes.js';

/** Stable error codes (the list lives in error-codes.ts, shared with the native addon). */
export type { ErrorCode };

/** Where an error happened, as precisely as known. */
export interface ErrorLocation {
  file?: string;
  offset?: number;
  row?: number;
  column?: string | number;
}

/** The error every bimix API throws for bad input; the CLI maps it to exit code 2. */
export class BimixError extends Error {
  readonly code: ErrorCode;
  readonly file?: string;
  readonly offset?: number;
  readonly row?: number;
  readonly column?: string | number;
  /** The message without the location prefix. */
  readonly detail: string;

  constructor(code: ErrorCode, message: string, where: ErrorLocation = {}) {
    super(formatMessage(message, where));
    this.name = 'BimixError';
    this.code = code;
    this.detail = message;
    this.file = where.file;
    this.offset = where.offset;
    this.row = where.row;
    this.column = where.column;
  }
}

function formatMessage(message: string, where: ErrorLocation): string {
  const parts: string[] = [];
  if (where.file !== undefined) parts.push(where.file);
  if (where.offset !== undefined) parts.push(`byte ${where.offset}`);
  if (where.row !== undefined) parts.push(`row ${where.row}`);
  if (where.column !== undefined) parts.push(`column ${where.column}`);
  return parts.length > 0 ? `${parts.join(', ')}: ${message}` : message;
}

/** True for errors raised by bimix itself (as opposed to bugs). */
export function isBimixError(e: unknown): e is BimixError {
  return e instanceof BimixError;
}

/** Shorthand for a usage error about one option: which option, what was expected, what was given. */
export function optionError(option: string, expected: string, given: unknown): BimixError {
  return new BimixError('E_USAGE', `${option}: expected ${expected}, got ${describe(given)}`);
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'nothing';
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
