/** The BimixError `fn` throws (any other error is rethrown; no error fails the test). */
import { BimixError } from '../src/errors.js';

export function errorOf(fn: () => unknown): BimixError {
  try {
    fn();
  } catch (e) {
    if (e instanceof BimixError) return e;
    throw e;
  }
  throw new Error('expected a BimixError, none was thrown');
}
