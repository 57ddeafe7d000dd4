/** The corpus section: per-domain tokens and documents, entropies plug-in vs Miller-Madow, intervals when sampled. */
import type { AnalysisReport } from '../report.js';
import { escapeHtml } from './escape.js';
import { finite, interval, num } from './format.js';
import { htmlTable } from './html-table.js';
import type { Block, Section, Sourced } from './model.js';
import { BY_RANK, withRank } from './ranks.js';

const MEASURES = [
  { key: 'shannon', label: 'H(X)' },
  { key: 'joint', label: "H(X,X')" },
  { key: 'conditional', label: "H(X'|X)" },
] as const;

type Loose = Record<string, unknown> | undefined;

/** Builds the corpus section of one analysis report. */
export function corpusSection(input: Sourced<AnalysisReport>, index: number): Section {
  const r = input.doc;
  const unit = r.base === '2' ? 'bits' : 'nats';
  const names = r.domains.map((d) => d.name);
  const intro = [`From <code>${escapeHtml(input.file)}</code>: ${r.domains.length} domain(s); entropies in ${unit}.`];
  for (const w of r.warnings ?? []) intro.push(`Warning (${escapeHtml(w.code)}): ${escapeHtml(w.message)}`);
  if (r.sample) {
    intro.push(
      `Sampled: ${escapeHtml(num(100 * r.sample.fraction, 4))}% of documents (seed ${escapeHtml(String(r.sample.seed))}); counts and entropies are of the sample; the intervals bracket the whole corpus's value (jackknife intervals around the ${escapeHtml(String(r.domains[0]?.estimate?.estimator ?? 'corpus'))} estimate).`,
    );
  }
  return {
    id: `corpus-${index}`,
    title: 'Corpus',
    intro,
    blocks: [countsBlock(r, names), entropyBlock(r, names, unit)],
  };
}

function countsBlock(r: AnalysisReport, names: string[]): Block {
  const values = withRank(r.domains.flatMap((d) => [
    { domain: d.name, count: 'tokens', value: finite(d.tokens) },
    { domain: d.name, count: 'documents', value: finite(d.documents) },
  ]).filter((v) => v.value !== null), names);
  const bar = (count: string) => ({
    title: count,
    transform: [{ filter: { field: 'count', equal: count } }],
    mark: { type: 'bar', tooltip: true },
    encoding: {
      y: { field: 'domain', type: 'nominal', sort: BY_RANK, title: null },
      x: { field: 'value', type: 'quantitative', title: count, axis: { format: '~s' } },
      color: { value: count === 'tokens' ? '#4c78a8' : '#72b7b2' },
    },
    height: { step: 16 },
    width: 220,
  });
  const sampled = r.domains.some((d) => d.intervals);
  const head = ['domain', 'files', 'tokens', 'documents', 'distinct unigrams', 'bigrams', 'distinct bigrams'];
  if (sampled) head.push('tokens (corpus est.)', 'documents (corpus est.)');
  const rows = r.domains.map((d) => {
    const row = [d.name, num(d.files?.length), num(d.tokens), num(d.documents), num(d.unigrams?.distinct), num(d.bigrams?.total), num(d.bigrams?.distinct)];
    if (sampled) {
      const iv = (d.intervals ?? {}) as Record<string, unknown>;
      row.push(range(interval(iv.tokens), 4), range(interval(iv.documents), 4));
    }
    return row;
  });
  return {
    chart: {
      title: 'Tokens and documents per domain',
      domains: names,
      spec: { data: { values }, hconcat: [bar('tokens'), bar('documents')] },
    },
    table: htmlTable(head, rows),
  };
}

function entropyBlock(r: AnalysisReport, names: string[], unit: string): Block {
  const values: Record<string, unknown>[] = [];
  for (const d of r.domains) {
    const plug = d.entropy as unknown as Loose;
    const mm = d.millerMadow as Loose;
    const iv = d.intervals as Loose;
    for (const m of MEASURES) {
      const p = finite(plug?.[m.key]);
      const c = finite(mm?.[m.key]);
      const i = interval(iv?.[m.key]);
      if (p !== null) values.push({ domain: d.name, measure: m.label, estimator: 'plug-in', value: p });
      if (c !== null) values.push({ domain: d.name, measure: m.label, estimator: 'Miller-Madow', value: c });
      if (i) values.push({ domain: d.name, measure: m.label, estimator: 'interval', lo: i[0], hi: i[1] });
    }
  }
  const ranked = withRank(values as { domain: string }[], names);
  const level = finite((r.domains.find((d) => d.intervals)?.intervals as Loose)?.level);
  const spec = {
    data: { values: ranked },
    facet: { column: { field: 'measure', type: 'nominal', sort: MEASURES.map((m) => m.label), title: null } },
    spec: {
      width: 200,
      height: { step: 16 },
      layer: [
        {
          transform: [{ filter: { field: 'estimator', equal: 'interval' } }],
          mark: { type: 'rule', strokeWidth: 3, opacity: 0.45, color: '#888', tooltip: true },
          encoding: {
            y: { field: 'domain', type: 'nominal', sort: BY_RANK, title: null },
            x: { field: 'lo', type: 'quantitative', scale: { zero: false }, title: unit },
            x2: { field: 'hi' },
          },
        },
        {
          transform: [{ filter: { field: 'estimator', oneOf: ['plug-in', 'Miller-Madow'] } }],
          mark: { type: 'point', filled: true, size: 50, tooltip: true },
          encoding: {
            y: { field: 'domain', type: 'nominal', sort: BY_RANK, title: null },
            x: { field: 'value', type: 'quantitative', scale: { zero: false }, title: unit },
            color: { field: 'estimator', type: 'nominal', scale: { domain: ['plug-in', 'Miller-Madow'], range: ['#4c78a8', '#e45756'] }, title: 'estimator' },
            shape: { field: 'estimator', type: 'nominal', scale: { domain: ['plug-in', 'Miller-Madow'], range: ['circle', 'diamond'] } },
          },
        },
      ],
    },
    resolve: { scale: { x: 'independent' } },
  };
  const sampled = values.some((v) => v.estimator === 'interval');
  const head = ['domain', ...MEASURES.flatMap((m) => [m.label, `MM ${m.label}`])];
  if (sampled) head.push(`corpus H(X'|X) ${level !== null ? `${Math.round(100 * level)}% ` : ''}interval`);
  const rows = r.domains.map((d) => {
    const row = [d.name, ...MEASURES.flatMap((m) => [num((d.entropy as unknown as Loose)?.[m.key]), num((d.millerMadow as Loose)?.[m.key])])];
    if (sampled) row.push(range(interval((d.intervals as Loose)?.conditional), 5));
    return row;
  });
  const notes: string[] = [];
  const absent = r.domains.filter((d) => MEASURES.some((m) => finite((d.entropy as unknown as Loose)?.[m.key]) === null)).map((d) => d.name);
  if (absent.length > 0) notes.push(`No entropy (absent in the report, shown as –) for: ${absent.map((n) => `<code>${escapeHtml(n)}</code>`).join(', ')}.`);
  return {
    chart: {
      title: `Entropies per domain (${unit}): plug-in vs Miller-Madow${sampled ? ', with the corpus value\'s intervals (grey)' : ''}`,
      domains: names.filter((n) => values.some((v) => v.domain === n)),
      spec,
    },
    table: htmlTable(head, rows),
    notes,
  };
}

function range(iv: [number, number] | null, digits: number): string {
  return iv ? `${num(iv[0], digits)} .. ${num(iv[1], digits)}` : '–';
}
