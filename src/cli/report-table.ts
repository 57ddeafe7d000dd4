/** The human-readable rendering of an analysis report. */
import type { AnalysisReport } from '../report.js';
import { fmt, table } from './output.js';

/** Renders the per-domain table and the mixture. */
export function renderReport(r: AnalysisReport): string {
  const unit = r.base === '2' ? 'bits' : 'nats';
  const rows: string[][] = [
    ['domain', 'files', 'tokens', 'documents', 'unigrams', 'bigrams', 'distinct bigrams', 'H(X)', 'H(X,X\')', 'H(X\'|X)', 'MM H(X\'|X)', 'mixture'],
  ];
  for (const d of r.domains) {
    rows.push([
      d.name,
      String(d.files.length),
      String(d.tokens),
      String(d.documents),
      String(d.unigrams.distinct),
      String(d.bigrams.total),
      String(d.bigrams.distinct),
      fmt(d.entropy.shannon, 5),
      fmt(d.entropy.joint, 5),
      fmt(d.entropy.conditional, 5),
      fmt(d.millerMadow.conditional, 5),
      fmt(r.mixture.proportions[d.name], 4),
    ]);
  }
  let out = `Entropies in ${unit}; MM = Miller-Madow bias-corrected.\n`;
  out += table(rows);
  out += `\nMixture: softmax of ${r.mixture.proxy} entropy, temperature ${r.mixture.temperature}`;
  out += r.mixture.bounds ? ' (bounded)' : '';
  out += '\n';
  for (const d of r.domains) out += `  ${d.name.padEnd(16)} ${(100 * (r.mixture.proportions[d.name] ?? 0)).toFixed(2).padStart(6)}%\n`;
  return out;
}
