/** Synthetic reports for the check tests. */
import type { AnalysisReport, DomainReport } from '../src/report.js';

/** A synthetic domain entry; `scale` multiplies every count, `h` shifts every entropy. */
export function domain(name: string, o: { scale?: number; h?: number; intervals?: DomainReport['intervals'] } = {}): DomainReport {
  const s = o.scale ?? 1;
  const h = o.h ?? 0;
  return {
    name,
    files: [{ path: `/data/${name}.bin`, format: 'raw', dtype: 'u16', bytes: 2000 * s, mtimeMs: 1, tokens: 1000 * s }],
    tokens: 1000 * s,
    documents: 10 * s,
    unigrams: { distinct: 100 },
    bigrams: { total: 990 * s, distinct: 400 },
    entropy: { shannon: 4 + h, joint: 6 + h, conditional: 2 + h },
    millerMadow: { shannon: 4.05 + h, joint: 6.2 + h, conditional: 2.15 + h },
    ...(o.intervals ? { intervals: o.intervals } : {}),
  };
}

export function report(domains: DomainReport[], extra: Partial<AnalysisReport> = {}): AnalysisReport {
  return {
    schema: 'bimix.analysis/1',
    tool: { name: 'bimix', version: '0.1.0' },
    base: 'e',
    options: {},
    domains,
    mixture: { proxy: 'conditional', temperature: 1, proportions: Object.fromEntries(domains.map((d) => [d.name, 1 / domains.length])) },
    ...extra,
  } as AnalysisReport;
}

