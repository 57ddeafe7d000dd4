/**
 * One error type for the whole project. Every failure a user can cause carries a
 * stable `code`, the file it concerns, and where known the byte offset or row.
 */

/** Stable error codes; tests and scripts may match on them. */
export type ErrorCode =
  | 'E_USAGE' // bad command line or option value
  | 'E_CONFIG' // bad config / domain specification
  | 'E_IO' // unreadable or unwritable path
  | 'E_FORMAT' // wrong magic, version, dtype, or inconsistent header
  | 'E_TRUNCATED' // file shorter than its header says
  | 'E_TOKEN_RANGE' // token id outside the vocabulary
  | 'E_EMPTY' // empty file or domain
  | 'E_STATE' // partial state missing, foreign, corrupt or from another configuration
  | 'E_SCHEMA' // a JSON input of the wrong schema
  | 'E_DATA' // invalid rows in tabular inputs (losses, mixtures)
  | 'E_INFEASIBLE' // optimisation bounds that admit no solution
  | 'E_NATIVE' // the native addon could not be loaded or failed unexpectedly
  | 'E_SLURM' // the Slurm tools failed
  | 'E_INTERRUPTED' // stopped by SIGINT, SIGTERM or SIGHUP; nothing written
  | 'E_BUSY' // another live bimix process holds the lock (its pid is named)
  | 'E_CHANGED' // an input file changed (size, mtime or content) while being read
  | 'E_NOMEM'; // an allocation failed (not an I/O error)

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
