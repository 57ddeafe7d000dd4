/** Cell formatting shared by the human-readable reporters. */
import type { CheckResult, CheckRow } from '../compare.js';
import { formatNumber } from '../../util/format.js';

/** A number with up to `digits` significant digits; integers stay exact. */
export const num = formatNumber;

function signed(v: number, digits = 4): string {
  return `${v > 0 ? '+' : ''}${num(v, digits)}`;
}

/** A relative change as a signed percentage. */
export function percent(rel: number, digits = 3): string {
  return `${rel > 0 ? '+' : ''}${String(Number((100 * rel).toPrecision(digits)))}%`;
}

/** The current value. */
export function currentCell(r: CheckRow): string {
  return num(r.current);
}

/** `-0.0123 (-1.2%)`, or `-` when either side is absent. */
export function changeCell(r: CheckRow): string {
  if (r.change === null) return '-';
  if (r.change === 0) return '0';
  return r.relChange !== null ? `${signed(r.change)} (${percent(r.relChange)})` : signed(r.change);
}

/** `±1%`, `-2%` (only a fall counts), `+10%` (only a rise counts), with `+atol` when set. */
export function toleranceCell(r: CheckRow): string {
  const t = r.tolerance;
  const sign = t.direction === 'both' ? '±' : t.direction === 'decrease' ? '-' : '+';
  const parts: string[] = [];
  if (t.rtol > 0 || t.atol === 0) parts.push(`${String(Number((100 * t.rtol).toPrecision(3)))}%`);
  if (t.atol > 0) parts.push(num(t.atol, 4));
  return `${sign}${parts.join('+')}`;
}

/** The verdict word: PASS, FAIL, MISSING, missing (allowed), skip. */
export function verdictCell(r: CheckRow): string {
  if (r.verdict === 'missing') return r.regression ? 'MISSING' : 'missing (allowed)';
  if (r.verdict === 'skip') return 'skip';
  return r.verdict === 'fail' ? 'FAIL' : 'pass';
}

/** One line: `40 checks: 38 pass, 2 fail, 0 missing, 0 skipped`. */
function summaryLine(res: CheckResult): string {
  const s = res.summary;
  return `${s.checks} checks: ${s.pass} pass, ${s.fail} fail, ${s.missing} missing, ${s.skip} skipped`;
}

/** A headline: OK or the number of regressions. */
export function headline(res: CheckResult): string {
  return res.ok ? `OK, all within tolerance (${summaryLine(res)})` : `${res.summary.regressions} regression${res.summary.regressions === 1 ? '' : 's'} (${summaryLine(res)})`;
}

/** Human lines about files that changed since the baseline. */
export function fileNotes(res: CheckResult): string[] {
  return res.files.map((f) => {
    const parts: string[] = [];
    if (f.added.length) parts.push(`${f.added.length} added`);
    if (f.removed.length) parts.push(`${f.removed.length} removed`);
    if (f.changed.length) parts.push(`${f.changed.length} changed`);
    return `${f.domain}: files ${parts.join(', ')} since the baseline`;
  });
}

/** Sampled mode, in words: what the sample was compared with. */
export function samplingNote(res: CheckResult): string | undefined {
  if (!res.sampled || !res.current.sample) return undefined;
  const { fraction, seed } = res.current.sample;
  return `sampled analysis (fraction ${fraction}, seed ${seed}): compared with the baseline's statistics of the same sample`;
}
