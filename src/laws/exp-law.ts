/**
 * The exponential data-mixing law of Ye et al. (2024): L_i(r) = c_i + k_i exp(sum_j t_ij r_j),
 * fitted at a fixed step (each run's final step). Because sum_j r_j = 1, t is only defined up to
 * a common shift, so it is fitted with t_last = 0 and reported centred (sum_j t_ij = 0).
 */
import { BimixError } from '../errors.js';
import type { LossData, Observation } from './data.js';
import type { DomainFit, ExpParams } from './law-types.js';
import { nelderMead } from './nelder-mead.js';
import { nnls } from './nnls.js';

/** The observations the exponential law uses: each run's final step among `obs`. */
export function finalStepObservations(obs: readonly Observation[]): Observation[] {
  const last = new Map<number, number>();
  for (const o of obs) last.set(o.runIndex, Math.max(last.get(o.runIndex) ?? -Infinity, o.step));
  return obs.filter((o) => o.step === last.get(o.runIndex));
}

/** Fits the exponential law for domain `d` on the final-step observations among `obs`. */
export function fitExpDomain(data: LossData, d: number, obs: readonly Observation[]): DomainFit {
  const all = obs.filter((o) => o.domainIndex === d);
  const mine = finalStepObservations(all);
  const m = data.domains.length;
  const X = mine.map((o) => data.mixtures[o.runIndex]!);
  const y = mine.map((o) => o.loss);
  const varying = data.domains.map((_, j) => new Set(X.map((r) => r[j])).size > 1);
  const nVary = varying.filter(Boolean).length;
  const nParams = 2 + Math.max(0, nVary - 1);
  const name = data.domains[d]!;
  if (mine.length < nParams || new Set(X.map((r) => r.join(','))).size < 2) {
    throw new BimixError(
      'E_DATA',
      `domain "${name}": too few points for the exponential law: ${mine.length} final-step point(s) from ` +
        `${new Set(X.map((r) => r.join(','))).size} distinct mixture(s) for ${nParams} parameters (c, k, and t over ${nVary} varying domains)`,
      { column: name },
    );
  }
  const steps = new Set(mine.map((o) => o.step));
  const step = mostCommon(mine.map((o) => o.step));
  const z = new Float64Array(mine.length);
  const ones = new Float64Array(mine.length).fill(1);
  const toT = (x: number[]): number[] => [...x, 0];
  const solve = (x: number[]): { rss: number; c: number; k: number } => {
    const t = toT(x);
    for (let i = 0; i < X.length; i++) {
      let e = 0;
      for (let j = 0; j < m; j++) e += t[j]! * X[i]![j]!;
      z[i] = Math.exp(e);
    }
    const r = nnls([ones, z], y);
    return { rss: r.rss, c: r.x[0]!, k: r.x[1]! };
  };
  const f = (x: number[]): number => solve(x).rss;
  const starts: number[][] = [new Array<number>(m - 1).fill(0)];
  for (const mag of [1, 3, 8]) {
    // Own share lowers own loss: t_d < 0, or (for the gauge-fixed last domain) every other t > 0.
    starts.push(d < m - 1 ? starts[0]!.map((_, j) => (j === d ? -mag : 0)) : starts[0]!.map(() => mag));
  }
  let best = { x: starts[0]!, f: f(starts[0]!) };
  for (const s of starts) {
    if (m === 1) break;
    const r = nelderMead(f, s, { step: 1, restarts: 3 });
    if (r.f < best.f) best = { x: r.x, f: r.f };
  }
  const fit = solve(best.x);
  const t = toT(best.x);
  const mean = t.reduce((a, b) => a + b, 0) / m;
  const params: ExpParams = {
    c: fit.c,
    k: fit.k * Math.exp(mean),
    t: Object.fromEntries(data.domains.map((dn, j) => [dn, t[j]! - mean])),
    step,
  };
  const notes = [`fitted at each run's final step (${[...steps].join(', ')}); ${all.length - mine.length} earlier point(s) not used`];
  if (steps.size > 1) notes.push('runs end at different steps; the exponential law ignores the step');
  return { params, points: mine.length, excluded: 0, rss: fit.rss, undetermined: [], notes };
}

/** Predicted loss of a domain with exponential-law parameters for a mixture (given in `order`). */
export function predictExp(p: ExpParams, order: readonly string[], mixture: readonly number[]): number {
  let e = 0;
  order.forEach((name, j) => (e += (p.t[name] ?? 0) * mixture[j]!));
  return p.c + p.k * Math.exp(e);
}

function mostCommon(values: number[]): number {
  const count = new Map<number, number>();
  for (const v of values) count.set(v, (count.get(v) ?? 0) + 1);
  return [...count.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]![0];
}
