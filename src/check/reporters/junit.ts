/** The JUnit XML reporter: one test suite per domain, one test case per domain × metric. */
import type { CheckResult, CheckRow } from '../compare.js';
import { changeCell, currentCell, num, toleranceCell } from './cells.js';

/** Escapes text for XML attribute values and character data (also drops characters XML 1.0 forbids). */
function xmlEscape(s: string): string {
  return s
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

function details(r: CheckRow): string {
  return `baseline ${num(r.baseline)}, current ${currentCell(r)}, change ${changeCell(r)}, tolerance ${toleranceCell(r)}: ${r.reason}`;
}

function testcase(r: CheckRow): string {
  const open = `    <testcase classname="${xmlEscape(`bimix.check.${r.domain}`)}" name="${xmlEscape(r.metric)}" time="0"`;
  if (r.regression) {
    const type = r.verdict === 'missing' ? 'missing' : 'regression';
    return `${open}>\n      <failure type="${type}" message="${xmlEscape(r.reason)}">${xmlEscape(details(r))}</failure>\n    </testcase>`;
  }
  if (r.verdict === 'skip' || r.verdict === 'missing') return `${open}>\n      <skipped message="${xmlEscape(r.reason)}"/>\n    </testcase>`;
  return `${open}/>`;
}

function counts(rows: CheckRow[]): string {
  const failures = rows.filter((r) => r.regression).length;
  const skipped = rows.filter((r) => !r.regression && (r.verdict === 'skip' || r.verdict === 'missing')).length;
  return `tests="${rows.length}" failures="${failures}" errors="0" skipped="${skipped}"`;
}

/** Renders a check result as JUnit XML (failures are regressions; skipped are non-comparable or allowed-missing rows). */
export function renderJunit(res: CheckResult): string {
  const domains: string[] = [];
  for (const r of res.rows) if (!domains.includes(r.domain)) domains.push(r.domain);
  const suites = domains.map((d) => {
    const rows = res.rows.filter((r) => r.domain === d);
    return `  <testsuite name="${xmlEscape(d)}" ${counts(rows)} time="0">\n${rows.map(testcase).join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="bimix check" ${counts(res.rows)} time="0">\n${suites.join('\n')}${suites.length ? '\n' : ''}</testsuites>\n`;
}
