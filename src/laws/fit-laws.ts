/** Fits a law to loss data, scores it, optionally holds out, and compares laws side by side. */
import { BimixError, isBimixError, type ErrorCode } from '../errors.js';
import type { LossData } from './data.js';
import { jobKey, planJobs, runJobsHere, type FitJob, type FitOutcome, type JobRunner } from './fit-jobs.js';
import { holdoutFromOutcomes, type HoldoutPredictions, type HoldoutSpec } from './holdout.js';
import type { DomainReport, LawFitOptions, LawName, LawReport } from './law-types.js';
import { mre, r2Log, rmse, scores } from './metrics.js';
import { LAWS, predictDomain } from './registry.js';
import { DEFAULT_TRANSFER_PENALTY } from './transfer-law.js';

/** Options of {@link fitLaw}. */
export interface FitLawOptions extends LawFitOptions {
  law?: LawName;
  holdout?: HoldoutSpec;
}

/** Fits one law to every evaluated domain, with fit scores and (when asked) holdout scores, in this thread. */
export function fitLaw(data: LossData, opts: FitLawOptions = {}): LawReport {
  const law = opts.law ?? 'bimix';
  LAWS[law].check?.();
  const jobs = planJobs([law], data, opts.holdout);
  return assemble(law, data, opts, outcomeMap(jobs, runJobsHere(data, jobs, opts.holdout, opts))).report;
}

/** {@link fitLaw} with the jobs run by `runner` (e.g. the worker pool); the report is the same. */
export async function fitLawWith(data: LossData, opts: FitLawOptions, runner: JobRunner): Promise<LawReport> {
  const law = opts.law ?? 'bimix';
  LAWS[law].check?.();
  const jobs = planJobs([law], data, opts.holdout);
  return assemble(law, data, opts, outcomeMap(jobs, await runner(data, jobs, opts.holdout, opts))).report;
}

function outcomeMap(jobs: readonly FitJob[], outcomes: readonly FitOutcome[]): Map<string, FitOutcome> {
  return new Map(jobs.map((j, i) => [jobKey(j), outcomes[i]!]));
}

function assemble(law: LawName, data: LossData, opts: FitLawOptions, outcomes: Map<string, FitOutcome>): { report: LawReport; held?: HoldoutPredictions } {
  const impl = LAWS[law];
  const warnings: string[] = [];
  const domains: DomainReport[] = data.evaluated.map((d) => {
    const name = data.domains[d]!;
    const out = outcomes.get(jobKey({ law, domain: d, fold: -1 }))!;
    if ('error' in out) throw new BimixError(out.error.code, out.error.message, out.error.column !== undefined ? { column: out.error.column } : {});
    const fit = out.fit;
    const used = impl.used(data, d, data.observations);
    const pred = fit.predicted ?? used.map((o) => predictDomain(law, fit.params, name, data.domains, data.mixtures[o.runIndex]!, o.step));
    const rep: DomainReport = {
      name,
      params: fit.params,
      points: fit.points,
      excluded: fit.excluded,
      rss: fit.rss,
      fit: scores(
        used.map((o) => o.loss),
        pred,
      ),
    };
    if (fit.undetermined.length > 0) rep.undetermined = fit.undetermined;
    if (fit.notes.length > 0) rep.notes = fit.notes;
    return rep;
  });
  const report: LawReport = {
    schema: 'bimix.law/1',
    law,
    normalisation: impl.normalisation,
    domainOrder: [...data.domains],
    stepUnit: data.stepUnit,
    runs: data.runs.length,
    domains,
    warnings,
  };
  if (law === 'transfer' || law === 'interaction') report.options = { transferPenalty: opts.transferPenalty ?? DEFAULT_TRANSFER_PENALTY };
  if (!data.hasSteps) warnings.push('no step column: every observation is treated as one step, so step dependence is undetermined');
  if (!opts.holdout) return { report };
  const held = holdoutFromOutcomes(law, data, opts.holdout, (job) => outcomes.get(jobKey(job)));
  warnings.push(...held.notes);
  if (held.predictions.size > 0) {
    const allObs: number[] = [];
    const allPred: number[] = [];
    data.evaluated.forEach((d, k) => {
      const { obs, pred, unscored } = collect(data, held, (o) => o.domainIndex === d);
      allObs.push(...obs);
      allPred.push(...pred);
      domains[k]!.holdout = { protocol: held.protocol, r2Log: r2Log(obs, pred), mre: mre(obs, pred), rmse: rmse(obs, pred), points: obs.length, unscored };
    });
    report.holdout = {
      protocol: held.protocol,
      r2Log: meanOf(domains.map((d) => d.holdout?.r2Log ?? null)),
      mre: mre(allObs, allPred),
      rmse: rmse(allObs, allPred),
      points: allObs.length,
    };
  }
  return { report, held };
}

function collect(data: LossData, held: HoldoutPredictions, keep: (o: LossData['observations'][number]) => boolean) {
  const obs: number[] = [];
  const pred: number[] = [];
  let unscored = 0;
  for (const [i, p] of held.predictions) {
    const o = data.observations[i]!;
    if (!keep(o)) continue;
    if (Number.isNaN(p)) unscored++;
    else {
      obs.push(o.loss);
      pred.push(p);
    }
  }
  return { obs, pred, unscored };
}

