/**
 * Bounded Levenberg–Marquardt for separable least squares (variable projection).
 *
 * The laws are linear in a few coefficients (b, c or c, k) and non-linear in the rest. For fixed
 * non-linear parameters theta the linear ones are solved exactly by NNLS, so the search runs over
 * theta only, on the projected residual r(theta) = A(theta) l*(theta) - y. Its Jacobian is
 * Kaufman's: the derivative of A(theta) l* with the span of the active columns projected out. The
 * gradient J^T r it gives is exact (r is orthogonal to that span), so the fixed points are the
 * true stationary points; only the curvature model is approximate.
 *
 * Bounds on theta are handled by an active set: a parameter at a bound whose gradient points
 * outwards is held for that step, and every trial point is clipped into the box.
 */
import { nnls } from './nnls.js';

/** A separable problem: minimise ||A(theta) l - y||^2 + weight * sum_{k in penalised} theta_k^2 over l >= 0, lower <= theta <= upper. */
export interface SeparableProblem {
  /** Observed values. */
  y: Float64Array;
  /** Number of linear coefficients (columns of A), at most 6. */
  q: number;
  /** Number of non-linear parameters. */
  p: number;
  lower: readonly number[];
  upper: readonly number[];
  /** Fills the q columns of A(theta). */
  basis(theta: readonly number[], cols: Float64Array[]): void;
  /** Fills jac[k][i] = d(A(theta) l)_i / d theta_k for the given linear coefficients. */
  derivative(theta: readonly number[], lin: readonly number[], cols: readonly Float64Array[], jac: Float64Array[]): void;
  /** Ridge penalty on some non-linear parameters (they enter as extra residuals sqrt(weight) theta_k). */
  penalty?: { weight: number; indices: readonly number[] };
}

/** Result of {@link fitSeparable}. */
export interface SeparableFit {
  theta: number[];
  lin: number[];
  /** Residual sum of squares of the data part. */
  rss: number;
  /** rss plus the penalty. */
  objective: number;
  iterations: number;
  evaluations: number;
}

/** Options of {@link fitSeparable}. */
export interface SeparableOptions {
  maxIterations?: number;
  /** Stop when an accepted step lowers the objective by less than this fraction, twice in a row. */
  relativeReduction?: number;
}

interface Point {
  theta: number[];
  lin: number[];
  rss: number;
  objective: number;
}

