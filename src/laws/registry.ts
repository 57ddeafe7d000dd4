/** The laws behind one interface: fit one domain, say which observations it uses, predict. */
import { BIMIX_NORMALISATION, fitBimixDomain, predictBimix } from './bimix-law.js';
import type { LossData, Observation } from './data.js';
import { finalStepObservations, fitExpDomain, predictExp } from './exp-law.js';
import { fitInteractionDomain, predictInteraction } from './interaction-law.js';
import type { BimixParams, DomainFit, ExpParams, InteractionParams, LawFitOptions, LawName, LawParams, RegressionParams, TransferParams } from './law-types.js';
import { fitRegressionDomain, predictRegression, predictRegressionRows, requireXgboost } from './regression-law.js';
import { fitTransferDomain, predictTransfer } from './transfer-law.js';

/** What the orchestration needs from a law. */
export interface LawImpl {
  name: LawName;
  normalisation: string;
  /** Whether the law can extrapolate in steps (the `--holdout last` protocol). */
  usesSteps: boolean;
  fitDomain(data: LossData, d: number, obs: readonly Observation[], opts: LawFitOptions): DomainFit;
  /** The observations of domain d (among obs) this law fits or can be scored on. */
  used(data: LossData, d: number, obs: readonly Observation[]): Observation[];
  /** Throws (with a code) when the law cannot be fitted here at all, e.g. a missing library. */
  check?(): void;
  /**
   * For laws whose parameters are costly to move between threads and to evaluate (trees): fit and
   * predict `at` in the job; the fit carries the predictions in `predicted`. With `keepModel` false
   * (holdout folds) the parameters need not be usable for prediction.
   */
  fitAndPredict?(data: LossData, d: number, obs: readonly Observation[], at: readonly Observation[], keepModel: boolean, opts: LawFitOptions): DomainFit;
}

/** Every law by name. */
export const LAWS: Record<LawName, LawImpl> = {
  bimix: {
    name: 'bimix',
    normalisation: BIMIX_NORMALISATION,
    usesSteps: true,
    fitDomain: (data, d, obs) => fitBimixDomain(data, d, obs),
    used: (data, d, obs) => obs.filter((o) => o.domainIndex === d && data.mixtures[o.runIndex]![d]! > 0),
  },
  exp: {
    name: 'exp',
    normalisation: 't centred so that sum_j t_j = 0 (t is defined only up to a common shift because proportions sum to 1)',
    usesSteps: false,
    fitDomain: (data, d, obs) => fitExpDomain(data, d, obs),
    used: (_data, d, obs) => finalStepObservations(obs.filter((o) => o.domainIndex === d)),
  },
  transfer: {
    name: 'transfer',
    normalisation: `${BIMIX_NORMALISATION}; effective share e_i = r_i + sum_j tau_ij r_j`,
    usesSteps: true,
    fitDomain: (data, d, obs, opts) => fitTransferDomain(data, d, obs, opts.transferPenalty),
    used: (_data, d, obs) => obs.filter((o) => o.domainIndex === d),
  },
  interaction: {
    name: 'interaction',
    normalisation: `${BIMIX_NORMALISATION}; effective share e_i = r_i + sum_j tau_ij r_j; interaction factor exp((r . u)(r . v))`,
    usesSteps: true,
    fitDomain: (data, d, obs, opts) => fitInteractionDomain(data, d, obs, opts.transferPenalty),
    used: (_data, d, obs) => obs.filter((o) => o.domainIndex === d),
  },
  regression: {
    name: 'regression',
    normalisation: 'none: gradient-boosted trees over the whole mixture (RegMix), stored as XGBoost JSON models',
    usesSteps: false,
    check: () => void requireXgboost(),
    fitDomain: (data, d, obs) => {
      const { predicted: _unused, ...fit } = fitRegressionDomain(data, d, obs);
      return fit;
    },
    fitAndPredict: (data, d, obs, at, keepModel) => fitRegressionDomain(data, d, obs, at, keepModel),
    used: (_data, d, obs) => finalStepObservations(obs.filter((o) => o.domainIndex === d)),
  },
};

/** Predicted loss of domain `name` under `law` for a mixture (in `order`) at `step`. */
export function predictDomain(law: LawName, params: LawParams, name: string, order: readonly string[], mixture: readonly number[], step: number): number {
  switch (law) {
    case 'bimix':
      return predictBimix(params as BimixParams, mixture[order.indexOf(name)] ?? 0, step);
    case 'exp':
      return predictExp(params as ExpParams, order, mixture);
    case 'transfer':
      return predictTransfer(params as TransferParams, name, order, mixture, step);
    case 'interaction':
      return predictInteraction(params as InteractionParams, name, order, mixture, step);
    case 'regression':
      return predictRegression(params as RegressionParams, order, mixture);
  }
}

/** {@link predictDomain} for many mixtures (one step each) at once: one model load for trees (on `threads` threads; the values do not depend on it). */
export function predictDomainRows(
  law: LawName,
  params: LawParams,
  name: string,
  order: readonly string[],
  mixtures: readonly (readonly number[])[],
  steps: readonly number[],
  threads = 1,
): number[] {
  if (law === 'regression') return predictRegressionRows(params as RegressionParams, order, mixtures, threads);
  return mixtures.map((r, i) => predictDomain(law, params, name, order, r, steps[i]!));
}
