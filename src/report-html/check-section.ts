/** The check section: each domain's and metric's change against its tolerance, failures first. */
import type { CheckResult, CheckRow } from '../check/compare.js';
import { escapeHtml } from './escape.js';
import { finite, num, pct } from './format.js';
import { htmlTable, type Cell } from './html-table.js';
import type { Block, Section, Sourced } from './model.js';
import { BY_RANK, byField } from './ranks.js';

const VERDICTS = ['fail', 'missing', 'skip', 'pass'];
const VERDICT_COLORS = ['#d62728', '#ff7f0e', '#aaaaaa', '#2ca02c'];

/** change / allowed: the share of the tolerance used (|x| > 1 is beyond it), or null when not comparable. */
function used(row: CheckRow): number | null {
  const change = finite(row.change);
  const allowed = finite(row.tolerance?.allowed);
  if (change === null || allowed === null) return null;
  if (allowed === 0) return change === 0 ? 0 : null;
  return change / allowed;
}

/** Failures first (regressions, then other fails and missing), then by the share of the tolerance used. */
function order(rows: CheckRow[]): CheckRow[] {
  const rank = (r: CheckRow) => (r.regression ? 0 : 1 + Math.max(0, VERDICTS.indexOf(r.verdict)));
  return [...rows].sort((a, b) => rank(a) - rank(b) || Math.abs(used(b) ?? 0) - Math.abs(used(a) ?? 0));
}

/** Builds the check section of one check result. */
export function checkSection(input: Sourced<CheckResult>, index: number): Section {
  const c = input.doc;
  const s = c.summary;
  const intro = [
    `From <code>${escapeHtml(input.file)}</code>: <b class="${c.ok ? 'ok' : 'bad'}">${c.ok ? 'OK' : 'FAILED'}</b> — ${escapeHtml(num(s?.checks))} checks: ${escapeHtml(num(s?.pass))} pass, ${escapeHtml(num(s?.fail))} fail, ${escapeHtml(num(s?.missing))} missing, ${escapeHtml(num(s?.skip))} skipped; ${escapeHtml(num(s?.regressions))} regression(s).`,
  ];
  if (c.baseline?.file) intro.push(`Baseline <code>${escapeHtml(c.baseline.file)}</code>${c.current?.file ? `, current <code>${escapeHtml(c.current.file)}</code>` : ''}.`);
  if (c.sampled && c.current?.sample) {
    intro.push(
      `Sampled: the current analysis counted ${escapeHtml(num(100 * c.current.sample.fraction))}% of documents (seed ${escapeHtml(num(c.current.sample.seed))}) and was compared with the baseline's statistics of the same sample, like with like.`,
    );
  }
  const rows = order(c.rows ?? []);
  const domains: string[] = [];
  for (const r of rows) if (!domains.includes(r.domain)) domains.push(r.domain);
  const metrics = [...new Set((c.rows ?? []).map((r) => r.metric))];
  const blocks: Block[] = [];
  const failing = rows.filter((r) => r.regression && used(r) !== null);
  if (failing.length > 0) blocks.push(failingBars(failing));
  blocks.push(heatmap(rows, domains, metrics));
  if ((c.files ?? []).length > 0) {
    const fileRows = c.files.flatMap((f) => [
      ...f.added.map((p) => [f.domain, 'added', p]),
      ...f.removed.map((p) => [f.domain, 'removed', p]),
      ...f.changed.map((x) => [f.domain, 'changed', `${x.path} (${num(x.bytes?.[0])} → ${num(x.bytes?.[1])} bytes)`]),
    ]);
    blocks.push({ notes: ['Files that differ from the baseline (informational; they never fail the check):'], table: htmlTable(['domain', 'change', 'file'], fileRows) });
  }
  return { id: `check-${index}`, title: 'Check', intro, blocks };
}

function heatmap(rows: CheckRow[], domains: string[], metrics: string[]): Block {
  const values = rows.map((r) => {
    const u = used(r);
    return {
      domain: r.domain,
      rank: domains.indexOf(r.domain),
      metric: r.metric,
      metricRank: metrics.indexOf(r.metric),
      verdict: r.verdict,
      regression: r.regression,
      used: u,
      label: u === null ? (r.verdict === 'missing' ? '?' : '') : Math.abs(u) >= 100 ? u.toExponential(0) : Number(u.toPrecision(2)).toString(),
      reason: r.reason,
    };
  });
  const spec = {
    data: { values },
    width: { step: 70 },
    height: { step: 18 },
    encoding: {
      x: { field: 'metric', type: 'nominal', sort: byField('metricRank'), title: null, axis: { orient: 'top', labelAngle: -30 } },
      y: { field: 'domain', type: 'nominal', sort: BY_RANK, title: null },
    },
    layer: [
      {
        mark: { type: 'rect', tooltip: { content: 'data' }, stroke: 'white', strokeWidth: 1 },
        encoding: {
          color: { field: 'verdict', type: 'nominal', title: 'verdict', scale: { domain: VERDICTS, range: VERDICT_COLORS } },
          opacity: { condition: { test: 'datum.regression', value: 1 }, value: 0.55 },
        },
      },
      { mark: { type: 'text', fontSize: 10 }, encoding: { text: { field: 'label' } } },
    ],
  };
  const table = htmlTable(
    ['domain', 'metric', 'verdict', 'baseline', 'current', 'change', 'relative', 'allowed', 'direction', 'reason'],
    rows.map((r): Cell[] => [
      r.domain,
      r.metric,
      { text: r.verdict, cls: `v-${r.verdict}${r.regression ? ' regression' : ''}` },
      num(r.baseline, 6),
      num(r.current, 6),
      num(r.change, 4),
      pct(r.relChange, 3),
      num(r.tolerance?.allowed, 4),
      String(r.tolerance?.direction ?? '–'),
      r.reason ?? '',
    ]),
  );
  return {
    chart: {
      title: 'Verdict per domain and metric; each cell shows change / allowed change (beyond ±1 is outside the tolerance; ? = missing)',
      domains,
      spec,
    },
    table,
  };
}

function failingBars(rows: CheckRow[]): Block {
  const values = rows.map((r, i) => ({ row: `${r.domain} · ${r.metric}`, order: i, domain: r.domain, used: used(r), verdict: r.verdict }));
  const spec = {
    data: { values },
    width: 360,
    height: { step: 18 },
    layer: [
      {
        mark: { type: 'bar', tooltip: true },
        encoding: {
          y: { field: 'row', type: 'nominal', sort: byField('order'), title: null },
          x: { field: 'used', type: 'quantitative', title: 'change / allowed change' },
          color: { field: 'verdict', type: 'nominal', scale: { domain: VERDICTS, range: VERDICT_COLORS }, legend: null },
        },
      },
      { data: { values: [{ x: -1 }, { x: 1 }] }, mark: { type: 'rule', strokeDash: [4, 3] }, encoding: { x: { field: 'x', type: 'quantitative' } } },
    ],
  };
  return { chart: { title: 'Regressions: change against the tolerance (dashed lines at ±1)', domains: [...new Set(rows.map((r) => r.domain))], spec } };
}
