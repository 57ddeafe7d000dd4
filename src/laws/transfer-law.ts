/**
 * The transfer law: BiMix on an effective share  e_i = r_i + sum_{j != i} tau_ij r_j,
 *   L_i = e_i^-alpha_i (b_i s^-beta_i + c_i),  tau_ij >= 0,
 * so a domain can learn from the rest of the mixture and zero-share runs become usable.
 * tau is regularised toward 0 by an L2 penalty on the sum of squared relative residuals.
 */
import { BimixError } from '../errors.js';
import { bimixParams } from './bimix-law.js';
import type { LossData, Observation } from './data.js';
import { fitBimixPoints } from './bimix-fit.js';
import type { DomainFit, TransferParams } from './law-types.js';
import { fitSeparable, type SeparableFit, type SeparableProblem } from './least-squares.js';

/** Default L2 penalty on tau (objective = sum of squared relative residuals + penalty * sum tau^2). */
export const DEFAULT_TRANSFER_PENALTY = 0.01;

/** What the transfer and interaction fits of domain `d` start from: its points, columns and scales. */
export interface ShareFitSetup {
  mine: Observation[];
  name: string;
  others: number[];
  X: (readonly number[])[];
  y: number[];
  n: number;
  freeAlpha: boolean;
  freeBeta: boolean;
  /** The largest step. */
  sRef: number;
  /** log(step / sRef) per point. */
  logU: Float64Array;
  /** Mean loss (losses are fitted relative to it). */
  ybar: number;
  /** The domain's own share per point. */
  own: Float64Array;
  /** The other domains' shares, one column per domain of `others`. */
  Xo: Float64Array[];
}

/**
 * Collects domain `d`'s points for a law on the effective share, refusing (E_DATA) when there are
 * fewer points than the law's `extraParams` plus its alpha and (b, c, beta) parameters.
 */
export function shareFitSetup(data: LossData, d: number, obs: readonly Observation[], law: string, extraParams: number): ShareFitSetup {
  const mine = obs.filter((o) => o.domainIndex === d);
  const name = data.domains[d]!;
  const others = data.domains.map((_, j) => j).filter((j) => j !== d);
  const X = mine.map((o) => data.mixtures[o.runIndex]!);
  const y = mine.map((o) => o.loss);
  const n = mine.length;
  const freeAlpha = new Set(X.map((r) => r.join(','))).size > 1;
  const freeBeta = new Set(mine.map((o) => o.step)).size > 1;
  const nParams = (freeAlpha ? 1 : 0) + (freeBeta ? 3 : 1) + extraParams;
  if (n < nParams || !X.some((r) => r[d]! > 0)) {
    throw new BimixError('E_DATA', `domain "${name}": too few points for the ${law} law: ${n} point(s) for ${nParams} parameter(s) plus transfer terms`, {
      column: name,
    });
  }
  const sRef = Math.max(...mine.map((o) => o.step));
  const logU = Float64Array.from(mine, (o) => Math.log(o.step / sRef));
  const ybar = y.reduce((a, b) => a + b, 0) / n;
  const own = Float64Array.from(X, (r) => r[d]!);
  const Xo = others.map((j) => Float64Array.from(X, (r) => r[j]!));
  return { mine, name, others, X, y, n, freeAlpha, freeBeta, sRef, logU, ybar, own, Xo };
}

