/**
 * Holdout protocols. `last`: refit without every run's final step and predict it (extrapolation
 * in steps, BiMix Sec. 5.1). `runs=K`: the k-th run in input order goes to fold k mod K; each fold
 * is predicted by a fit on the others, and predictions from all folds are pooled before scoring.
 */
import { BimixError, isBimixError, optionError } from '../errors.js';
import type { LossData, Observation } from './data.js';
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

/** Runs a holdout protocol for one law. */
export function holdoutPredictions(law: LawName, data: LossData, spec: HoldoutSpec, opts: LawFitOptions = {}): HoldoutPredictions {
  const impl = LAWS[law];
  const protocol = holdoutName(spec);
  const predictions = new Map<number, number>();
  const notes: string[] = [];
  const index = new Map<Observation, number>(data.observations.map((o, i) => [o, i]));
  const folds: { train: Observation[]; test: Observation[] }[] = [];
  if (spec.kind === 'last') {
    if (!impl.usesSteps) {
      notes.push(`--holdout last does not apply to the ${law} law: it has no step dependence`);
      return { protocol, predictions, notes };
    }
    const last = new Map<number, number>();
    for (const o of data.observations) last.set(o.runIndex, Math.max(last.get(o.runIndex) ?? -Infinity, o.step));
    const test = data.observations.filter((o) => o.step === last.get(o.runIndex));
    const train = data.observations.filter((o) => o.step !== last.get(o.runIndex));
    if (train.length === 0) throw new BimixError('E_DATA', '--holdout last needs more than one step per run');
    folds.push({ train, test });
  } else {
    if (spec.k > data.runs.length) throw optionError('--holdout', `runs=K with K <= the number of runs (${data.runs.length})`, protocol);
    for (let f = 0; f < spec.k; f++) {
      folds.push({
        train: data.observations.filter((o) => o.runIndex % spec.k !== f),
        test: data.observations.filter((o) => o.runIndex % spec.k === f),
      });
    }
  }
  let failed = 0;
  for (const fold of folds) {
    data.evaluated.forEach((d) => {
      const name = data.domains[d]!;
      const test = impl.used(data, d, fold.test);
      if (law === 'bimix') {
        // Zero-share held-out points are ones BiMix cannot predict: count them as unscored.
        for (const o of fold.test) if (o.domainIndex === d && !test.includes(o)) predictions.set(index.get(o)!, NaN);
      }
      if (test.length === 0) return;
      let fit;
      try {
        fit = impl.fitDomain(data, d, fold.train, opts);
      } catch (e) {
        if (!isBimixError(e)) throw e;
        failed++;
        for (const o of test) predictions.set(index.get(o)!, NaN);
        return;
      }
      for (const o of test) {
        const p = predictDomain(law, fit.params, name, data.domains, data.mixtures[o.runIndex]!, o.step);
        predictions.set(index.get(o)!, Number.isFinite(p) ? p : NaN);
      }
    });
  }
  if (failed > 0) notes.push(`${failed} domain fit(s) in holdout folds had too few training points; their held-out points are unscored`);
  return { protocol, predictions, notes };
}
