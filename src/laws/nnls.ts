/**
 * Exact non-negative least squares for the handful of linear coefficients the laws have.
 *
 * With p <= 6 columns we enumerate every support set: the NNLS optimum is the unconstrained
 * least-squares solution on its own support, so the best feasible subset solution is exact
 * (no iteration, no tolerance, no cycling).
 */

/** Result of {@link nnls}: coefficients (>= 0) and the residual sum of squares. */
export interface NnlsResult {
  x: number[];
  rss: number;
}

/** Solves the small dense system `M x = v` by Gaussian elimination with partial pivoting; null when singular. */
export function solveDense(M: number[][], v: number[]): number[] | null {
  const n = v.length;
  const a = M.map((row, i) => [...row, v[i]!]);
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[piv]![col]!)) piv = r;
    const scale = Math.max(1e-300, ...a.map((r) => Math.abs(r[col]!)));
    if (Math.abs(a[piv]![col]!) <= 1e-13 * scale) return null;
    [a[col], a[piv]] = [a[piv]!, a[col]!];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r]![col]! / a[col]![col]!;
      if (f === 0) continue;
      for (let k = col; k <= n; k++) a[r]![k]! -= f * a[col]![k]!;
    }
  }
  return a.map((row, i) => row[n]! / row[i]!);
}

/** Minimises ||sum_j x_j cols[j] - y||^2 subject to x >= 0 exactly, for up to 6 columns. */
export function nnls(cols: ArrayLike<number>[], y: ArrayLike<number>): NnlsResult {
  const p = cols.length;
  if (p > 6) throw new Error('nnls: at most 6 columns are supported');
  const n = y.length;
  // Gram matrix and right-hand side once; every subset reuses them.
  const G: number[][] = [];
  const g: number[] = [];
  for (let j = 0; j < p; j++) {
    G.push([]);
    let s = 0;
    for (let i = 0; i < n; i++) s += cols[j]![i]! * y[i]!;
    g.push(s);
    for (let k = 0; k < p; k++) {
      let t = 0;
      for (let i = 0; i < n; i++) t += cols[j]![i]! * cols[k]![i]!;
      G[j]!.push(t);
    }
  }
  let best: NnlsResult = { x: new Array<number>(p).fill(0), rss: residual(cols, y, new Array<number>(p).fill(0)) };
  for (let mask = 1; mask < 1 << p; mask++) {
    const idx: number[] = [];
    for (let j = 0; j < p; j++) if (mask & (1 << j)) idx.push(j);
    const sol = solveDense(
      idx.map((j) => idx.map((k) => G[j]![k]!)),
      idx.map((j) => g[j]!),
    );
    if (!sol || sol.some((v) => !(v >= 0) || !Number.isFinite(v))) continue;
    const x = new Array<number>(p).fill(0);
    idx.forEach((j, t) => (x[j] = sol[t]!));
    // The residual is recomputed directly: the Gram shortcut loses digits when the fit is tight.
    const rss = residual(cols, y, x);
    if (rss < best.rss) best = { x, rss };
  }
  return best;
}

function residual(cols: ArrayLike<number>[], y: ArrayLike<number>, x: number[]): number {
  let rss = 0;
  for (let i = 0; i < y.length; i++) {
    let f = 0;
    for (let j = 0; j < cols.length; j++) f += x[j]! * cols[j]![i]!;
    const d = y[i]! - f;
    rss += d * d;
  }
  return rss;
}
