/**
 * The exponential data-mixing law of Ye et al. (2024): L_i(r) = c_i + k_i exp(sum_j t_ij r_j),
 * fitted at a fixed step (each run's final step). Because sum_j r_j = 1, t is only defined up to
 * a common shift, so it is fitted with t_last = 0 and reported centred (sum_j t_ij = 0).
 */
import { BimixError } from '../errors.js';
import type { LossData, Observation } from './data.js';
import type { DomainFit, ExpParams } from './law-types.js';
import { choleskySolve, fitSeparable, type SeparableProblem } from './least-squares.js';

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
  // Only varying domains carry a t; the last of them is the gauge (t = 0 before centring).
  const free = data.domains.map((_, j) => j).filter((j) => varying[j]).slice(0, -1);
  const n = mine.length;
  const Xf = free.map((j) => Float64Array.from(X, (r) => r[j]!));
  const problem: SeparableProblem = {
    y: Float64Array.from(y),
    q: 2,
    p: free.length,
    lower: free.map(() => -Infinity),
    upper: free.map(() => Infinity),
    basis: (theta, cols) => {
      cols[0]!.fill(1);
      const z = cols[1]!;
      for (let i = 0; i < n; i++) {
        let e = 0;
        for (let k = 0; k < theta.length; k++) e += theta[k]! * Xf[k]![i]!;
        z[i] = Math.exp(e);
      }
    },
    derivative: (theta, lin, cols, jac) => {
      const z = cols[1]!;
      for (let k = 0; k < theta.length; k++) for (let i = 0; i < n; i++) jac[k]![i] = lin[1]! * z[i]! * Xf[k]![i]!;
    },
  };
  // At t = 0 the two columns coincide and the projected Jacobian vanishes, so start from the
  // log-linear fit log(y - c0) ~ log k + t . r with c0 below every loss.
  const best = fitSeparable(problem, logLinearStart(Xf, y, 0.5 * Math.min(...y)));
  const t = new Array<number>(m).fill(0);
  free.forEach((j, k) => (t[j] = best.theta[k]!));
  const fit = { c: best.lin[0]!, k: best.lin[1]!, rss: best.rss };
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

/** Least-squares t of log(y - c0) = a + sum_k t_k x_k (tiny ridge keeps collinear shares solvable). */
function logLinearStart(Xf: readonly Float64Array[], y: readonly number[], c0: number): number[] {
  const p = Xf.length;
  const n = y.length;
  const z = y.map((v) => Math.log(Math.max(v - c0, 1e-12)));
  const cols = [new Float64Array(n).fill(1), ...Xf];
  const M = cols.map((a) => cols.map((b) => dotArr(a, b)));
  const v = cols.map((a) => a.reduce((s, x, i) => s + x * z[i]!, 0));
  const scale = Math.max(...M.map((row, i) => row[i]!));
  M.forEach((row, i) => (row[i] = row[i]! + 1e-9 * scale));
  const sol = choleskySolve(M, v);
  return sol ? sol.slice(1, p + 1) : new Array<number>(p).fill(0);
}

function dotArr(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function mostCommon(values: number[]): number {
  const count = new Map<number, number>();
  for (const v of values) count.set(v, (count.get(v) ?? 0) + 1);
  return [...count.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]![0];
}
