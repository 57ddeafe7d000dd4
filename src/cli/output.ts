import { writeFileAtomic } from '../util/atomic-write.js';
import { throwIfProcessStopping } from '../util/stop-request.js';
import { alignColumns, formatNumber } from '../util/format.js';

/** Prints a result: JSON on stdout when asked, otherwise the human text. */
export function printResult(json: boolean, value: unknown, text: () => string): void {
  throwIfProcessStopping();
  if (json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  else process.stdout.write(text());
}

/** Writes a JSON document atomically with a trailing newline. */
export async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Writes `value` as JSON to `file` (atomically) and says so on stderr unless quiet: the `--out` of predict, optimize and grow. */
export async function writeJsonOut(file: string, value: unknown, quiet: boolean | undefined): Promise<void> {
  await writeJson(file, value);
  log(quiet, `bimix: wrote ${file}`);
}

/** Logs a line to stderr unless quiet. */
export function log(quiet: boolean | undefined, line: string): void {
  if (!quiet) process.stderr.write(`${line}\n`);
}

/** Formats a number with a fixed number of significant digits, for tables. */
export const fmt = formatNumber;

/** Renders rows as an aligned text table (first row is the header; the first column left-aligned, the others right-aligned). */
export function table(rows: string[][]): string {
  return `${alignColumns(rows, (i) => i > 0).join('\n')}\n`;
}
