/**
 * Sampled checks compare like with like: a sample is judged only against a baseline that
 * holds the same sample (same fraction and seed). Sampling is a deterministic function of
 * (seed, file name, document start), so on an unchanged corpus both sides are identical and
 * a check cannot fail by chance. Anything else is refused with the command that fixes it.
 */
import { BimixError } from '../errors.js';
import type { AnalysisReport } from '../report.js';
import type { Baseline } from './baseline.js';

type Sample = { fraction: number; seed: number };

function same(a: Sample | undefined, b: Sample | undefined): boolean {
  return a !== undefined && b !== undefined && a.fraction === b.fraction && a.seed === b.seed;
}

function describe(s: Sample): string {
  return `--sample ${s.fraction} --seed ${s.seed}`;
}

/**
 * The baseline to judge `current` against: as is for a full analysis, or its sampled
 * statistics for a sampled one. Throws E_USAGE (exit 2) when the modes do not match.
 */
export function comparableBaseline(baseline: Baseline, current: AnalysisReport, baselineFile = 'the baseline'): Baseline {
  const cur = current.sample;
  const wholeSampled = baseline.source.sample;
  const section = baseline.sampled;
  if (cur === undefined) {
    if (wholeSampled !== undefined) {
      throw new BimixError(
        'E_USAGE',
        `${baselineFile} holds sampled statistics only (${describe(wholeSampled)}), the current analysis is of the whole corpus: ` +
          `check with ${describe(wholeSampled)}, or make a full baseline with bimix baseline --config CONFIG --out BASELINE`,
      );
    }
    return baseline;
  }
  if (same(cur, section)) {
    return {
      ...baseline,
      source: { ...baseline.source, sample: { fraction: section!.fraction, seed: section!.seed } },
      domains: baseline.domains.map((d) => {
        if (!d.sampled) throw new BimixError('E_SCHEMA', `${baselineFile}: domain ${d.name} has no sampled statistics`);
        return { name: d.name, files: d.files, ...d.sampled };
      }),
    };
  }
  if (same(cur, wholeSampled)) return baseline;
  const has = [section, wholeSampled].filter((s): s is Sample => s !== undefined);
  const offer = has.length > 0 ? ` It holds ${has.map(describe).join(' and ')}: check with that, or make a matching baseline:` : ' Make one that does:';
  throw new BimixError(
    'E_USAGE',
    `the current analysis is a sample (${describe(cur)}) and ${baselineFile} has no statistics of the same sample, so the two cannot be compared without false alarms.` +
      `${offer} bimix baseline --config CONFIG ${describe(cur)} --out BASELINE (one pass records the full and the sampled statistics)`,
  );
}
