/**
 * Derivative-free local minimisation (Nelder–Mead with restarts), used to refine the few
 * non-linear parameters of each law after a coarse grid has found the right basin.
 */

/** Options for {@link nelderMead}. */
export interface NelderMeadOptions {
  step?: number | number[];
  maxEvals?: number;
  xTol?: number;
  fTol?: number;
  restarts?: number;
}

/** Minimises `f` from `x0`; returns the best point and value. Restarts rebuild the simplex around the best point, which guards against premature collapse. */
export function nelderMead(
  f: (x: number[]) => number,
  x0: number[],
  opts: NelderMeadOptions = {},
): { x: number[]; f: number; evals: number } {
  const n = x0.length;
  const maxEvals = opts.maxEvals ?? 400 * (n + 1) * (n + 1);
  const xTol = opts.xTol ?? 1e-11;
  const fTol = opts.fTol ?? 1e-15;
  let evals = 0;
  const F = (x: number[]): number => {
    evals++;
    const v = f(x);
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
  };
  let best = { x: [...x0], f: F(x0) };
  const restarts = opts.restarts ?? 2;
  for (let round = 0; round <= restarts && evals < maxEvals; round++) {
    const steps = Array.isArray(opts.step) ? opts.step : new Array<number>(n).fill(opts.step ?? 0.1);
    const scale = round === 0 ? 1 : 0.1 ** round;
    const pts: number[][] = [best.x];
    const vals: number[] = [best.f];
    for (let i = 0; i < n; i++) {
      const p = [...best.x];
      p[i] = p[i]! + steps[i]! * scale;
      pts.push(p);
      vals.push(F(p));
    }
    while (evals < maxEvals) {
      const order = vals.map((_, i) => i).sort((a, b) => vals[a]! - vals[b]!);
      const P = order.map((i) => pts[i]!);
      const V = order.map((i) => vals[i]!);
      pts.splice(0, pts.length, ...P);
      vals.splice(0, vals.length, ...V);
      let diam = 0;
      for (let i = 1; i <= n; i++) for (let k = 0; k < n; k++) diam = Math.max(diam, Math.abs(pts[i]![k]! - pts[0]![k]!));
      const spread = Math.abs(vals[n]! - vals[0]!);
      if (diam <= xTol * (1 + Math.max(...pts[0]!.map(Math.abs))) && spread <= fTol * (Math.abs(vals[0]!) + 1e-300)) break;
      if (diam <= 1e-15) break;
      const centroid = new Array<number>(n).fill(0);
      for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) centroid[k]! += pts[i]![k]! / n;
      const along = (t: number): number[] => centroid.map((c, k) => c + t * (pts[n]![k]! - c));
      const xr = along(-1);
      const fr = F(xr);
      if (fr < vals[0]!) {
        const xe = along(-2);
        const fe = F(xe);
        if (fe < fr) {
          pts[n] = xe;
          vals[n] = fe;
        } else {
          pts[n] = xr;
          vals[n] = fr;
        }
      } else if (fr < vals[n - 1]!) {
        pts[n] = xr;
        vals[n] = fr;
      } else {
        const outside = fr < vals[n]!;
        const xc = along(outside ? -0.5 : 0.5);
        const fc = F(xc);
        if (fc < (outside ? fr : vals[n]!)) {
          pts[n] = xc;
          vals[n] = fc;
        } else {
          for (let i = 1; i <= n; i++) {
            pts[i] = pts[i]!.map((v, k) => pts[0]![k]! + 0.5 * (v - pts[0]![k]!));
            vals[i] = F(pts[i]!);
          }
        }
      }
    }
    const i0 = vals.indexOf(Math.min(...vals));
    if (vals[i0]! <= best.f) best = { x: [...pts[i0]!], f: vals[i0]! };
  }
  return { x: best.x, f: best.f, evals };
}
