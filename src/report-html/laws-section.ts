/**
 * The laws section: per-domain fit and held-out scores, the fitted loss against the domain's own
 * share (with observed points when the loss data is given), observed vs predicted, the comparison
 * of laws, and the optimizer's result.
 */
import type { LossData } from '../laws/data.js';
import type { BimixParams, ExpParams, LawReport, RegressionParams, TransferParams } from '../laws/law-types.js';
import type { OptimizeResult } from '../laws/optimize.js';
import { predictDomain, predictDomainRows } from '../laws/registry.js';
import { escapeHtml } from './escape.js';
import { finite, num, pct } from './format.js';
import { htmlTable, type Cell } from './html-table.js';
import type { Block, ReportInputs, Section, Sourced } from './model.js';
import { BY_RANK, withRank } from './ranks.js';

/** Shares at which the fitted curves are drawn. */
const SHARES = [0.01, 0.02, 0.03, 0.05, 0.075, ...Array.from({ length: 19 }, (_, i) => (i + 2) / 20)];

/** Builds the laws section, or null when no law, comparison or optimizer result is given. */
export function lawsSection(inputs: ReportInputs): Section | null {
  const laws: Sourced<LawReport>[] = [...inputs.laws];
  for (const c of inputs.comparisons) for (const l of c.doc.laws) if (!('error' in l)) laws.push({ file: c.file, doc: l });
  if (laws.length === 0 && inputs.optimizations.length === 0) return null;
  const steps = curveSteps(inputs);
  const intro: string[] = [];
  const blocks: Block[] = [];
  for (const c of inputs.comparisons) {
    for (const l of c.doc.laws) if ('error' in l) intro.push(`The ${escapeHtml(l.law)} law was not fitted: ${escapeHtml(l.error.code)}: ${escapeHtml(l.error.message)}`);
  }
  for (const law of laws) blocks.push(...lawBlocks(law, inputs.lossData, steps));
  const cmp = comparisonBlock(inputs, laws);
  if (cmp) blocks.push(cmp);
  for (const o of inputs.optimizations) blocks.push(optimizerBlock(o));
  return { id: 'laws', title: 'Mixing laws', intro, blocks };
}

/** The step the curves are drawn at: asked for, else the data's last step, else the optimizer's, else s → ∞. */
function curveSteps(inputs: ReportInputs): { value: number; label: string } {
  if (inputs.steps !== undefined) return { value: inputs.steps, label: `${num(inputs.steps)} steps` };
  if (inputs.lossData && inputs.lossData.observations.length > 0) {
    const last = Math.max(...inputs.lossData.observations.map((o) => o.step));
    return { value: last, label: `${num(last)} ${inputs.lossData.stepUnit} (the data's last step)` };
  }
  const opt = inputs.optimizations[0];
  if (opt) return { value: opt.doc.steps, label: `${num(opt.doc.steps)} steps (the optimizer's target)` };
  return { value: Infinity, label: 's → ∞ (no step given: pass --steps)' };
}

function lawTitle(l: Sourced<LawReport>): string {
  return `${l.doc.law} law`;
}

