/** Inputs for the HTML report tests: an analysis report, a failing check, a law file and an optimizer result, written to a folder. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { compareReports } from '../src/check/compare.js';
import { fitLaw, optimizeMixture, readLossData, type LawReport } from '../src/laws/index.js';
import { mixtureFromEntropies } from '../src/stats/mixture.js';
import { domain, report } from './check-fixtures.js';

/** Domain names that would run, break out of a script element or a JSON string if not escaped. */
export const EVIL = ['<script>window.__pwned=1</script>', '</script><!--x', 'line\u2028sep"\'&amp;', '<img src=x onerror="window.__pwned=2">'];

/** Renames the law's domains (the example data has web, forum, code, math) to `names`. */
function renameLaw(law: LawReport, names: string[]): LawReport {
  const map = new Map(law.domainOrder.map((d, i) => [d, names[i]!]));
  const rekey = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [map.get(k) ?? k, v]));
  return {
    ...law,
    domainOrder: law.domainOrder.map((d) => map.get(d)!),
    domains: law.domains.map((d) => {
      const p = { ...(d.params as unknown as Record<string, unknown>) };
      for (const k of ['t', 'tau']) if (p[k]) p[k] = rekey(p[k] as Record<string, number>);
      return { ...d, name: map.get(d.name)!, params: p as unknown as typeof d.params };
    }),
  };
}

/** Writes the four inputs for `names` (at least 4: the law has four domains) and returns their paths. */
export async function writeReportFixtures(dir: string, names: string[]): Promise<{ analysis: string; check: string; law: string; opt: string }> {
  const domains = names.map((n, i) => domain(n, { scale: 1 + i, h: 0.3 * i }));
  const entropies = Object.fromEntries(domains.map((d) => [d.name, d.entropy.conditional]));
  const analysis = report(domains, { mixture: mixtureFromEntropies(entropies, { temperature: 1, min: { [names[0]!]: 0.05 } }) });
  // The current corpus lost documents in the second domain: one regression.
  const current = report(domains.map((d, i) => (i === 1 ? { ...d, documents: d.documents * 0.5, entropy: { ...d.entropy, conditional: d.entropy.conditional + 0.2 } } : d)));
  const check = compareReports(analysis, current, { baselineFile: 'baseline.json', currentFile: 'current.json' });
  const data = await readLossData({ losses: 'examples/laws/losses.csv', mixtures: 'examples/laws/mixtures.csv' });
  const law = renameLaw(fitLaw(data, { holdout: { kind: 'last' } }), names.slice(0, 4));
  const opt = optimizeMixture(law, { steps: 8000, reference: Object.fromEntries(law.domainOrder.map((d) => [d, 0.25])) });
  const out = { analysis: path.join(dir, 'analysis.json'), check: path.join(dir, 'check.json'), law: path.join(dir, 'law.json'), opt: path.join(dir, 'opt.json') };
  writeFileSync(out.analysis, JSON.stringify(analysis));
  writeFileSync(out.check, JSON.stringify(check));
  writeFileSync(out.law, JSON.stringify(law));
  writeFileSync(out.opt, JSON.stringify(opt));
  return out;
}