function meanOf(values: (number | null)[]): number | null {
  const v = values.filter((x): x is number => x !== null);
  return v.length === 0 ? null : v.reduce((a, b) => a + b, 0) / v.length;
}

/** One law's entry in a comparison: its report, or the error that stopped it. */
export type ComparedLaw = LawReport | { law: LawName; error: { code: ErrorCode; message: string } };

/** Scores of every law on the held-out points that all of them could predict. */
export interface CommonComparison {
  protocol: string;
  points: number;
  laws: { law: LawName; r2Log: number | null; mre: number | null; rmse: number | null }[];
  domains: { name: string; points: number; mre: Partial<Record<LawName, number | null>>; r2Log: Partial<Record<LawName, number | null>> }[];
}

/** Result of {@link compareLaws}: `{ laws: [...] }` plus a like-for-like comparison on common points. */
export interface LawComparison {
  laws: ComparedLaw[];
  comparison?: CommonComparison;
}

/** The laws `--law all` compares. */
export const COMPARED_LAWS: readonly LawName[] = ['bimix', 'exp', 'transfer', 'interaction', 'regression'];

/** Fits every law with the same holdout protocol so their held-out errors can be compared (in this thread). */
export function compareLaws(data: LossData, opts: LawFitOptions & { holdout: HoldoutSpec }): LawComparison {
  const { laws, skipped } = fittable();
  const jobs = planJobs(laws, data, opts.holdout);
  return compareFrom(data, opts, outcomeMap(jobs, runJobsHere(data, jobs, opts.holdout, opts)), skipped);
}

/** {@link compareLaws} with the jobs run by `runner` (e.g. the worker pool); the result is the same. */
export async function compareLawsWith(data: LossData, opts: LawFitOptions & { holdout: HoldoutSpec }, runner: JobRunner): Promise<LawComparison> {
  const { laws, skipped } = fittable();
  const jobs = planJobs(laws, data, opts.holdout);
  return compareFrom(data, opts, outcomeMap(jobs, await runner(data, jobs, opts.holdout, opts)), skipped);
}

/** The compared laws that can be fitted here, and the error of each that cannot (e.g. no XGBoost). */
function fittable(): { laws: LawName[]; skipped: Map<LawName, ComparedLaw> } {
  const laws: LawName[] = [];
  const skipped = new Map<LawName, ComparedLaw>();
  for (const law of COMPARED_LAWS) {
    try {
      LAWS[law].check?.();
      laws.push(law);
    } catch (e) {
      if (!isBimixError(e)) throw e;
      skipped.set(law, { law, error: { code: e.code, message: e.message } });
    }
  }
  return { laws, skipped };
}

function compareFrom(data: LossData, opts: LawFitOptions & { holdout: HoldoutSpec }, outcomes: Map<string, FitOutcome>, skipped = new Map<LawName, ComparedLaw>()): LawComparison {
  const results: ComparedLaw[] = [];
  const helds = new Map<LawName, HoldoutPredictions>();
  for (const law of COMPARED_LAWS) {
    const skip = skipped.get(law);
    if (skip) {
      results.push(skip);
      continue;
    }
    try {
      const r = assemble(law, data, { ...opts, law }, outcomes);
      results.push(r.report);
      if (r.held && r.held.predictions.size > 0) helds.set(law, r.held);
    } catch (e) {
      if (!isBimixError(e)) throw e;
      results.push({ law, error: { code: e.code, message: e.message } });
    }
  }
  const scored = [...helds.keys()];
  if (scored.length < 2) return { laws: results };
  // Like for like: only held-out points every scored law predicted.
  const common = [...helds.get(scored[0]!)!.predictions.keys()].filter((i) =>
    scored.every((l) => {
      const p = helds.get(l)!.predictions.get(i);
      return p !== undefined && !Number.isNaN(p);
    }),
  );
  const protocol = helds.get(scored[0]!)!.protocol;
  const score = (law: LawName, idx: number[]) => {
    const obs = idx.map((i) => data.observations[i]!.loss);
    const pred = idx.map((i) => helds.get(law)!.predictions.get(i)!);
    return { r2Log: r2Log(obs, pred), mre: mre(obs, pred), rmse: rmse(obs, pred) };
  };
  const domains = data.evaluated.map((d) => {
    const name = data.domains[d]!;
    const idx = common.filter((i) => data.observations[i]!.domainIndex === d);
    const per = scored.map((l) => [l, score(l, idx)] as const);
    return {
      name,
      points: idx.length,
      mre: Object.fromEntries(per.map(([l, s]) => [l, s.mre])),
      r2Log: Object.fromEntries(per.map(([l, s]) => [l, s.r2Log])),
    };
  });
  const laws = scored.map((law) => {
    const s = score(law, common);
    return { law, r2Log: meanOf(domains.map((dd) => dd.r2Log[law] ?? null)), mre: s.mre, rmse: s.rmse };
  });
  return { laws: results, comparison: { protocol, points: common.length, laws, domains } };
}