/** Minimises a separable problem from theta0 (clipped into the bounds). */
export function fitSeparable(problem: SeparableProblem, theta0: readonly number[], opts: SeparableOptions = {}): SeparableFit {
  const { y, q, p, lower, upper } = problem;
  const n = y.length;
  const maxIterations = opts.maxIterations ?? 300;
  const relTol = opts.relativeReduction ?? 1e-14;
  const cols = Array.from({ length: q }, () => new Float64Array(n));
  const jac = Array.from({ length: p }, () => new Float64Array(n));
  const resid = new Float64Array(n);
  const pen = problem.penalty;
  const penalised = new Array<boolean>(p).fill(false);
  if (pen) for (const k of pen.indices) penalised[k] = true;
  let evaluations = 0;

  const clip = (theta: readonly number[]): number[] => theta.map((v, k) => Math.min(upper[k]!, Math.max(lower[k]!, v)));
  const evaluate = (theta: number[]): Point => {
    evaluations++;
    problem.basis(theta, cols);
    for (const c of cols) for (let i = 0; i < n; i++) if (!Number.isFinite(c[i]!)) return { theta, lin: [], rss: Infinity, objective: Infinity };
    const r = nnls(cols, y);
    let penalty = 0;
    if (pen) for (const k of pen.indices) penalty += pen.weight * theta[k]! * theta[k]!;
    return { theta, lin: r.x, rss: r.rss, objective: r.rss + penalty };
  };

  let cur = evaluate(clip(theta0));
  if (!Number.isFinite(cur.objective) || p === 0) return { ...cur, iterations: 0, evaluations };
  let mu = -1;
  let nu = 2;
  let small = 0;
  let it = 0;
  const H: number[][] = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const g = new Array<number>(p).fill(0);
  for (; it < maxIterations; it++) {
    // Basis and Jacobian at the current point (cols may hold a rejected trial's values).
    problem.basis(cur.theta, cols);
    for (let i = 0; i < n; i++) {
      let f = 0;
      for (let j = 0; j < q; j++) f += cur.lin[j]! * cols[j]![i]!;
      resid[i] = f - y[i]!;
    }
    problem.derivative(cur.theta, cur.lin, cols, jac);
    projectOutActive(cols, cur.lin, jac);
    for (let a = 0; a < p; a++) {
      const ja = jac[a]!;
      let s = 0;
      for (let i = 0; i < n; i++) s += ja[i]! * resid[i]!;
      g[a] = s + (penalised[a] ? pen!.weight * cur.theta[a]! : 0);
      for (let b = 0; b <= a; b++) {
        const jb = jac[b]!;
        let t = 0;
        for (let i = 0; i < n; i++) t += ja[i]! * jb[i]!;
        if (a === b && penalised[a]) t += pen!.weight;
        H[a]![b] = t;
        H[b]![a] = t;
      }
    }
    const free: number[] = [];
    for (let k = 0; k < p; k++) {
      const atLower = cur.theta[k]! <= lower[k]! && g[k]! > 0;
      const atUpper = cur.theta[k]! >= upper[k]! && g[k]! < 0;
      if (!atLower && !atUpper) free.push(k);
    }
    if (free.length === 0) break;
    let maxDiag = 0;
    for (const k of free) maxDiag = Math.max(maxDiag, H[k]![k]!);
    if (!(maxDiag > 0)) break;
    if (mu < 0) mu = 1e-3 * maxDiag;
    let accepted = false;
    for (let inner = 0; inner < 60; inner++) {
      const M = free.map((a) => free.map((b) => H[a]![b]! + (a === b ? mu * Math.max(H[a]![a]!, 1e-12 * maxDiag) : 0)));
      const step = choleskySolve(
        M,
        free.map((k) => -g[k]!),
      );
      if (!step) {
        mu *= nu;
        nu *= 2;
        continue;
      }
      const trialTheta = [...cur.theta];
      free.forEach((k, i) => (trialTheta[k] = trialTheta[k]! + step[i]!));
      const trial = evaluate(clip(trialTheta));
      // Predicted reduction of 0.5 * objective along the clipped step.
      const s = trial.theta.map((v, k) => v - cur.theta[k]!);
      let lin = 0;
      let quad = 0;
      for (let a = 0; a < p; a++) {
        if (s[a] === 0) continue;
        lin += g[a]! * s[a]!;
        for (let b = 0; b < p; b++) quad += s[a]! * H[a]![b]! * s[b]!;
      }
      const predicted = -(lin + 0.5 * quad);
      const actual = 0.5 * (cur.objective - trial.objective);
      if (trial.objective < cur.objective) {
        const rho = predicted > 0 ? actual / predicted : 0;
        mu *= Math.max(1 / 3, 1 - Math.pow(2 * rho - 1, 3));
        nu = 2;
        const rel = (cur.objective - trial.objective) / cur.objective;
        cur = trial;
        accepted = true;
        small = rel < relTol ? small + 1 : 0;
        break;
      }
      mu *= nu;
      nu *= 2;
      if (mu > 1e30 * (1 + maxDiag)) break;
    }
    if (!accepted || small >= 2) break;
  }
  return { theta: cur.theta, lin: cur.lin, rss: cur.rss, objective: cur.objective, iterations: it, evaluations };
}

/** Removes from each jac column its component in the span of the columns whose coefficient is positive. */
function projectOutActive(cols: readonly Float64Array[], lin: readonly number[], jac: Float64Array[]): void {
  const basis: Float64Array[] = [];
  cols.forEach((c, j) => {
    if (!(lin[j]! > 0)) return;
    const v = Float64Array.from(c);
    for (const u of basis) {
      const d = dot(u, v);
      for (let i = 0; i < v.length; i++) v[i]! -= d * u[i]!;
    }
    const norm = Math.sqrt(dot(v, v));
    if (!(norm > 1e-300)) return;
    for (let i = 0; i < v.length; i++) v[i]! /= norm;
    basis.push(v);
  });
  for (const col of jac) {
    for (const u of basis) {
      const d = dot(u, col);
      for (let i = 0; i < col.length; i++) col[i]! -= d * u[i]!;
    }
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Solves the symmetric positive definite system M x = v; null when M is not positive definite. */
export function choleskySolve(M: number[][], v: number[]): number[] | null {
  const n = v.length;
  const L: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = M[i]![j]!;
      for (let k = 0; k < j; k++) s -= L[i]![k]! * L[j]![k]!;
      if (i === j) {
        if (!(s > 0)) return null;
        L[i]![i] = Math.sqrt(s);
      } else L[i]![j] = s / L[j]![j]!;
    }
  }
  const z = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    let s = v[i]!;
    for (let k = 0; k < i; k++) s -= L[i]![k]! * z[k]!;
    z[i] = s / L[i]![i]!;
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let k = i + 1; k < n; k++) s -= L[k]![i]! * x[k]!;
    x[i] = s / L[i]![i]!;
  }
  return x;
}