function lawBlocks(l: Sourced<LawReport>, data: LossData | undefined, steps: { value: number; label: string }): Block[] {
  const law = l.doc;
  const names = law.domains.map((d) => d.name);
  const blocks: Block[] = [];
  const notes = [
    `<b>${escapeHtml(lawTitle(l))}</b> from <code>${escapeHtml(l.file)}</code>: ${escapeHtml(num(law.runs))} run(s), ${law.domains.length} domain(s), step unit ${escapeHtml(String(law.stepUnit))}. Normalisation: ${escapeHtml(String(law.normalisation))}.`,
  ];
  for (const w of law.warnings ?? []) notes.push(`Warning: ${escapeHtml(w)}`);
  const hasCvPoints = law.domains.some((d) => Array.isArray((d.holdout as unknown as Record<string, unknown> | undefined)?.predictions));
  if (!hasCvPoints) {
    notes.push(
      law.holdout
        ? `The law file keeps the held-out <em>scores</em> (protocol ${escapeHtml(law.holdout.protocol)}), not the held-out predictions, so observed vs predicted under cross-validation is not drawn; the scores are below.`
        : 'The law was fitted without a holdout (no <code>--holdout</code>): there are no held-out scores or predictions to show.',
    );
  }
  // Scores per domain: in-sample fit and held-out.
  const scoreValues = law.domains.flatMap((d) => [
    { domain: d.name, score: 'fit (in-sample)', mre: finite(d.fit?.mre) },
    ...(d.holdout ? [{ domain: d.name, score: `held-out (${d.holdout.protocol})`, mre: finite(d.holdout.mre) }] : []),
  ]).filter((v) => v.mre !== null);
  blocks.push({
    notes,
    chart: {
      title: `${lawTitle(l)}: mean relative error per domain`,
      domains: names,
      spec: {
        data: { values: withRank(scoreValues, names) },
        width: 320,
        height: { step: law.domains.some((d) => d.holdout) ? 10 : 16 },
        mark: { type: 'bar', tooltip: true },
        encoding: {
          y: { field: 'domain', type: 'nominal', sort: BY_RANK, title: null },
          yOffset: { field: 'score', type: 'nominal' },
          x: { field: 'mre', type: 'quantitative', title: 'mean relative error', axis: { format: '.2%' } },
          color: { field: 'score', type: 'nominal', title: null, legend: { orient: 'bottom' } },
        },
      },
    },
    table: htmlTable(
      ['domain', 'points', 'excluded', ...paramHeads(law), 'fit R²(log)', 'fit MRE', 'held-out R²(log)', 'held-out MRE', 'unscored'],
      law.domains.map((d) => [
        d.name,
        num(d.points),
        num(d.excluded),
        ...paramCells(law, d.name, d.params),
        num(d.fit?.r2Log),
        pct(d.fit?.mre, 3),
        num(d.holdout?.r2Log),
        pct(d.holdout?.mre, 3),
        num(d.holdout?.unscored),
      ]),
    ),
  });
  blocks.push(curveBlock(l, data, steps));
  if (data) {
    const scatter = observedVsPredicted(l, data);
    if (scatter) blocks.push(scatter);
  }
  return blocks;
}

function paramHeads(law: LawReport): string[] {
  if (law.law === 'exp') return ['c', 'k', 't (own)'];
  if (law.law === 'regression') return ['trees', 'base score'];
  return law.law === 'transfer' || law.law === 'interaction' ? ['alpha', 'beta', 'b', 'c', 'largest tau'] : ['alpha', 'beta', 'b', 'c'];
}

function paramCells(law: LawReport, name: string, params: unknown): string[] {
  if (law.law === 'exp') {
    const p = params as ExpParams;
    return [num(p.c), num(p.k), num(p.t?.[name])];
  }
  if (law.law === 'regression') {
    const p = params as RegressionParams;
    return [num(p.trees), num(Number(p.baseScore))];
  }
  const p = params as BimixParams;
  const cells = [num(p.alpha), num(p.beta), num(p.b), num(p.c)];
  if (law.law === 'transfer' || law.law === 'interaction') {
    const top = Object.entries((params as TransferParams).tau ?? {}).sort((a, b) => b[1] - a[1])[0];
    cells.push(top ? `${num(top[1], 3)} (${top[0]})` : '–');
  }
  return cells;
}

/** A mixture vector in the law's order: `own` for domain `name`, the rest split evenly. */
function ownShareMixture(order: readonly string[], name: string, own: number): number[] {
  const others = order.length - 1;
  return order.map((d) => (d === name ? own : others > 0 ? (1 - own) / others : 0));
}

function curveBlock(l: Sourced<LawReport>, data: LossData | undefined, steps: { value: number; label: string }): Block {
  const law = l.doc;
  const values: Record<string, unknown>[] = [];
  for (const d of law.domains) {
    for (const r of SHARES) {
      const loss = predictDomain(law.law, d.params, d.name, law.domainOrder, ownShareMixture(law.domainOrder, d.name, r), steps.value);
      if (Number.isFinite(loss)) values.push({ domain: d.name, share: r, loss, kind: 'law' });
    }
  }
  let observed = 0;
  if (data && Number.isFinite(steps.value)) {
    for (const o of data.observations) {
      const name = data.domains[o.domainIndex]!;
      if (o.step !== steps.value || !law.domains.some((d) => d.name === name)) continue;
      values.push({ domain: name, share: data.mixtures[o.runIndex]![o.domainIndex], loss: o.loss, kind: 'observed', run: data.runs[o.runIndex] });
      observed++;
    }
  }
  const names = law.domains.map((d) => d.name);
  const columns = Math.min(names.length > 12 ? 6 : 4, names.length);
  const notes = [`Fitted loss of each domain against its own share at ${escapeHtml(steps.label)}${law.law === 'bimix' ? '' : '; the other domains share the rest evenly'}.${observed > 0 ? ` Dots: ${observed} observed losses at that step.` : ' No observed losses drawn (give the loss data with --losses to add them).'}`];
  return {
    notes,
    chart: {
      title: `${lawTitle(l)}: loss vs own share`,
      domains: names,
      spec: {
        data: { values: withRank(values as { domain: string }[], names) },
        facet: { field: 'domain', type: 'nominal', sort: BY_RANK, title: null },
        columns,
        spec: {
          width: names.length > 12 ? 130 : 170,
          height: names.length > 12 ? 90 : 120,
          layer: [
            {
              transform: [{ filter: { field: 'kind', equal: 'law' } }],
              mark: { type: 'line', color: '#4c78a8', tooltip: true },
              encoding: {
                // Few ticks and no grid: with dozens of panels the axes are most of the drawing.
                x: { field: 'share', type: 'quantitative', title: 'own share', scale: { domain: [0, 1] }, axis: { format: '.0%', values: [0, 0.5, 1], grid: false } },
                y: { field: 'loss', type: 'quantitative', scale: { zero: false }, title: names.length > 12 ? null : 'loss', axis: { tickCount: 3, grid: false } },
                // One line per facet: name its domain for screen readers (and tests).
                description: { field: 'domain', type: 'nominal' },
              },
            },
            {
              transform: [{ filter: { field: 'kind', equal: 'observed' } }],
              mark: { type: 'point', filled: true, size: 24, color: '#e45756', tooltip: true },
              encoding: { x: { field: 'share', type: 'quantitative' }, y: { field: 'loss', type: 'quantitative' } },
            },
          ],
        },
        resolve: { scale: { y: 'independent' } },
      },
    },
  };
}

