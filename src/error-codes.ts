/**
 * The one list of bimix error codes, shared by TypeScript and the native addon.
 * `native/common/error_codes.h` is generated from this table by
 * `node scripts/gen-error-codes.mjs`; a test fails when the two disagree.
 * Keep one entry per line in the form `E_NAME: 'description',` (the generator reads it).
 */
export const ERROR_CODES = {
  E_USAGE: 'bad command line or option value',
  E_CONFIG: 'bad config / domain specification',
  E_IO: 'unreadable or unwritable path',
  E_FORMAT: 'wrong magic, version, dtype, or inconsistent header',
  E_TRUNCATED: 'file shorter than its header says',
  E_TOKEN_RANGE: 'token id outside the vocabulary',
  E_EMPTY: 'empty file or domain',
  E_STATE: 'partial state missing, foreign, corrupt or from another configuration',
  E_SCHEMA: 'a JSON input of the wrong schema',
  E_DATA: 'invalid rows in tabular inputs (losses, mixtures)',
  E_INFEASIBLE: 'optimisation bounds that admit no solution',
  E_NATIVE: 'the native addon could not be loaded or failed unexpectedly',
  E_SLURM: 'the Slurm tools failed',
  E_INTERRUPTED: 'stopped by SIGINT, SIGTERM or SIGHUP; nothing written',
  E_BUSY: 'another live bimix process holds the lock (its pid is named)',
  E_CHANGED: 'an input file changed (size, mtime or content) while being read',
  E_NOMEM: 'an allocation failed (not an I/O error)',
  E_NO_XGBOOST: 'the XGBoost library the regression law needs could not be loaded',
} as const;

/** Stable error codes; tests and scripts may match on them. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** True when `s` is one of {@link ERROR_CODES}. */
export function isErrorCode(s: unknown): s is ErrorCode {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, s);
}
