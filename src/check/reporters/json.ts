/** The JSON reporter: the check result as written (schema "bimix.check/1"). */
import type { CheckResult } from '../compare.js';

/** Renders a check result as pretty-printed JSON. */
export function renderJson(res: CheckResult): string {
  return `${JSON.stringify(res, null, 2)}\n`;
}