function observedVsPredicted(l: Sourced<LawReport>, data: LossData): Block | null {
  const law = l.doc;
  const values: Record<string, unknown>[] = [];
  const mixOf = (o: LossData['observations'][number]): number[] => {
    const byName: Record<string, number> = {};
    data.domains.forEach((n, j) => (byName[n] = data.mixtures[o.runIndex]![j]!));
    return law.domainOrder.map((n) => byName[n] ?? 0);
  };
  // One batch per domain (a tree model is loaded once, not once per point).
  const predictedAt = new Map<LossData['observations'][number], number>();
  for (const d of law.domains) {
    const obs = data.observations.filter((o) => data.domains[o.domainIndex] === d.name);
    const pred = predictDomainRows(law.law, d.params, d.name, law.domainOrder, obs.map(mixOf), obs.map((o) => o.step));
    obs.forEach((o, i) => predictedAt.set(o, pred[i]!));
  }
  for (const o of data.observations) {
    const name = data.domains[o.domainIndex]!;
    const predicted = predictedAt.get(o);
    if (predicted !== undefined && Number.isFinite(predicted)) values.push({ domain: name, observed: o.loss, predicted, run: data.runs[o.runIndex], step: o.step });
  }
  if (values.length === 0) return null;
  const all = values.flatMap((v) => [v.observed as number, v.predicted as number]);
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const names = law.domains.map((d) => d.name);
  return {
    notes: ['Observed vs predicted <em>in sample</em> (the law predicting the points it was fitted on; held-out predictions are not kept in the law file). Points on the diagonal are predicted exactly.'],
    chart: {
      title: `${lawTitle(l)}: observed vs predicted loss (in-sample)`,
      domains: names.filter((n) => values.some((v) => v.domain === n)),
      spec: {
        width: 320,
        height: 320,
        layer: [
          {
            data: { values: [{ v: lo }, { v: hi }] },
            mark: { type: 'line', color: '#999', strokeDash: [4, 3] },
            encoding: { x: { field: 'v', type: 'quantitative' }, y: { field: 'v', type: 'quantitative' } },
          },
          {
            data: { values },
            mark: { type: 'point', filled: true, size: 20, opacity: 0.7, tooltip: true },
            encoding: {
              x: { field: 'observed', type: 'quantitative', scale: { zero: false }, title: 'observed loss' },
              y: { field: 'predicted', type: 'quantitative', scale: { zero: false }, title: 'predicted loss' },
              color: { field: 'domain', type: 'nominal', ...(names.length > 12 ? { legend: null } : {}) },
            },
          },
        ],
      },
    },
  };
}

