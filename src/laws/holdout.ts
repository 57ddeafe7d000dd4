/**
 * Holdout protocols. `last`: refit without every run's final step and predict it (extrapolation
 * in steps, BiMix Sec. 5.1). `runs=K`: the k-th run in input order goes to fold k mod K; each fold
 * is predicted by a fit on the others, and predictions from all folds are pooled before scoring.
 */
import { optionError } from '../errors.js';
import type { LossData, Observation } from './data.js';
import { foldsOf, holdoutApplies, jobKey, planJobs, runJob, type FitJob, type FitOutcome } from './fit-jobs.js';
import type { LawFitOptions, LawName } from './law-types.js';
import { LAWS, predictDomain } from './registry.js';

/** A holdout protocol. */
export type HoldoutSpec = { kind: 'last' } | { kind: 'runs'; k: number };

/** Parses `last` or `runs=K` (option `--holdout`). */
export function parseHoldout(raw: string): HoldoutSpec {
  if (raw === 'last') return { kind: 'last' };
  const m = /^runs=(\d+)$/.exec(raw);
  if (m) {
    const k = Number(m[1]);
    if (k >= 2) return { kind: 'runs', k };
  }
  throw optionError('--holdout', '"last" or "runs=K" with K >= 2', raw);
}

/** The protocol's name as reported. */
export function holdoutName(spec: HoldoutSpec): string {
  return spec.kind === 'last' ? 'last' : `runs=${spec.k}`;
}

/** Held-out predictions of one law: for every held-out observation the law can be scored on, its prediction (NaN when it could not be made). */
export interface HoldoutPredictions {
  protocol: string;
  /** Observation index -> prediction (NaN: held out but not predictable, e.g. the fold's fit failed). */
  predictions: Map<number, number>;
  notes: string[];
}

/** Runs a holdout protocol for one law in this thread. */
export function holdoutPredictions(law: LawName, data: LossData, spec: HoldoutSpec, opts: LawFitOptions = {}): HoldoutPredictions {
  const jobs = planJobs([law], data, spec).filter((j) => j.fold >= 0);
  const outcomes = new Map(jobs.map((j) => [jobKey(j), runJob(data, j, spec, opts)]));
  return holdoutFromOutcomes(law, data, spec, (job) => outcomes.get(jobKey(job)));
}

/** Assembles a holdout protocol's predictions for one law from its fold jobs' outcomes. */
export function holdoutFromOutcomes(law: LawName, data: LossData, spec: HoldoutSpec, outcome: (job: FitJob) => FitOutcome | undefined): HoldoutPredictions {
  const impl = LAWS[law];
  const protocol = holdoutName(spec);
  const predictions = new Map<number, number>();
  const notes: string[] = [];
  if (!holdoutApplies(law, spec)) {
    notes.push(`--holdout last does not apply to the ${law} law: it has no step dependence`);
    return { protocol, predictions, notes };
  }
  const index = new Map<Observation, number>(data.observations.map((o, i) => [o, i]));
  let failed = 0;
  foldsOf(data, spec).forEach((fold, f) => {
    for (const d of data.evaluated) {
      const name = data.domains[d]!;
      const test = impl.used(data, d, fold.test);
      if (law === 'bimix') {
        // Zero-share held-out points are ones BiMix cannot predict: count them as unscored.
        const usable = new Set(test);
        for (const o of fold.test) if (o.domainIndex === d && !usable.has(o)) predictions.set(index.get(o)!, NaN);
      }
      if (test.length === 0) continue;
      const out = outcome({ law, domain: d, fold: f });
      if (!out || 'error' in out) {
        failed++;
        for (const o of test) predictions.set(index.get(o)!, NaN);
        continue;
      }
      const made = out.fit.predicted;
      for (const [k, o] of test.entries()) {
        const p = made ? made[k]! : predictDomain(law, out.fit.params, name, data.domains, data.mixtures[o.runIndex]!, o.step);
        predictions.set(index.get(o)!, Number.isFinite(p) ? p : NaN);
      }
    }
  });
  if (failed > 0) notes.push(`${failed} domain fit(s) in holdout folds had too few training points; their held-out points are unscored`);
  return { protocol, predictions, notes };
}
