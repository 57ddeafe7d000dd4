/** The mixture section: the entropy-driven mixture, its bounds, a reference mixture and optimizer picks, side by side. */
import path from 'node:path';
import { escapeHtml } from './escape.js';
import { finite, num, pct } from './format.js';
import { htmlTable } from './html-table.js';
import type { ReportInputs, Section } from './model.js';
import { BY_RANK, byField, withRank } from './ranks.js';

interface Series {
  label: string;
  proportions: Record<string, number>;
}

/** Builds the mixture section, or null when no input holds a mixture. */
export function mixtureSection(inputs: ReportInputs): Section | null {
  const series: Series[] = [];
  const bounds: { domain: string; bound: string; value: number; source: string }[] = [];
  const intro: string[] = [];
  const multi = inputs.analyses.length > 1;
  inputs.analyses.forEach(({ file, doc }) => {
    const m = doc.mixture;
    if (!m || typeof m.proportions !== 'object') return;
    const label = `entropy mixture${multi ? ` (${path.basename(file)})` : ''}`;
    series.push({ label, proportions: m.proportions });
    intro.push(
      `<b>${escapeHtml(label)}</b>: softmax of the ${escapeHtml(String(m.proxy))} entropy at temperature ${escapeHtml(num(m.temperature))}${m.bounds ? ', with bounds' : ''}.`,
    );
    for (const [bound, map] of [['min', m.bounds?.min], ['max', m.bounds?.max]] as const) {
      for (const [domain, value] of Object.entries(map ?? {})) if (finite(value) !== null) bounds.push({ domain, bound, value, source: label });
    }
  });
  if (inputs.reference) {
    series.push({ label: 'reference', proportions: inputs.reference.doc });
    intro.push(`<b>reference</b>: from <code>${escapeHtml(inputs.reference.file)}</code>.`);
  }
  inputs.optimizations.forEach(({ file, doc }) => {
    const label = `optimizer (${doc.law} law${inputs.optimizations.length > 1 ? `, ${path.basename(file)}` : ''})`;
    series.push({ label, proportions: doc.proportions });
    intro.push(`<b>${escapeHtml(label)}</b>: minimises the weighted predicted loss at ${escapeHtml(num(doc.steps))} steps; ${escapeHtml(doc.method)}.`);
    for (const d of doc.domains ?? []) {
      if (finite(d.min) !== null && d.min > 0) bounds.push({ domain: d.name, bound: 'min', value: d.min, source: label });
      if (finite(d.max) !== null && d.max < 1) bounds.push({ domain: d.name, bound: 'max', value: d.max, source: label });
    }
    if (doc.reference && !inputs.reference) series.push({ label: `optimizer's reference${inputs.optimizations.length > 1 ? ` (${path.basename(file)})` : ''}`, proportions: doc.reference.proportions });
  });
  if (series.length === 0) return null;
  const domains: string[] = [];
  for (const s of series) for (const d of Object.keys(s.proportions)) if (!domains.includes(d)) domains.push(d);
  const values = withRank(
    series.flatMap((s, k) =>
      domains.filter((d) => finite(s.proportions[d]) !== null).map((d) => ({ domain: d, mixture: s.label, series: k, share: s.proportions[d] })),
    ),
    domains,
  );
  const labels = series.map((s) => s.label);
  const layers: Record<string, unknown>[] = [
    {
      data: { values },
      mark: { type: 'bar', tooltip: true },
      encoding: {
        y: { field: 'domain', type: 'nominal', sort: BY_RANK, title: null },
        yOffset: { field: 'mixture', type: 'nominal', sort: byField('series') },
        x: { field: 'share', type: 'quantitative', title: 'share of the mixture', axis: { format: '.0%' } },
        color: { field: 'mixture', type: 'nominal', sort: byField('series'), title: null, legend: { orient: 'bottom', columns: 1, labelLimit: 400 } },
      },
    },
  ];
  if (bounds.length > 0) {
    layers.push({
      data: { values: withRank(bounds, domains) },
      mark: { type: 'tick', thickness: 2, color: 'black', tooltip: true },
      encoding: {
        y: { field: 'domain', type: 'nominal', sort: BY_RANK },
        x: { field: 'value', type: 'quantitative' },
        shape: { field: 'bound', type: 'nominal' },
      },
    });
    intro.push('Black ticks mark the lower and upper bounds a mixture was held to.');
  }
  const rows = domains.map((d) => [d, ...series.map((s) => pct(s.proportions[d]))]);
  return {
    id: 'mixture',
    title: 'Mixture',
    intro,
    blocks: [
      {
        chart: {
          title: 'Share of each domain',
          domains,
          spec: { width: 360, height: { step: series.length > 1 ? 10 : 16 }, layer: layers },
        },
        table: htmlTable(['domain', ...labels], rows),
      },
    ],
  };
}
