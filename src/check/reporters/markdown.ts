/** The Markdown reporter: a headline and one table, fit for a job summary or a PR comment. */
import type { CheckResult } from '../compare.js';
import { changeCell, currentCell, fileNotes, headline, samplingNote, num, toleranceCell, verdictCell } from './cells.js';

/** Escapes a table cell (pipes, newlines). */
function mdCell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

const ICON: Record<string, string> = { pass: '✅', fail: '❌', missing: '⚠️', skip: '➖' };

/** Renders a check result as Markdown. */
export function renderMarkdown(res: CheckResult): string {
  const out: string[] = [];
  out.push(`### ${res.ok ? '✅' : '❌'} bimix check: ${headline(res)}`, '');
  out.push('| Domain | Metric | Baseline | Current | Change | Tolerance | Verdict | Note |');
  out.push('|:--|:--|--:|--:|--:|--:|:--|:--|');
  for (const r of res.rows) {
    const icon = r.verdict === 'missing' && r.regression ? '❌' : ICON[r.verdict];
    const cells = [r.domain, r.metric, num(r.baseline), currentCell(r), changeCell(r), toleranceCell(r), `${icon} ${verdictCell(r)}`, r.verdict === 'pass' ? '' : r.reason];
    out.push(`| ${cells.map(mdCell).join(' | ')} |`);
  }
  out.push('', `Entropies in ${res.base === '2' ? 'bits' : 'nats'}.`);
  const sampling = samplingNote(res);
  if (sampling) out.push('', `${sampling[0]!.toUpperCase()}${sampling.slice(1)}.`);
  const notes = fileNotes(res);
  if (notes.length) out.push('', ...notes.map((n) => `- ${mdCell(n)}`));
  return `${out.join('\n')}\n`;
}
