/**
 * The report stage of analyze: reductions (or sampled tables) become entropies, warnings and
 * the mixture, in the bimix.analysis/1 shape. Every executor (analyze, Slurm merge) goes
 * through {@link buildReport}, so equal counts give equal reports.
 */
import { BimixError } from '../errors.js';
import type { NativeReduction } from '../engine/native.js';
import { entropiesFromCounts, type EntropySet } from '../stats/entropy.js';
import type { SubsampleTable } from '../stats/subsample.js';
import { mixtureFromEntropies, type Proxy } from '../stats/mixture.js';
import { ANALYSIS_SCHEMA, type AnalysisReport, type DomainReport, type Interval } from '../report.js';
import { domainWarnings, type ReportWarning } from '../report-warnings.js';
import { TOOL } from '../version.js';
import { corpusEstimateOf, reductionOf, mixtureIntervals, mixtureWarnings, sampleSizeWarnings, SAMPLE_GROUPS, SAMPLE_HALVINGS } from './sampled.js';
import type { AnalyzeOptions } from './options.js';
import type { DomainPlan } from './plan.js';
import type { DomainCounts } from './run.js';
import type { VneSettings } from './vne.js';

/** The counts and entropies (nats) a domain's report entry is made of. */
interface DomainNumbers {
  tokens: number;
  documents: number;
  unigramDistinct: number;
  bigramTotal: number;
  bigramDistinct: number;
  plugIn: EntropySet;
  millerMadow: EntropySet;
}

function domainEntry(plan: Pick<DomainPlan, 'name' | 'files'>, n: DomainNumbers, base: 'e' | '2', unigramsOnly = false): DomainReport {
  const k = base === '2' ? 1 / Math.LN2 : 1;
  // Without bigram counts the bigram measures are absent (null), not zero.
  const scaled = (e: EntropySet) => ({ shannon: e.shannon * k, joint: unigramsOnly ? null : e.joint * k, conditional: unigramsOnly ? null : e.conditional * k });
  return {
    name: plan.name,
    files: plan.files.map((f) => ({ ...f })),
    tokens: n.tokens,
    documents: n.documents,
    unigrams: { distinct: n.unigramDistinct },
    bigrams: unigramsOnly ? { total: null, distinct: null } : { total: n.bigramTotal, distinct: n.bigramDistinct },
    entropy: scaled(n.plugIn),
    millerMadow: scaled(n.millerMadow),
  };
}

/**
 * Builds a sampled domain's entry: the sample's counts and plug-in entropies, and the
 * whole corpus's estimates with their jackknife intervals.
 */
export function sampledDomainReport(plan: Pick<DomainPlan, 'name' | 'files'>, table: SubsampleTable, base: 'e' | '2', fraction: number): DomainReport {
  return { ...domainReport(plan, reductionOf(table.whole[0]!), base), ...corpusEstimateOf(table, fraction, base) };
}

/** A sampled domain with its whole-corpus estimates in place of the sample's entropies. */
function withEstimates(d: DomainReport): DomainReport {
  return d.estimate ? { ...d, entropy: { ...d.entropy, shannon: d.estimate.shannon, joint: d.estimate.joint, conditional: d.estimate.conditional } } : d;
}

/** Builds a domain's report entry from its exact reduction. */
export function domainReport(plan: Pick<DomainPlan, 'name' | 'files'>, red: NativeReduction, base: 'e' | '2'): DomainReport {
  return domainEntry(plan, { ...red, ...entropiesFromCounts(red) }, base, red.unigramsOnly);
}

/**
 * Entropies in nats of the chosen proxy, per domain, from a report. A proxy the report
 * does not hold (a bigram entropy of a --unigrams-only report, VNE not computed) is a
 * usage error, never a zero.
 */
export function proxyEntropies(report: Pick<AnalysisReport, 'base' | 'domains' | 'unigramsOnly'>, proxy: Proxy): Record<string, number> {
  const toNats = report.base === '2' ? Math.LN2 : 1;
  const out: Record<string, number> = {};
  // Reports written before bigram entropies became null stored 0 for them: the flag tells.
  if (report.unigramsOnly && (proxy === 'joint' || proxy === 'conditional')) {
    throw new BimixError('E_USAGE', `--proxy ${proxy}: the report was made with --unigrams-only and has no ${proxy} entropy; use --proxy shannon`);
  }
  for (const d of report.domains) {
    const v = d.entropy[proxy];
    if (v === undefined || v === null) {
      throw new BimixError('E_USAGE', `--proxy ${proxy}: domain ${d.name} has no ${proxy} entropy in this report${proxy === 'vne' ? ' (analyze with --vne)' : ''}`);
    }
    out[d.name] = v * toNats;
  }
  return out;
}

/**
 * Assembles the report from plans and their exact reductions. Every executor
 * (analyze, Slurm merge) goes through here, so equal counts give equal reports.
 */
