/**
 * Fitting as independent jobs: one law, one domain, on all data or on one holdout fold's training
 * part. Jobs are pure functions of the data, so any executor (this process, the worker pool) can run
 * them in any order and the assembled report is the same.
 */
import { BimixError, isBimixError, optionError, type ErrorCode } from '../errors.js';
import type { LossData, Observation } from './data.js';
import type { DomainFit, LawFitOptions, LawName } from './law-types.js';
import type { HoldoutSpec } from './holdout.js';
import { LAWS } from './registry.js';

/** One fit: `fold` -1 is the fit on all data, otherwise the fold whose training part is used. */
export interface FitJob {
  law: LawName;
  domain: number;
  fold: number;
}

/** What a job produced: the domain's fit, or the data error that stopped it. */
export type FitOutcome = { fit: DomainFit } | { error: { code: ErrorCode; message: string; column?: string | number } };

/** Runs jobs somewhere and hands back their outcomes in job order. */
export type JobRunner = (data: LossData, jobs: FitJob[], holdout: HoldoutSpec | undefined, opts: LawFitOptions) => Promise<FitOutcome[]>;

/** A holdout fold: observations to fit on and observations to predict. */
export interface Fold {
  train: Observation[];
  test: Observation[];
}

const foldCache = new WeakMap<LossData, Map<string, Fold[]>>();

/** The folds of a holdout protocol (cached per data set). */
export function foldsOf(data: LossData, spec: HoldoutSpec): Fold[] {
  const key = spec.kind === 'last' ? 'last' : `runs=${spec.k}`;
  let byKey = foldCache.get(data);
  if (!byKey) foldCache.set(data, (byKey = new Map()));
  const hit = byKey.get(key);
  if (hit) return hit;
  const folds: Fold[] = [];
  if (spec.kind === 'last') {
    const last = new Map<number, number>();
    for (const o of data.observations) last.set(o.runIndex, Math.max(last.get(o.runIndex) ?? -Infinity, o.step));
    const test = data.observations.filter((o) => o.step === last.get(o.runIndex));
    const train = data.observations.filter((o) => o.step !== last.get(o.runIndex));
    if (train.length === 0) throw new BimixError('E_DATA', '--holdout last needs more than one step per run');
    folds.push({ train, test });
  } else {
    if (spec.k > data.runs.length) throw optionError('--holdout', `runs=K with K <= the number of runs (${data.runs.length})`, key);
    for (let f = 0; f < spec.k; f++) {
      folds.push({
        train: data.observations.filter((o) => o.runIndex % spec.k !== f),
        test: data.observations.filter((o) => o.runIndex % spec.k === f),
      });
    }
  }
  byKey.set(key, folds);
  return folds;
}

/** Whether a law takes part in a holdout protocol (`last` needs step dependence). */
export function holdoutApplies(law: LawName, spec: HoldoutSpec): boolean {
  return spec.kind !== 'last' || LAWS[law].usesSteps;
}

/** Every job a fit of `laws` (with an optional holdout) needs, the costlier laws first so the pool stays busy. */
export function planJobs(laws: readonly LawName[], data: LossData, holdout?: HoldoutSpec): FitJob[] {
  const cost: Record<LawName, number> = { regression: 0, interaction: 1, transfer: 2, exp: 3, bimix: 4 };
  const jobs: FitJob[] = [];
  for (const law of [...laws].sort((a, b) => cost[a] - cost[b])) {
    for (const d of data.evaluated) jobs.push({ law, domain: d, fold: -1 });
    if (!holdout || !holdoutApplies(law, holdout)) continue;
    const folds = foldsOf(data, holdout);
    folds.forEach((fold, f) => {
      for (const d of data.evaluated) if (LAWS[law].used(data, d, fold.test).length > 0) jobs.push({ law, domain: d, fold: f });
    });
  }
  return jobs;
}

/** Key of a job in an outcome map. */
export function jobKey(job: FitJob): string {
  return `${job.law}/${job.domain}/${job.fold}`;
}

/** Runs one job in this thread; data errors become outcomes, anything else is thrown. */
export function runJob(data: LossData, job: FitJob, holdout: HoldoutSpec | undefined, opts: LawFitOptions): FitOutcome {
  const fold = job.fold < 0 ? undefined : foldsOf(data, holdout!)[job.fold]!;
  const obs = fold ? fold.train : data.observations;
  const impl = LAWS[job.law];
  try {
    // In-sample points for a fit on all data, the held-out ones for a fold.
    if (impl.fitAndPredict) return { fit: impl.fitAndPredict(data, job.domain, obs, impl.used(data, job.domain, fold ? fold.test : obs), !fold, opts) };
    return { fit: impl.fitDomain(data, job.domain, obs, opts) };
  } catch (e) {
    if (!isBimixError(e)) throw e;
    return { error: { code: e.code, message: e.detail, ...(e.column !== undefined ? { column: e.column } : {}) } };
  }
}

/** Runs jobs one after the other in this thread. */
export function runJobsHere(data: LossData, jobs: readonly FitJob[], holdout: HoldoutSpec | undefined, opts: LawFitOptions): FitOutcome[] {
  return jobs.map((j) => runJob(data, j, holdout, opts));
}
