/** The human-readable rendering of an analysis report. */
import type { AnalysisReport } from '../report.js';
import { fmt, table } from './output.js';
import { mixtureCell, mixtureLines } from './mixture-bar.js';

/** Renders the per-domain table and the mixture. */
export function renderReport(r: AnalysisReport): string {
  const unit = r.base === '2' ? 'bits' : 'nats';
  const hasVne = r.domains.some((d) => d.entropy.vne !== undefined);
  const sampled = r.domains.some((d) => d.intervals !== undefined);
  const header = ['domain', 'files', 'tokens', 'documents', 'unigrams', 'bigrams', 'distinct bigrams', 'H(X)', 'H(X,X\')', 'H(X\'|X)', 'MM H(X\'|X)'];
  if (sampled) header.push("corpus H(X'|X)", `${Math.round(100 * (r.domains[0]?.intervals?.level ?? 0.95))}% interval`);
  if (hasVne) header.push('VNE');
  header.push('mixture'.padEnd(mixtureCell(0).length));
  const rows: string[][] = [header];
  for (const d of r.domains) {
    const extra: string[] = [];
    if (sampled) extra.push(fmt(d.estimate?.conditional, 5), d.intervals ? `${fmt(d.intervals.conditional[0], 5)}..${fmt(d.intervals.conditional[1], 5)}` : '-');
    if (hasVne) extra.push(fmt(d.entropy.vne, 5));
    rows.push([
      d.name,
      String(d.files.length),
      String(d.tokens),
      String(d.documents),
      String(d.unigrams.distinct),
      fmt(d.bigrams.total),
      fmt(d.bigrams.distinct),
      fmt(d.entropy.shannon, 5),
      fmt(d.entropy.joint, 5),
      fmt(d.entropy.conditional, 5),
      fmt(d.millerMadow.conditional, 5),
      ...extra,
      mixtureCell(r.mixture.proportions[d.name]),
    ]);
  }
  let out = `Entropies in ${unit}; MM = Miller-Madow bias-corrected.\n`;
  if (r.sample) {
    const est = r.domains[0]?.intervals?.estimator;
    out += `Sampled: ${100 * r.sample.fraction}% of documents (seed ${r.sample.seed}); counts and entropies are of the sample, "corpus" columns estimate the whole corpus (${est} estimator, ${r.domains[0]?.intervals?.method} interval).\n`;
  }
  out += table(rows).replace(/ +$/gm, '');
  out += `\nMixture: softmax of ${r.mixture.proxy} entropy, temperature ${r.mixture.temperature}`;
  out += r.mixture.bounds ? ' (bounded)' : '';
  out += '\n';
  out += mixtureLines(Object.fromEntries(r.domains.map((d) => [d.name, r.mixture.proportions[d.name]!])), '  ', r.mixtureIntervals);
  return out;
}
