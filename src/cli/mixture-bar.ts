/**
 * The mixture as a bar column for terminal tables: a percentage with two decimals and a bar of
 * Unicode block characters (eighths), scaled so a full bar is 100%. Plain text, never colour, so
 * it reads the same on a terminal, in a pipe and in a CI log.
 */

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** Characters of a full (100%) bar. */
const BAR_WIDTH = 20;

/** A bar of `share` (0..1) in `width` characters, padded with spaces to `width`. */
export function shareBar(share: number | null | undefined, width = BAR_WIDTH): string {
  if (typeof share !== 'number' || !Number.isFinite(share)) return ' '.repeat(width);
  const eighths = Math.round(Math.min(1, Math.max(0, share)) * width * 8);
  const bar = '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8]!;
  return bar.padEnd(width);
}

/** "27.80%" (always two decimals, padded to 7 characters), or "-" when absent. */
function sharePercent(share: number | null | undefined): string {
  if (typeof share !== 'number' || !Number.isFinite(share)) return '-'.padStart(7);
  return `${(100 * share).toFixed(2)}%`.padStart(7);
}

/** One table cell: percentage then bar, every cell the same width. */
export function mixtureCell(share: number | null | undefined, width = BAR_WIDTH): string {
  return `${sharePercent(share)} ${shareBar(share, width)}`;
}

/**
 * The mixture as lines "  name  27.80% █████▌", names padded to the longest; with `intervals`
 * (sampled mode) each line ends with the proportion's interval, "(25.1%..30.2%)".
 */
export function mixtureLines(proportions: Record<string, number>, indent = '', intervals?: Record<string, [number, number]>): string {
  const names = Object.keys(proportions);
  const w = Math.max(16, ...names.map((n) => n.length));
  return names
    .map((n) => {
      const iv = intervals?.[n];
      const tail = iv ? ` (${(100 * iv[0]).toFixed(1)}%..${(100 * iv[1]).toFixed(1)}%)` : '';
      return `${indent}${n.padEnd(w)} ${mixtureCell(proportions[n])}${tail}`.trimEnd() + '\n';
    })
    .join('');
}
