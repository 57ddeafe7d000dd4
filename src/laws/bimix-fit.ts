/**
 * Variable-projection fit of one domain's BiMix law  L = r^-alpha * (b * s^-beta + c).
 *
 * For fixed (alpha, beta) the model is linear in (b, c), so that part is solved exactly by
 * NNLS and only (alpha, beta) is searched: a coarse grid finds the basin, Levenberg–Marquardt refines.
 * No initial guess is needed, and b, c >= 0, alpha, beta >= 0 hold by construction.
 */
import { fitSeparable, type SeparableProblem } from './least-squares.js';
import { nnls } from './nnls.js';

/** One point of a single domain: its share r > 0, step s > 0 and observed loss y > 0. */
export interface BimixPoint {
  r: number;
  s: number;
  y: number;
}

/** The identifiable BiMix parameters plus what could not be determined from the data. */
export interface BimixPointFit {
  alpha: number;
  beta: number;
  b: number;
  c: number;
  rss: number;
  /** Number of parameters actually fitted (4 normally, fewer for degenerate data). */
  nParams: number;
  undetermined: string[];
  notes: string[];
}

/** Parameters and their names for degenerate data, so callers can check point counts first. */
export function bimixShape(points: readonly BimixPoint[]): { freeAlpha: boolean; freeBeta: boolean; nParams: number; names: string[] } {
  const freeAlpha = new Set(points.map((p) => p.r)).size > 1;
  const freeBeta = new Set(points.map((p) => p.s)).size > 1;
  const names = [...(freeAlpha ? ['alpha'] : []), ...(freeBeta ? ['beta', 'b', 'c'] : ['K'])];
  return { freeAlpha, freeBeta, nParams: names.length, names };
}

const GRID_STEP = 0.05;
/** Best grid points refined by Levenberg–Marquardt. */
const GRID_STARTS = 3;
const GRID_MAX = 2;

/** Fits r^-alpha (b s^-beta + c) to the points by least squares on the loss (the same objective as SciPy's curve fitting). */
export function fitBimixPoints(points: readonly BimixPoint[]): BimixPointFit {
  const n = points.length;
  const { freeAlpha, freeBeta, nParams } = bimixShape(points);
  // Steps are rescaled to (0, 1] for conditioning; b is converted back at the end.
  const sRef = Math.max(...points.map((p) => p.s));
  const logR = points.map((p) => Math.log(p.r));
  const logU = points.map((p) => Math.log(p.s / sRef));
  const y = points.map((p) => p.y);
  const colB = new Float64Array(n);
  const colC = new Float64Array(n);
  const solve = (alpha: number, beta: number): { rss: number; b: number; c: number } => {
    for (let i = 0; i < n; i++) {
      colC[i] = Math.exp(-alpha * logR[i]!);
      colB[i] = colC[i]! * Math.exp(-beta * logU[i]!);
    }
    if (!freeBeta) {
      const r = nnls([colC], y);
      return { rss: r.rss, b: 0, c: r.x[0]! };
    }
    const r = nnls([colB, colC], y);
    return { rss: r.rss, b: r.x[0]!, c: r.x[1]! };
  };
  const unpack = (x: number[]): [number, number] => {
    let k = 0;
    const alpha = freeAlpha ? Math.max(0, x[k++]!) : 0;
    const beta = freeBeta ? Math.max(0, x[k++]!) : 0;
    return [alpha, beta];
  };
  const objective = (x: number[]): number => solve(...unpack(x)).rss;

  // Coarse grid over the free directions; widened while the best point sits on its upper edge.
  let aMax = freeAlpha ? GRID_MAX : 0;
  let bMax = freeBeta ? GRID_MAX : 0;
  let grid: { x: number[]; f: number }[] = [];
  for (let widen = 0; widen < 4; widen++) {
    grid = [];
    for (let a = 0; a <= aMax + 1e-12; a += GRID_STEP * (1 + widen)) {
      for (let b = 0; b <= bMax + 1e-12; b += GRID_STEP * (1 + widen)) {
        const x = [...(freeAlpha ? [a] : []), ...(freeBeta ? [b] : [])];
        grid.push({ x, f: objective(x) });
      }
    }
    grid.sort((p, q) => p.f - q.f);
    const top = unpack(grid[0]!.x);
    const edgeA = freeAlpha && top[0] >= aMax - 1e-9;
    const edgeB = freeBeta && top[1] >= bMax - 1e-9;
    if (!edgeA && !edgeB) break;
    if (edgeA) aMax *= 2;
    if (edgeB) bMax *= 2;
  }
  let best = { x: unpack(grid[0]!.x) as number[], f: grid[0]!.f };
  if (freeAlpha || freeBeta) {
    const problem: SeparableProblem = {
      y: Float64Array.from(y),
      q: freeBeta ? 2 : 1,
      p: 2,
      lower: [0, 0],
      upper: [freeAlpha ? Infinity : 0, freeBeta ? Infinity : 0],
      basis: (theta, cols) => {
        const C = cols[cols.length - 1]!;
        for (let i = 0; i < n; i++) C[i] = Math.exp(-theta[0]! * logR[i]!);
        if (freeBeta) for (let i = 0; i < n; i++) cols[0]![i] = C[i]! * Math.exp(-theta[1]! * logU[i]!);
      },
      derivative: (_theta, lin, cols, jac) => {
        const C = cols[cols.length - 1]!;
        for (let i = 0; i < n; i++) {
          const bPart = freeBeta ? lin[0]! * cols[0]![i]! : 0;
          jac[0]![i] = -logR[i]! * (bPart + lin[lin.length - 1]! * C[i]!);
          jac[1]![i] = -logU[i]! * bPart;
        }
      },
    };
    for (const start of grid.slice(0, GRID_STARTS)) {
      const r = fitSeparable(problem, unpack(start.x));
      if (r.rss < best.f) best = { x: r.theta, f: r.rss };
    }
  }
  const [alpha, beta] = [best.x[0]!, best.x[1]!];
  const lin = solve(alpha, beta);
  const b = lin.b * Math.pow(sRef, beta);
  const undetermined: string[] = [];
  const notes: string[] = [];
  if (!freeBeta) {
    undetermined.push('beta', 'b');
    notes.push(`only one step (${sRef}): the step part is undetermined; fitted r^-alpha * K with K reported as c (beta = 0, b = 0)`);
  }
  if (!freeAlpha) {
    undetermined.push('alpha');
    notes.push(
      `only one proportion (${points[0]?.r}): the share exponent is undetermined; fitted the step part only with alpha = 0, so predictions ignore the share`,
    );
  }
  return { alpha, beta, b, c: lin.c, rss: bimixRss(points, alpha, beta, b, lin.c), nParams, undetermined, notes };
}

/** The BiMix law r^-alpha (b s^-beta + c). */
export function bimixValue(r: number, s: number, alpha: number, beta: number, b: number, c: number): number {
  return Math.pow(r, -alpha) * (b * Math.pow(s, -beta) + c);
}

/** Residual sum of squares of the BiMix law on the points, in original units. */
export function bimixRss(points: readonly BimixPoint[], alpha: number, beta: number, b: number, c: number): number {
  let rss = 0;
  for (const p of points) rss += (p.y - bimixValue(p.r, p.s, alpha, beta, b, c)) ** 2;
  return rss;
}