/** Fits the transfer law for domain `d` on `obs`, zero-share points included. */
export function fitTransferDomain(data: LossData, d: number, obs: readonly Observation[], penalty = DEFAULT_TRANSFER_PENALTY): DomainFit {
  const { mine, name, others, X, y, n, freeAlpha, freeBeta, sRef, logU, ybar, own, Xo } = shareFitSetup(data, d, obs, 'transfer', 0);
  const eff = new Float64Array(n);
  // theta = [alpha, beta, tau_1..tau_{m-1}]; alpha (beta) is pinned at 0 when undetermined.
  const effective = (theta: readonly number[]): void => {
    for (let i = 0; i < n; i++) {
      let e = own[i]!;
      for (let k = 0; k < Xo.length; k++) e += theta[2 + k]! * Xo[k]![i]!;
      eff[i] = Math.max(e, 1e-12);
    }
  };
  const problem: SeparableProblem = {
    y: Float64Array.from(y, (v) => v / ybar),
    q: freeBeta ? 2 : 1,
    p: 2 + others.length,
    lower: [0, 0, ...others.map(() => 0)],
    upper: [freeAlpha ? Infinity : 0, freeBeta ? Infinity : 0, ...others.map(() => Infinity)],
    basis: (theta, cols) => {
      effective(theta);
      const C = cols[cols.length - 1]!;
      for (let i = 0; i < n; i++) C[i] = Math.exp(-theta[0]! * Math.log(eff[i]!));
      if (freeBeta) for (let i = 0; i < n; i++) cols[0]![i] = C[i]! * Math.exp(-theta[1]! * logU[i]!);
    },
    derivative: (theta, lin, cols, jac) => {
      const alpha = theta[0]!;
      const C = cols[cols.length - 1]!;
      for (let i = 0; i < n; i++) {
        const bPart = freeBeta ? lin[0]! * cols[0]![i]! : 0;
        const f = bPart + lin[lin.length - 1]! * C[i]!;
        jac[0]![i] = -Math.log(eff[i]!) * f;
        jac[1]![i] = -logU[i]! * bPart;
        const de = eff[i]! > 1e-12 ? (-alpha * f) / eff[i]! : 0;
        for (let k = 0; k < Xo.length; k++) jac[2 + k]![i] = de * Xo[k]![i]!;
      }
    },
    penalty: { weight: penalty, indices: others.map((_, k) => 2 + k) },
  };
  // One start: on real-shaped sweeps every start tried (tau 0.02, 0.1, 0.3; alpha from a BiMix fit
  // or fixed) reached the same objective to 1e-15, so extra starts did not pay (docs/laws.md).
  const a0 = 0.1;
  const b0 = 0.5;
  let best: SeparableFit | undefined;
  for (const t0 of TRANSFER_STARTS) {
    const r = fitSeparable(problem, [freeAlpha ? a0 : 0, freeBeta ? b0 : 0, ...others.map(() => t0)]);
    if (!best || r.objective < best.objective) best = r;
  }
  const lin = best!.lin;
  const sol = { b: freeBeta ? lin[0]! * ybar : 0, c: lin[lin.length - 1]! * ybar, rss: best!.rss * ybar * ybar };
  const alpha = best!.theta[0]!;
  const beta = best!.theta[1]!;
  const tau = best!.theta.slice(2);
  const params: TransferParams = {
    ...bimixParams(alpha, beta, sol.b * Math.pow(sRef, beta), sol.c),
    tau: Object.fromEntries(others.map((j, k) => [data.domains[j]!, tau[k]!])),
  };
  const notes = [`L2 penalty ${penalty} on tau (relative-residual scale)`];
  const zeros = X.filter((r) => r[d] === 0).length;
  if (zeros > 0) notes.push(`${zeros} zero-share point(s) used through transfer`);
  const undetermined = [...(freeBeta ? [] : ['beta', 'b']), ...(freeAlpha ? [] : ['alpha'])];
  return { params, points: n, excluded: 0, rss: sol.rss, undetermined, notes };
}

/** Starting values of tau tried; the fit keeps the best. */
const TRANSFER_STARTS = [0.1];

/** Predicted loss of domain `name` with transfer-law parameters for a mixture (given in `order`) at step s. */
export function predictTransfer(p: TransferParams, name: string, order: readonly string[], mixture: readonly number[], s: number): number {
  const e = effectiveShare(p, name, order, mixture);
  if (e <= 0) return p.alpha === 0 ? p.b * Math.pow(s, -p.beta) + p.c : Number.POSITIVE_INFINITY;
  return Math.pow(e, -p.alpha) * (p.b * Math.pow(s, -p.beta) + p.c);
}

/** Effective share e_i = r_i + sum_j tau_ij r_j. */
export function effectiveShare(p: TransferParams, name: string, order: readonly string[], mixture: readonly number[]): number {
  let e = 0;
  order.forEach((dn, j) => (e += (dn === name ? 1 : (p.tau[dn] ?? 0)) * mixture[j]!));
  return e;
}
