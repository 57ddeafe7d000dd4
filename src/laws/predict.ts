/** Predicting per-domain loss for a mixture and a number of steps from a fitted law. */
import { BimixError, optionError } from '../errors.js';
import type { ExpParams, LawReport, RegressionParams } from './law-types.js';
import { mixtureVector } from './mixture.js';
import { predictDomain } from './registry.js';

/** Per-domain predicted loss and their weighted mean. */
export interface Prediction {
  law: LawReport['law'];
  /** The step count predicted at; null when the law has no step dimension and none was given. */
  steps: number | null;
  proportions: Record<string, number>;
  domains: { name: string; proportion: number; weight: number; loss: number | null }[];
  /**
   * Weighted mean loss sum_i w_i L_i / sum_i w_i (weights default 1) over the domains with a finite
   * prediction (the quantity `optimize` reports); null when no domain has one.
   */
  average: number | null;
  /** Domains the average is taken over (those with a finite prediction and a positive weight). */
  averageOver: string[];
  warnings: string[];
}

/** Whether a law's predictions depend on the step count (false for exp and regression, and for laws fitted on one step). */
export function lawUsesSteps(law: LawReport): boolean {
  return law.law !== 'exp' && law.law !== 'regression' && law.domains.some((d) => !(d.undetermined ?? []).includes('beta'));
}

/** The step count to predict at: `steps` when given; when absent, only laws without a step dimension are accepted. */
export function resolveSteps(law: LawReport, steps: number | undefined): number {
  if (steps !== undefined) {
    if (!(steps > 0)) throw optionError('--steps', 'a positive number', steps);
    return steps;
  }
  if (lawUsesSteps(law)) throw optionError('--steps', `a step count (in ${law.stepUnit}): the ${law.law} law depends on it`, undefined);
  return law.law === 'exp' || law.law === 'regression' ? (law.domains[0]!.params as ExpParams | RegressionParams).step : 1;
}

/** Predicts every domain's loss under `law` for `mixture` (domain -> share; absent = 0) at `steps` (optional when the law has no step dimension). */
export function predictLoss(law: LawReport, mixture: Record<string, number>, steps?: number, weights?: Record<string, number>): Prediction {
  const order = law.domainOrder;
  const vec = mixtureVector(order, mixture);
  const S = resolveSteps(law, steps);
  for (const k of Object.keys(weights ?? {})) {
    if (!law.domains.some((d) => d.name === k)) throw optionError('--weights', `a domain the law predicts (${law.domains.map((d) => d.name).join(', ')})`, k);
  }
  const warnings: string[] = [];
  const domains = law.domains.map((d) => {
    const loss = predictDomain(law.law, d.params, d.name, order, vec, S);
    const weight = weights?.[d.name] ?? 1;
    if (!(weight >= 0 && Number.isFinite(weight))) throw optionError(`--weights ${d.name}`, 'a non-negative number', weight);
    if (!Number.isFinite(loss)) warnings.push(`domain "${d.name}" has share 0: the ${law.law} law predicts an unbounded loss; the average leaves it out`);
    if (d.undetermined?.includes('alpha')) warnings.push(`domain "${d.name}": share exponent undetermined (fitted on one proportion), prediction ignores its share`);
    if (steps !== undefined && d.undetermined?.includes('beta')) warnings.push(`domain "${d.name}": step part undetermined (fitted on one step), prediction ignores the step count`);
    return { name: d.name, proportion: vec[order.indexOf(d.name)]!, weight, loss: Number.isFinite(loss) ? loss : null };
  });
  if (law.law === 'exp' && steps !== undefined) {
    const fitted = (law.domains[0]!.params as ExpParams).step;
    if (fitted !== steps) warnings.push(`the exponential law was fitted at ${law.stepUnit} ${fitted} and does not depend on steps; --steps ${steps} is ignored`);
  }
  if (law.law === 'regression' && steps !== undefined) {
    warnings.push(`the regression law has no step dimension (trees fitted on each run's final loss, ${law.stepUnit} ${(law.domains[0]!.params as RegressionParams).step}); --steps ${steps} is ignored`);
  }
  const over = domains.filter((d) => d.loss !== null && d.weight > 0);
  const wsum = over.reduce((a, d) => a + d.weight, 0);
  const average = wsum > 0 ? over.reduce((a, d) => a + d.weight * d.loss!, 0) / wsum : null;
  if (domains.length === 0) throw new BimixError('E_SCHEMA', 'the law has no domains');
  return {
    law: law.law,
    steps: steps ?? (lawUsesSteps(law) ? S : null),
    proportions: Object.fromEntries(order.map((d, j) => [d, vec[j]!])),
    domains,
    average,
    averageOver: over.map((d) => d.name),
    warnings,
  };
}
