/** Predicting per-domain loss for a mixture and a number of steps from a fitted law. */
import type { LawReport } from './law-types.js';
import { mixtureVector } from './mixture.js';
import { predictDomain } from './registry.js';
import type { ExpParams } from './law-types.js';

/** Per-domain and average predicted loss. */
export interface Prediction {
  law: LawReport['law'];
  steps: number;
  proportions: Record<string, number>;
  domains: { name: string; proportion: number; loss: number | null }[];
  /** Mean over domains; null when some domain's loss is unbounded (zero share under BiMix). */
  average: number | null;
  warnings: string[];
}

/** Predicts every domain's loss under `law` for `mixture` (domain -> share; absent = 0) at `steps`. */
export function predictLoss(law: LawReport, mixture: Record<string, number>, steps: number): Prediction {
  const order = law.domainOrder;
  const vec = mixtureVector(order, mixture);
  const warnings: string[] = [];
  const domains = law.domains.map((d) => {
    const loss = predictDomain(law.law, d.params, d.name, order, vec, steps);
    if (!Number.isFinite(loss)) warnings.push(`domain "${d.name}" has share 0: the ${law.law} law predicts an unbounded loss`);
    if (d.undetermined?.includes('alpha')) warnings.push(`domain "${d.name}": share exponent undetermined (fitted on one proportion), prediction ignores its share`);
    if (d.undetermined?.includes('beta')) warnings.push(`domain "${d.name}": step part undetermined (fitted on one step), prediction ignores the step count`);
    return { name: d.name, proportion: vec[order.indexOf(d.name)]!, loss: Number.isFinite(loss) ? loss : null };
  });
  if (law.law === 'exp') {
    const fitted = (law.domains[0]!.params as ExpParams).step;
    if (fitted !== steps) warnings.push(`the exponential law was fitted at ${law.stepUnit} ${fitted} and does not depend on steps; --steps ${steps} is ignored`);
  }
  const finite = domains.every((d) => d.loss !== null);
  const average = finite ? domains.reduce((a, d) => a + d.loss!, 0) / domains.length : null;
  return { law: law.law, steps, proportions: Object.fromEntries(order.map((d, j) => [d, vec[j]!])), domains, average, warnings };
}
