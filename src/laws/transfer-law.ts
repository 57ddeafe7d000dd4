/**
 * The transfer law: BiMix on an effective share  e_i = r_i + sum_{j != i} tau_ij r_j,
 *   L_i = e_i^-alpha_i (b_i s^-beta_i + c_i),  tau_ij >= 0,
 * so a domain can learn from the rest of the mixture and zero-share runs become usable.
 * tau is regularised toward 0 by an L2 penalty on the sum of squared relative residuals.
 */
import { BimixError } from '../errors.js';
import { bimixParams } from './bimix-law.js';
import type { LossData, Observation } from './data.js';
import { fitBimixPoints } from './fit.js';
import type { DomainFit, TransferParams } from './law-types.js';
import { nelderMead } from './nelder-mead.js';
import { nnls } from './nnls.js';

/** Default L2 penalty on tau (objective = sum of squared relative residuals + penalty * sum tau^2). */
export const DEFAULT_TRANSFER_PENALTY = 0.01;

/** Fits the transfer law for domain `d` on `obs`, zero-share points included. */
export function fitTransferDomain(data: LossData, d: number, obs: readonly Observation[], penalty = DEFAULT_TRANSFER_PENALTY): DomainFit {
  const mine = obs.filter((o) => o.domainIndex === d);
  const name = data.domains[d]!;
  const m = data.domains.length;
  const others = data.domains.map((_, j) => j).filter((j) => j !== d);
  const X = mine.map((o) => data.mixtures[o.runIndex]!);
  const y = mine.map((o) => o.loss);
  const n = mine.length;
  const freeAlpha = new Set(X.map((r) => r.join(','))).size > 1;
  const freeBeta = new Set(mine.map((o) => o.step)).size > 1;
  const nParams = (freeAlpha ? 1 : 0) + (freeBeta ? 3 : 1);
  if (n < nParams || !X.some((r) => r[d]! > 0)) {
    throw new BimixError('E_DATA', `domain "${name}": too few points for the transfer law: ${n} point(s) for ${nParams} parameter(s) plus transfer terms`, {
      column: name,
    });
  }
  const sRef = Math.max(...mine.map((o) => o.step));
  const logU = mine.map((o) => Math.log(o.step / sRef));
  const ybar = y.reduce((a, b) => a + b, 0) / n;
  const yn = y.map((v) => v / ybar);
  const colB = new Float64Array(n);
  const colC = new Float64Array(n);
  const unpack = (x: number[]): { alpha: number; beta: number; tau: number[] } => ({
    alpha: freeAlpha ? Math.max(0, x[0]!) : 0,
    beta: freeBeta ? Math.max(0, x[1]!) : 0,
    tau: others.map((_, k) => Math.max(0, x[2 + k]!)),
  });
  const solve = (x: number[]): { obj: number; rss: number; b: number; c: number } => {
    const { alpha, beta, tau } = unpack(x);
    for (let i = 0; i < n; i++) {
      let e = X[i]![d]!;
      others.forEach((j, k) => (e += tau[k]! * X[i]![j]!));
      colC[i] = Math.pow(Math.max(e, 1e-12), -alpha);
      colB[i] = colC[i]! * Math.exp(-beta * logU[i]!);
    }
    const r = freeBeta ? nnls([colB, colC], yn) : nnls([colC], yn);
    const b = freeBeta ? r.x[0]! : 0;
    const c = freeBeta ? r.x[1]! : r.x[0]!;
    const pen = penalty * tau.reduce((a, t) => a + t * t, 0);
    return { obj: r.rss + pen, rss: r.rss * ybar * ybar, b: b * ybar, c: c * ybar };
  };
  const f = (x: number[]): number => solve(x).obj;
  // Start from the plain BiMix fit on the positive-share points when there are enough of them.
  let a0 = 0.3;
  let b0 = 0.5;
  const pos = mine.filter((o) => data.mixtures[o.runIndex]![d]! > 0).map((o) => ({ r: data.mixtures[o.runIndex]![d]!, s: o.step, y: o.loss }));
  if (pos.length >= 4) {
    const bf = fitBimixPoints(pos);
    a0 = bf.alpha;
    b0 = bf.beta;
  }
  const hasZero = X.some((r) => r[d] === 0);
  const tauStarts = hasZero ? [0.02, 0.1, 0.3] : [0, 0.02, 0.1, 0.3];
  let best: { x: number[]; f: number } | undefined;
  for (const t0 of tauStarts) {
    const x0 = [a0, b0, ...others.map(() => t0)];
    const r = nelderMead(f, x0, { step: [0.05, 0.05, ...others.map(() => 0.05)], restarts: 3, maxEvals: 4000 * (m + 2) });
    if (!best || r.f < best.f) best = { x: r.x, f: r.f };
  }
  const sol = solve(best!.x);
  const { alpha, beta, tau } = unpack(best!.x);
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
