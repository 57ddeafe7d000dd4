/** The text reporter: an aligned table of every row, then a headline. */
import type { CheckResult } from '../compare.js';
import { alignColumns } from '../../util/format.js';
import { changeCell, currentCell, fileNotes, headline, samplingNote, num, toleranceCell, verdictCell } from './cells.js';

/** Renders a check result as a table with baseline, current, change, tolerance and verdict per row. */
export function renderText(res: CheckResult): string {
  const header = ['domain', 'metric', 'baseline', 'current', 'change', 'tolerance', 'verdict', 'note'];
  const rows = res.rows.map((r) => [r.domain, r.metric, num(r.baseline), currentCell(r), changeCell(r), toleranceCell(r), verdictCell(r), r.verdict === 'pass' ? '' : r.reason]);
  const right = [false, false, true, true, true, true, false, false];
  const lines = alignColumns([header, ...rows], (i) => right[i]!, true).map((l) => l.trimEnd());
  const unit = res.base === '2' ? 'bits' : 'nats';
  const out = [...lines, '', `entropies in ${unit}`];
  const sampling = samplingNote(res);
  if (sampling) out.push(sampling);
  for (const n of fileNotes(res)) out.push(`note: ${n}`);
  out.push(`bimix check: ${headline(res)}`);
  return `${out.join('\n')}\n`;
}
