/** Number and table formatting shared by the text outputs (CLI tables, check reporters) and the HTML page. */

/** `v` rounded to `digits` significant digits, printed without binary noise (`0.1 + 0.2` → `0.3`). */
export function significant(v: number, digits: number): string {
  return Number(v.toPrecision(digits)).toString();
}

/** A number for a text table: integers in full, others with `digits` significant digits; absent or non-finite as `-`. */
export function formatNumber(v: number | undefined | null, digits = 6): string {
  if (v === undefined || v === null || !Number.isFinite(v)) return '-';
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  return significant(v, digits);
}

/**
 * Aligns rows into columns two spaces apart (the first row is the header, followed by a rule of
 * dashes when there are other rows, or always with `ruleAlways`); columns for which
 * `rightAligned(i)` holds are padded on the left.
 */
export function alignColumns(rows: string[][], rightAligned: (column: number) => boolean, ruleAlways = false): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  const lines = rows.map((r) => r.map((c, i) => (rightAligned(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  '));
  if (lines.length > 1 || ruleAlways) lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return lines;
}
