/** The metrics `bimix check` compares, and how each is read from a domain of a report or baseline. */
import { optionError } from '../errors.js';
import type { z } from 'zod';
import type { domainMetricsSchema } from '../schemas/baseline.js';
import { METRIC_NAMES, type MetricName } from '../schemas/names.js';

/**
 * The per-domain numbers a baseline keeps (a subset of a report's domain entry). Null means
 * not measured (bigram measures of a --unigrams-only analysis): compared with nothing.
 */
export type DomainMetrics = z.infer<typeof domainMetricsSchema>;

export { METRIC_NAMES, type MetricName };

interface MetricDef {
  /** Entropies are in the report's unit and convert between nats and bits; counts do not. */
  kind: 'entropy' | 'count';
  /** Needs bigram counts (absent from --unigrams-only reports). */
  bigram: boolean;
  /** The value; null or undefined when the analysis did not measure it. */
  get(d: DomainMetrics): number | null | undefined;
}

/** Every metric, in table order. */
export const METRICS: Readonly<Record<MetricName, MetricDef>> = {
  conditional: { kind: 'entropy', bigram: true, get: (d) => d.entropy.conditional },
  shannon: { kind: 'entropy', bigram: false, get: (d) => d.entropy.shannon },
  joint: { kind: 'entropy', bigram: true, get: (d) => d.entropy.joint },
  vne: { kind: 'entropy', bigram: false, get: (d) => d.entropy.vne },
  tokens: { kind: 'count', bigram: false, get: (d) => d.tokens },
  documents: { kind: 'count', bigram: false, get: (d) => d.documents },
  unigrams: { kind: 'count', bigram: false, get: (d) => d.unigrams.distinct },
  bigrams: { kind: 'count', bigram: true, get: (d) => d.bigrams.distinct },
  bigramTotal: { kind: 'count', bigram: true, get: (d) => d.bigrams.total },
  'mm.shannon': { kind: 'entropy', bigram: false, get: (d) => d.millerMadow.shannon },
  'mm.joint': { kind: 'entropy', bigram: true, get: (d) => d.millerMadow.joint },
  'mm.conditional': { kind: 'entropy', bigram: true, get: (d) => d.millerMadow.conditional },
};

/**
 * Metrics checked when neither `--metrics` nor the policy chooses: the three entropies and
 * every count, so that lost documents, boilerplate, vanished separators and lost vocabulary
 * all move at least one of them.
 */
export const DEFAULT_METRICS: readonly MetricName[] = ['conditional', 'shannon', 'joint', 'tokens', 'documents', 'unigrams', 'bigrams', 'bigramTotal'];

/** True for a known metric name. */
export function isMetricName(s: string): s is MetricName {
  return Object.prototype.hasOwnProperty.call(METRICS, s);
}

/** Parses `--metrics a,b,c` (also `all`), rejecting unknown names and duplicates. */
export function parseMetricList(raw: string | readonly string[], option = '--metrics'): MetricName[] {
  const items = (typeof raw === 'string' ? raw.split(',') : raw.flatMap((s) => s.split(','))).map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 1 && items[0] === 'all') return [...METRIC_NAMES];
  if (items.length === 0) throw optionError(option, `a comma-separated list of ${METRIC_NAMES.join(', ')} (or all)`, typeof raw === 'string' ? raw : raw.join(','));
  const out: MetricName[] = [];
  for (const m of items) {
    if (!isMetricName(m)) throw optionError(option, `metric names from ${METRIC_NAMES.join(', ')} (or all)`, m);
    if (out.includes(m)) throw optionError(option, 'each metric once', m);
    out.push(m);
  }
  return out;
}
