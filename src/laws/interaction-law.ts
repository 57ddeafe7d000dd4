/**
 * The interaction law: the transfer law times a low-rank pairwise interaction of the whole mixture,
 *   L_i = e_i^-alpha_i (b_i s^-beta_i + c_i) exp( sum_{k<R} (r . u_ik)(r . v_ik) ),
 *   e_i = r_i + sum_{j != i} tau_ij r_j,  tau_ij >= 0,
 * so sum_k u_ik v_ik^T (symmetrised) is a rank-2R quadratic form in r. The factor does not depend on
 * the step, so the law extrapolates in steps exactly as the transfer law does. tau, u and v carry
 * an L2 penalty on the relative-residual scale (it also fixes the scale shared by u_k and v_k).
 */
import { bimixParams } from './bimix-law.js';
import type { LossData, Observation } from './data.js';
import type { DomainFit, InteractionParams } from './law-types.js';
import { fitSeparable, type SeparableFit, type SeparableProblem } from './least-squares.js';
import { DEFAULT_TRANSFER_PENALTY, shareFitSetup } from './transfer-law.js';

/** Default rank of the interaction. */
export const DEFAULT_INTERACTION_RANK = 1;

/** Fits the interaction law for domain `d` on `obs`. */
export function fitInteractionDomain(
  data: LossData,
  d: number,
  obs: readonly Observation[],
  penalty = DEFAULT_TRANSFER_PENALTY,
  rank = DEFAULT_INTERACTION_RANK,
): DomainFit {
  const m = data.domains.length;
  const { mine, name, others, X, y, n, freeAlpha, freeBeta, sRef, logU, ybar, own, Xo } = shareFitSetup(data, d, obs, 'interaction', 2 * rank * m);
  const Xa = data.domains.map((_, j) => Float64Array.from(X, (r) => r[j]!));
  const T = 2 + others.length; // first interaction index
  const eff = new Float64Array(n);
  const ru = Array.from({ length: rank }, () => new Float64Array(n));
  const rv = Array.from({ length: rank }, () => new Float64Array(n));
  const g = new Float64Array(n);
  const prepare = (theta: readonly number[]): void => {
    for (let i = 0; i < n; i++) {
      let e = own[i]!;
      for (let k = 0; k < Xo.length; k++) e += theta[2 + k]! * Xo[k]![i]!;
      eff[i] = Math.max(e, 1e-12);
    }
    g.fill(0);
    for (let k = 0; k < rank; k++) {
      const uo = T + 2 * k * m;
      const vo = uo + m;
      const a = ru[k]!;
      const b = rv[k]!;
      a.fill(0);
      b.fill(0);
      for (let j = 0; j < m; j++) {
        const xj = Xa[j]!;
        const uj = theta[uo + j]!;
        const vj = theta[vo + j]!;
        if (uj === 0 && vj === 0) continue;
        for (let i = 0; i < n; i++) {
          a[i]! += uj * xj[i]!;
          b[i]! += vj * xj[i]!;
        }
      }
      for (let i = 0; i < n; i++) g[i]! += a[i]! * b[i]!;
    }
  };
  const p = T + 2 * rank * m;
  const problem: SeparableProblem = {
    y: Float64Array.from(y, (v) => v / ybar),
    q: freeBeta ? 2 : 1,
    p,
    lower: [0, 0, ...others.map(() => 0), ...new Array<number>(2 * rank * m).fill(-Infinity)],
    upper: [freeAlpha ? Infinity : 0, freeBeta ? Infinity : 0, ...others.map(() => Infinity), ...new Array<number>(2 * rank * m).fill(Infinity)],
    basis: (theta, cols) => {
      prepare(theta);
      const C = cols[cols.length - 1]!;
      for (let i = 0; i < n; i++) C[i] = Math.exp(-theta[0]! * Math.log(eff[i]!) + g[i]!);
      if (freeBeta) for (let i = 0; i < n; i++) cols[0]![i] = C[i]! * Math.exp(-theta[1]! * logU[i]!);
    },
    derivative: (theta, lin, cols, jac) => {
      prepare(theta);
      const alpha = theta[0]!;
      const C = cols[cols.length - 1]!;
      const f = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const bPart = freeBeta ? lin[0]! * cols[0]![i]! : 0;
        f[i] = bPart + lin[lin.length - 1]! * C[i]!;
        jac[0]![i] = -Math.log(eff[i]!) * f[i]!;
        jac[1]![i] = -logU[i]! * bPart;
        const de = eff[i]! > 1e-12 ? (-alpha * f[i]!) / eff[i]! : 0;
        for (let k = 0; k < Xo.length; k++) jac[2 + k]![i] = de * Xo[k]![i]!;
      }
      for (let k = 0; k < rank; k++) {
        const uo = T + 2 * k * m;
        const vo = uo + m;
        for (let j = 0; j < m; j++) {
          const xj = Xa[j]!;
          const ju = jac[uo + j]!;
          const jv = jac[vo + j]!;
          for (let i = 0; i < n; i++) {
            ju[i] = f[i]! * rv[k]![i]! * xj[i]!;
            jv[i] = f[i]! * ru[k]![i]! * xj[i]!;
          }
        }
      }
    },
    penalty: { weight: penalty, indices: Array.from({ length: p - 2 }, (_, k) => 2 + k) },
  };
  // u = v = 0 is a saddle of the objective (both gradients vanish), so start from a fixed
  // non-zero pattern; alternating signs so the quadratic form starts indefinite.
  const start: number[] = [freeAlpha ? 0.1 : 0, freeBeta ? 0.5 : 0, ...others.map(() => 0.1)];
  for (let k = 0; k < rank; k++) {
    for (let j = 0; j < m; j++) start.push(0.1 * Math.cos(1.3 * (j + 1) * (k + 1)));
    for (let j = 0; j < m; j++) start.push(0.1 * Math.sin(0.7 * (j + 1) * (k + 2)));
  }
  const best: SeparableFit = fitSeparable(problem, start, { maxIterations: 500 });
  const lin = best.lin;
  const b = freeBeta ? lin[0]! * ybar : 0;
  const c = lin[lin.length - 1]! * ybar;
  const th = best.theta;
  const params: InteractionParams = {
    ...bimixParams(th[0]!, th[1]!, b * Math.pow(sRef, th[1]!), c),
    tau: Object.fromEntries(others.map((j, k) => [data.domains[j]!, th[2 + k]!])),
    u: Array.from({ length: rank }, (_, k) => Object.fromEntries(data.domains.map((dn, j) => [dn, th[T + 2 * k * m + j]!]))),
    v: Array.from({ length: rank }, (_, k) => Object.fromEntries(data.domains.map((dn, j) => [dn, th[T + 2 * k * m + m + j]!]))),
  };
  const notes = [`rank-${rank} interaction; L2 penalty ${penalty} on tau, u and v (relative-residual scale)`];
  const undetermined = [...(freeBeta ? [] : ['beta', 'b']), ...(freeAlpha ? [] : ['alpha'])];
  return { params, points: n, excluded: 0, rss: best.rss * ybar * ybar, undetermined, notes };
}

/** Predicted loss of domain `name` with interaction-law parameters for a mixture (in `order`) at step s. */
export function predictInteraction(p: InteractionParams, name: string, order: readonly string[], mixture: readonly number[], s: number): number {
  let e = 0;
  order.forEach((dn, j) => (e += (dn === name ? 1 : (p.tau[dn] ?? 0)) * mixture[j]!));
  const factor = Math.exp(interactionTerm(p, order, mixture));
  if (e <= 0) return p.alpha === 0 ? (p.b * Math.pow(s, -p.beta) + p.c) * factor : Number.POSITIVE_INFINITY;
  return Math.pow(e, -p.alpha) * (p.b * Math.pow(s, -p.beta) + p.c) * factor;
}

/** sum_k (r . u_k)(r . v_k). */
export function interactionTerm(p: InteractionParams, order: readonly string[], mixture: readonly number[]): number {
  let q = 0;
  p.u.forEach((uk, k) => {
    let a = 0;
    let b = 0;
    order.forEach((dn, j) => {
      a += (uk[dn] ?? 0) * mixture[j]!;
      b += (p.v[k]![dn] ?? 0) * mixture[j]!;
    });
    q += a * b;
  });
  return q;
}