function comparisonBlock(inputs: ReportInputs, laws: Sourced<LawReport>[]): Block | null {
  const cmp = inputs.comparisons.find((c) => c.doc.comparison)?.doc.comparison;
  let values: { domain: string; law: string; mre: number }[] = [];
  const notes: string[] = [];
  let table: string;
  if (cmp) {
    values = cmp.domains.flatMap((d) => Object.entries(d.mre).filter(([, v]) => finite(v) !== null).map(([law, v]) => ({ domain: d.name, law, mre: v as number })));
    notes.push(`Like-for-like comparison (${escapeHtml(cmp.protocol)}) on the ${escapeHtml(num(cmp.points))} held-out points every law could predict.`);
    const names = cmp.laws.map((x) => x.law);
    table = htmlTable(
      ['law', 'held-out MRE', 'RMSE', 'mean R²(log)'],
      [...cmp.laws].sort((a, b) => (a.mre ?? Infinity) - (b.mre ?? Infinity)).map((x): Cell[] => [x.law, pct(x.mre, 3), num(x.rmse, 4), num(x.r2Log)]),
    ) + htmlTable(['domain', 'points', ...names.map((n) => `${n} MRE`)], cmp.domains.map((d) => [d.name, num(d.points), ...names.map((n) => pct(d.mre[n], 3))]));
  } else {
    const held = laws.filter((l) => l.doc.holdout);
    if (held.length < 2) return null;
    values = held.flatMap((l) => l.doc.domains.filter((d) => finite(d.holdout?.mre) !== null).map((d) => ({ domain: d.name, law: l.doc.law, mre: d.holdout!.mre! })));
    notes.push('Held-out errors of each law file as written; the laws may have been scored on different points (use <code>bimix fit --law all</code> for a like-for-like comparison).');
    table = htmlTable(
      ['law', 'file', 'protocol', 'held-out MRE', 'RMSE', 'mean R²(log)', 'points'],
      held.map((l) => [l.doc.law, l.file, l.doc.holdout!.protocol, pct(l.doc.holdout!.mre, 3), num(l.doc.holdout!.rmse, 4), num(l.doc.holdout!.r2Log), num(l.doc.holdout!.points)]),
    );
  }
  const domains = [...new Set(values.map((v) => v.domain))];
  return {
    notes,
    chart: {
      title: 'Comparison of laws: held-out mean relative error per domain',
      domains,
      spec: {
        data: { values: withRank(values, domains) },
        width: 320,
        height: { step: 10 },
        mark: { type: 'bar', tooltip: true },
        encoding: {
          y: { field: 'domain', type: 'nominal', sort: BY_RANK, title: null },
          yOffset: { field: 'law', type: 'nominal' },
          x: { field: 'mre', type: 'quantitative', title: 'held-out MRE', axis: { format: '.1%' } },
          color: { field: 'law', type: 'nominal', legend: { orient: 'bottom' } },
        },
      },
    },
    table,
  };
}

function optimizerBlock(o: Sourced<OptimizeResult>): Block {
  const r = o.doc;
  const ref = r.reference;
  const notes = [
    `Optimizer (${escapeHtml(r.law)} law, <code>${escapeHtml(o.file)}</code>) at ${escapeHtml(num(r.steps))} steps: weighted predicted loss ${escapeHtml(num(r.weightedLoss, 7))}${ref ? `; reference ${escapeHtml(num(ref.weightedLoss, 7))}, predicted gain ${escapeHtml(num(ref.gain, 5))}` : ''}.`,
    ...(r.warnings ?? []).map((w) => `Warning: ${escapeHtml(w)}`),
  ];
  const values = r.domains.flatMap((d) => [
    { domain: d.name, mixture: 'optimizer', loss: finite(d.loss) },
    ...(ref ? [{ domain: d.name, mixture: 'reference', loss: finite(ref.domains.find((x) => x.name === d.name)?.loss) }] : []),
  ]).filter((v) => v.loss !== null);
  const names = r.domains.map((d) => d.name);
  return {
    notes,
    chart: {
      title: 'Predicted loss per domain: optimizer vs reference',
      domains: names,
      spec: {
        data: { values: withRank(values, names) },
        width: 320,
        height: { step: ref ? 10 : 16 },
        mark: { type: 'bar', tooltip: true },
        encoding: {
          y: { field: 'domain', type: 'nominal', sort: BY_RANK, title: null },
          yOffset: { field: 'mixture', type: 'nominal' },
          x: { field: 'loss', type: 'quantitative', title: 'predicted loss' },
          color: { field: 'mixture', type: 'nominal', legend: { orient: 'bottom' } },
        },
      },
    },
    table: htmlTable(
      ['domain', 'share', 'min', 'max', 'weight', 'loss', ...(ref ? ['ref share', 'ref loss'] : [])],
      r.domains.map((d) => [
        d.name,
        pct(d.proportion),
        pct(d.min),
        pct(d.max),
        num(d.weight),
        num(d.loss, 6),
        ...(ref ? [pct(ref.proportions[d.name]), num(ref.domains.find((x) => x.name === d.name)?.loss, 6)] : []),
      ]),
    ),
  };
}
