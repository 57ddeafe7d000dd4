import { writeFileAtomic } from '../util/atomic-write.js';
import { throwIfProcessStopping } from '../util/stop-request.js';

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
export function fmt(v: number | undefined | null, digits = 6): string {
  if (v === undefined || v === null || !Number.isFinite(v)) return '-';
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  return Number(v.toPrecision(digits)).toString();
}

/** Renders rows as an aligned text table (first row is the header). */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  const lines = rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
  if (lines.length > 1) lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return `${lines.join('\n')}\n`;
}