export function buildReport(
  plans: Pick<DomainPlan, 'name' | 'files' | 'spec'>[],
  reductions: DomainCounts[],
  o: Pick<AnalyzeOptions, 'min' | 'max' | 'unigramsOnly' | 'sample'> & {
    base: 'e' | '2';
    proxy: Proxy;
    temperature: number;
    /** VNE per domain in nats, when computed, and the number of vectors behind each. */
    vneValues?: (number | undefined)[];
    vneSamples?: number[];
    vneSettings?: VneSettings & { embeddings?: Record<string, string> };
  },
): AnalysisReport {
  const warnings: ReportWarning[] = [];
  const domains = plans.map((p, i) => {
    const r = reductions[i]!;
    let d: DomainReport;
    if ('whole' in r) {
      if (!o.sample) throw new BimixError('E_STATE', 'sampled counts without sample options');
      d = sampledDomainReport(p, r, o.base, o.sample.fraction);
      warnings.push(...domainWarnings({ name: p.name, files: p.files, read: p.spec.read, tokens: d.tokens, documents: d.documents }));
    } else {
      // Separators alone carry no text: an entropy of 0 would win a mixture share.
      if (r.tokens === 0) throw new BimixError('E_EMPTY', `domain ${p.name} holds only separator tokens${r.separators >= 0 ? ` (${r.separators})` : ''}; nothing to measure`);
      d = domainReport(p, r, o.base);
      warnings.push(
        ...domainWarnings({
          name: p.name,
          files: p.files,
          read: p.spec.read,
          tokens: r.tokens,
          documents: r.documents,
          ...(r.separators >= 0 ? { separators: r.separators } : {}),
          unigramDistinct: r.unigramDistinct,
          ...(r.maxId !== undefined ? { maxId: r.maxId } : {}),
        }),
      );
    }
    const vne = o.vneValues?.[i];
    if (vne !== undefined) d.entropy.vne = o.base === '2' ? vne / Math.LN2 : vne;
    return d;
  });
  const mix = (entropies: Record<string, number>) =>
    mixtureFromEntropies(entropies, {
      proxy: o.proxy,
      temperature: o.temperature,
      ...(o.min ? { min: o.min } : {}),
      ...(o.max ? { max: o.max } : {}),
    });
  // Sampled mode mixes the whole corpus's estimates, not the sample's biased-low values.
  const sampled = o.sample !== undefined && reductions.every((r) => 'whole' in r);
  const mixture = mix(proxyEntropies({ base: o.base, domains: sampled ? domains.map(withEstimates) : domains, ...(o.unigramsOnly ? { unigramsOnly: true } : {}) }, o.proxy));
  let mixtureIv: Record<string, Interval> | undefined;
  if (sampled && o.proxy !== 'vne') {
    const tables = Object.fromEntries(plans.map((p, i) => [p.name, reductions[i] as SubsampleTable]));
    mixtureIv = mixtureIntervals(tables, o.sample!.fraction, o.proxy as 'conditional', mixture, mix);
  }
  warnings.push(...(sampled ? sampleSizeWarnings(domains) : []), ...(mixtureIv ? mixtureWarnings(mixtureIv) : []));
  let vneReport: AnalysisReport['vne'];
  if (o.vneSettings && o.vneSamples) {
    const s = o.vneSettings;
    const samples = Object.fromEntries(plans.map((p, i) => [p.name, o.vneSamples![i]!]));
    vneReport = { window: s.window, dims: s.dims, seed: s.seed, target: s.samples, samples };
    for (const p of plans) {
      if (s.embeddings?.[p.name] !== undefined) continue;
      if (samples[p.name]! < s.samples) {
        warnings.push({
          code: 'W_VNE_FEW_WINDOWS',
          domain: p.name,
          message: `VNE of ${p.name} comes from ${samples[p.name]} windows of ${s.window} tokens, fewer than the ${s.samples} of the target: it is not comparable with the other domains' (the domain is too small; lower --vne-samples for all)`,
        });
      }
    }
  }
  return {
    schema: ANALYSIS_SCHEMA,
    tool: { ...TOOL },
    base: o.base,
    options: {
      proxy: o.proxy,
      temperature: o.temperature,
      domains: plans.map((p) => ({ name: p.name, globs: p.spec.globs, ...p.spec.read })),
      ...(o.unigramsOnly ? { unigramsOnly: true } : {}),
      ...(o.vneSettings ? { vne: o.vneSettings } : {}),
    },
    ...(o.sample ? { sample: { fraction: o.sample.fraction, seed: o.sample.seed, groups: SAMPLE_GROUPS, halvings: SAMPLE_HALVINGS } } : {}),
    ...(o.unigramsOnly ? { unigramsOnly: true } : {}),
    domains,
    mixture,
    ...(mixtureIv ? { mixtureIntervals: mixtureIv } : {}),
    ...(vneReport ? { vne: vneReport } : {}),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}
