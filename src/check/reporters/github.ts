/**
 * The GitHub Actions reporter: workflow commands. `::error` per regression, `::warning` per
 * allowed missing domain, one `::notice` with the summary.
 * https://docs.github.com/actions/reference/workflow-commands-for-github-actions
 */
import type { CheckResult, CheckRow } from '../compare.js';
import { changeCell, currentCell, headline, num, toleranceCell } from './cells.js';

/** Escapes a workflow command's message. */
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a workflow command's property value (also `:` and `,`). */
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function command(kind: 'error' | 'warning' | 'notice', props: Record<string, string | undefined>, message: string): string {
  const p = Object.entries(props)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${escapeProperty(v)}`)
    .join(',');
  return `::${kind}${p ? ` ${p}` : ''}::${escapeData(message)}`;
}

function message(r: CheckRow): string {
  return `${r.reason} (baseline ${num(r.baseline)}, current ${currentCell(r)}, change ${changeCell(r)}, tolerance ${toleranceCell(r)})`;
}

/** Renders a check result as GitHub workflow annotations, anchored on the baseline file. */
export function renderGithub(res: CheckResult, opts: { file?: string } = {}): string {
  const file = opts.file ?? res.baseline.file;
  const lines: string[] = [];
  for (const r of res.rows) {
    if (r.regression) lines.push(command('error', { file, title: `bimix check: ${r.domain} ${r.metric} ${r.verdict === 'missing' ? 'missing' : 'regressed'}` }, message(r)));
    else if (r.verdict === 'missing') lines.push(command('warning', { file, title: `bimix check: ${r.domain} ${r.metric} missing` }, r.reason));
  }
  lines.push(command('notice', { file, title: 'bimix check' }, headline(res)));
  return `${lines.join('\n')}\n`;
}
