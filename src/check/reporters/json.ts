/** The JSON reporter: the check result as written (schema tag "bimix.check/1", `$schema` first). */
import { withSchemaRef } from '../../schemas/ids.js';
import type { CheckResult } from '../compare.js';

/** Renders a check result as pretty-printed JSON. */
export function renderJson(res: CheckResult): string {
  return `${JSON.stringify(withSchemaRef('check', res), null, 2)}\n`;
}
