/**
 * Choosing the mixture that minimises sum_i w_i L_i(r, S) over the simplex with bounds.
 * BiMix is separable and each term convex in r_i, so its KKT conditions are solved exactly:
 * r_i = clip((alpha_i K_i(S) w_i / lambda)^(1/(alpha_i+1)), lo_i, hi_i) with lambda found by
 * bisection. The exponential and transfer laws are convex but coupled: projected gradient descent.
 * The interaction law's factor exp((r . u)(r . v)) makes it non-convex in general: projected gradient
 * descent from several starts keeps the best local optimum and says when the starts disagreed.
 * The regression law (trees) is piecewise constant: RegMix's approach, the best of many sampled mixtures.
 */
import { availableParallelism } from 'node:os';
import { BimixError, optionError } from '../errors.js';
import { interactionTerm } from './interaction-law.js';
import type { BimixParams, DomainReport, ExpParams, InteractionParams, LawReport, TransferParams } from './law-types.js';
import { mixtureVector } from './mixture.js';
import { resolveSteps } from './predict.js';
import { predictDomain, predictDomainRows } from './registry.js';
import { fixSum, projectCappedSimplex } from './simplex.js';

/** Inputs of {@link optimizeMixture}; maps are keyed by domain name. */
export interface OptimizeOptions {
  /** Target steps; optional when the law has no step dimension. */
  steps?: number;
  weights?: Record<string, number>;
  min?: Record<string, number>;
  max?: Record<string, number>;
  /** Tokens available per domain; with totalTokens and maxEpochs they become upper bounds. */
  available?: Record<string, number>;
  totalTokens?: number;
  maxEpochs?: number;
  reference?: Record<string, number>;
  /** Regression law: how many mixtures to sample and score (default {@link DEFAULT_SAMPLES}). */
  samples?: number;
  /** Regression law: seed of the sampler (default 0). */
  seed?: number;
}

/** Mixtures scored by default when optimizing the regression law. */
export const DEFAULT_SAMPLES = 10_000;

/** The optimal mixture and its predicted losses. */
export interface OptimizeResult {
  law: LawReport['law'];
  steps: number;
  method: string;
  /** Regression law: the sample the optimum was chosen from (a sampled optimum, not exact). */
  sampled?: { samples: number; seed: number };
  proportions: Record<string, number>;
  domains: { name: string; proportion: number; min: number; max: number; weight: number; loss: number }[];
  /** The minimised objective sum_i w_i L_i. */
  weightedLoss: number;
  /** sum_i w_i L_i / sum_i w_i: the quantity `predict` reports as its average. */
  weightedMean: number;
  reference?: {
    proportions: Record<string, number>;
    weightedLoss: number | null;
    weightedMean: number | null;
    gain: number | null;
    domains: { name: string; loss: number | null }[];
  };
  warnings: string[];
}

/** Minimises the weighted predicted loss over mixtures within bounds. */
export function optimizeMixture(law: LawReport, opts: OptimizeOptions): OptimizeResult {
  const order = law.domainOrder;
  const names = law.domains.map((d) => d.name);
  const known = (what: string, m: Record<string, number> | undefined) => {
    for (const k of Object.keys(m ?? {})) if (!order.includes(k)) throw optionError(what, `a domain of the law (${order.join(', ')})`, k);
  };
  known('--weights', opts.weights);
  known('--min', opts.min);
  known('--max', opts.max);
  known('--available', opts.available);
  const steps = resolveSteps(law, opts.steps);
  const warnings: string[] = [];
  const weightOf = (d: string) => {
    const w = opts.weights?.[d] ?? (names.includes(d) ? 1 : 0);
    if (!(w >= 0) || !Number.isFinite(w)) throw optionError(`--weights ${d}`, 'a non-negative number', w);
    return w;
  };
  const w = order.map(weightOf);
  const wsum = w.reduce((a, b) => a + b, 0);
  if (!(wsum > 0)) throw optionError('--weights', 'at least one positive weight', 'all zero');
  const { lo, hi } = bounds(order, opts);
  // Losses already predicted in a batch (the regression law's samples), by mixture then domain.
  const memo = new Map<readonly number[], Map<string, number>>();
  const lossAt = (d: DomainReport, r: readonly number[]): number => memo.get(r)?.get(d.name) ?? predictDomain(law.law, d.params, d.name, order, r, steps);
  const obj = (r: readonly number[]): number => {
    let s = 0;
    law.domains.forEach((d) => {
      const wi = w[order.indexOf(d.name)]!;
      if (wi > 0) s += wi * lossAt(d, r);
    });
    return s;
  };
  const ref = opts.reference ? mixtureVector(order, opts.reference, '--reference') : undefined;
  for (const d of law.domains) if (d.undetermined?.includes('alpha')) warnings.push(`domain "${d.name}": share exponent undetermined; treated as insensitive to its share`);
  let r: number[];
  let method: string;
  let sampled: OptimizeResult['sampled'];
  if (law.law === 'regression') {
    const samples = opts.samples ?? DEFAULT_SAMPLES;
    const seed = opts.seed ?? 0;
    if (!(Number.isInteger(samples) && samples >= 1)) throw optionError('--samples', 'a positive whole number', opts.samples);
    if (!(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32)) throw optionError('--seed', 'a whole number from 0 to 2^32 - 1', opts.seed);
    const cands = sampleMixtures(lo, hi, samples, seed);
    const rows = ref ? [...cands, ref] : cands;
    const threads = Math.max(1, availableParallelism());
    for (const d of law.domains) {
      const pred = predictDomainRows(law.law, d.params, d.name, order, rows, [], threads);
      rows.forEach((row, i) => {
        if (!memo.has(row)) memo.set(row, new Map());
        memo.get(row)!.set(d.name, pred[i]!);
      });
    }
    let best = 0;
    const scores = cands.map(obj);
    scores.forEach((v, i) => {
      if (v < scores[best]!) best = i;
    });
    r = cands[best]!;
    for (const row of cands) if (row !== r) memo.delete(row);
    method = `best of ${samples} sampled mixtures within the bounds (symmetric Dirichlet, concentration log-uniform in [0.1, 5], seed ${seed}): a sampled optimum, not an exact one`;
    sampled = { samples, seed };
  } else if (law.law === 'bimix') {
    r = solveBimixKkt(law, order, w, lo, hi, steps);
    method = 'exact KKT (bisection on the multiplier)';
  } else if (law.law === 'interaction') {
    // Starts: the uniform mixture and, per domain, one leaning half of the mass towards it.
    const m = order.length;
    const starts = [new Array<number>(m).fill(1 / m), ...order.map((_, j) => order.map((__, i) => (i === j ? 0.5 : 0) + 0.5 / m))];
    const ends = starts.map((s) => projectedGradient(obj, (x) => gradient(law, order, w, x, steps), lo, hi, s));
    const vals = ends.map(obj);
    const best = vals.reduce((b, v, i) => (v < vals[b]! ? i : b), 0);
    r = ends[best]!;
    const worse = vals.filter((v) => v > vals[best]! + 1e-9 * Math.abs(vals[best]!)).length;
    method = `projected gradient descent with backtracking from ${starts.length} starts (objective not convex in general: best local optimum)`;
    if (worse > 0) warnings.push(`${worse} of ${starts.length} optimizer starts ended at a worse local optimum: the interaction law's objective is not convex here`);
  } else {
    r = projectedGradient(obj, (x) => gradient(law, order, w, x, steps), lo, hi);
    method = 'projected gradient descent with backtracking (objective convex)';
  }
  const domains = order.map((name, i) => {
    const dom = law.domains.find((d) => d.name === name);
    return {
      name,
      proportion: r[i]!,
      min: lo[i]!,
      max: hi[i]!,
      weight: w[i]!,
      loss: dom ? lossAt(dom, r) : NaN,
    };
  });
  const result: OptimizeResult = {
    law: law.law,
    steps,
    method,
    ...(sampled ? { sampled } : {}),
    proportions: Object.fromEntries(order.map((d, i) => [d, r[i]!])),
    domains,
    weightedLoss: obj(r),
    weightedMean: obj(r) / wsum,
    warnings,
  };
  if (ref) {
    const refLoss = obj(ref);
    const outside = order.filter((_, i) => ref[i]! < lo[i]! || ref[i]! > hi[i]!);
    if (outside.length > 0) {
      warnings.push(`the reference mixture violates the bounds for ${outside.map((d) => `"${d}"`).join(', ')}: the gain is measured against a mixture the optimizer was not allowed to choose`);
    }
    result.reference = {
      proportions: Object.fromEntries(order.map((d, i) => [d, ref[i]!])),
      weightedLoss: Number.isFinite(refLoss) ? refLoss : null,
      weightedMean: Number.isFinite(refLoss) ? refLoss / wsum : null,
      gain: Number.isFinite(refLoss) ? refLoss - result.weightedLoss : null,
      domains: law.domains.map((d) => {
        const l = lossAt(d, ref);
        return { name: d.name, loss: Number.isFinite(l) ? l : null };
      }),
    };
  }
  if (law.law === 'exp' && opts.steps !== undefined) warnings.push(`the exponential law ignores the step count (fitted at ${law.stepUnit} ${(law.domains[0]!.params as ExpParams).step})`);
  if (law.law === 'regression' && opts.steps !== undefined) warnings.push(`the regression law has no step dimension; --steps ${opts.steps} is ignored`);
  return result;
}

/**
 * `n` mixtures within [lo, hi] summing to 1: symmetric Dirichlet draws (a concentration drawn
 * log-uniformly in [0.1, 5] per sample, so both sparse and even mixtures occur) placed above the
 * lower bounds, and projected onto the capped simplex when they exceed an upper bound.
 */
export function sampleMixtures(lo: readonly number[], hi: readonly number[], n: number, seed: number): number[][] {
  const rand = mulberry32(seed);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  // Marsaglia and Tsang; shape < 1 through Gamma(shape + 1) * U^(1/shape).
  const gamma = (shape: number): number => {
    if (shape < 1) return gamma(shape + 1) * Math.pow(1 - rand(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = 1 - rand();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
    }
  };
  const room = 1 - lo.reduce((a, b) => a + b, 0);
  const out: number[][] = [];
  for (let k = 0; k < n; k++) {
    const conc = Math.exp(Math.log(0.1) + rand() * Math.log(50));
    const g = lo.map(() => gamma(conc));
    const sum = g.reduce((a, b) => a + b, 0);
    let r = g.map((x, i) => lo[i]! + (room * (sum > 0 ? x / sum : 1 / g.length)));
    if (r.some((x, i) => x > hi[i]!)) r = projectCappedSimplex(r, lo, hi);
    out.push(fixSum(r, lo, hi));
  }
  return out;
}

/** A small seeded generator of uniforms in [0, 1) (mulberry32). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Lower and upper bounds per domain (availability becomes an upper bound); throws E_INFEASIBLE when they admit no mixture. */
export function bounds(order: readonly string[], opts: OptimizeOptions): { lo: number[]; hi: number[] } {
  const hasAvail = opts.available && Object.keys(opts.available).length > 0;
  if (hasAvail && !(opts.totalTokens !== undefined && opts.totalTokens > 0)) throw optionError('--total-tokens', 'a positive token count when --available is given', opts.totalTokens);
  const epochs = opts.maxEpochs ?? 1;
  if (!(epochs > 0)) throw optionError('--max-epochs', 'a positive number', opts.maxEpochs);
  const lo = order.map((d) => opts.min?.[d] ?? 0);
  const hi = order.map((d) => {
    let h = opts.max?.[d] ?? 1;
    const a = opts.available?.[d];
    if (a !== undefined) {
      if (!(a >= 0)) throw optionError(`--available ${d}`, 'a non-negative token count', a);
      h = Math.min(h, (a * epochs) / opts.totalTokens!);
    }
    return h;
  });
  order.forEach((d, i) => {
    if (!(lo[i]! >= 0 && lo[i]! <= 1)) throw optionError(`--min ${d}`, 'a proportion in [0, 1]', lo[i]);
    if (!(hi[i]! >= 0)) throw optionError(`--max ${d}`, 'a proportion in [0, 1]', hi[i]);
    if (lo[i]! > hi[i]!) throw new BimixError('E_INFEASIBLE', `infeasible bounds: domain "${d}" needs at least ${lo[i]} but at most ${hi[i]}${opts.available?.[d] !== undefined ? ' (after the availability limit)' : ''}`);
  });
  const sLo = lo.reduce((a, b) => a + b, 0);
  if (sLo > 1 + 1e-12) throw new BimixError('E_INFEASIBLE', `infeasible bounds: the minimum proportions sum to ${Number(sLo.toPrecision(12))} > 1`);
  if (hi.reduce((a, b) => a + b, 0) < 1 - 1e-12) {
    throw new BimixError(
      'E_INFEASIBLE',
      `infeasible bounds: the maximum proportions (after availability limits) sum to ${Number(hi.reduce((a, b) => a + b, 0).toPrecision(12))} < 1: ${order.map((d, i) => `${d} <= ${hi[i]}`).join(', ')}`,
    );
  }
  return { lo, hi: hi.map((h) => Math.min(1, h)) };
}

/** Exact solution of the separable BiMix problem. */
function solveBimixKkt(law: LawReport, order: readonly string[], w: number[], lo: number[], hi: number[], S: number): number[] {
  // g_i = alpha_i w_i K_i(S); terms with g_i = 0 do not depend on r_i and take whatever room is left.
  const g = order.map((name, i) => {
    const d = law.domains.find((x) => x.name === name);
    if (!d) return 0;
    const p = d.params as BimixParams;
    return p.alpha * w[i]! * (p.b * Math.pow(S, -p.beta) + p.c);
  });
  const active = g.map((v) => v > 0);
  const at = (logLambda: number): number[] =>
    order.map((_, i) => {
      if (!active[i]) return lo[i]!;
      const a = (law.domains.find((x) => x.name === order[i])!.params as BimixParams).alpha;
      const r = Math.exp((Math.log(g[i]!) - logLambda) / (a + 1));
      return Math.min(hi[i]!, Math.max(lo[i]!, r));
    });
  const sum = (r: number[]) => r.reduce((x, y) => x + y, 0);
  if (!active.some(Boolean)) return fill(lo, hi, lo.map(() => true));
  const maxSum = sum(order.map((_, i) => (active[i] ? hi[i]! : lo[i]!)));
  if (maxSum <= 1) {
    // Even with every share-sensitive domain at its cap there is room: give it to the indifferent ones.
    const r = order.map((_, i) => (active[i] ? hi[i]! : lo[i]!));
    return fill(r, hi, active.map((a) => !a));
  }
  let a = -1;
  let b = 1;
  while (sum(at(a)) < 1) a -= 10; // smaller lambda -> larger shares
  while (sum(at(b)) > 1) b += 10;
  for (let it = 0; it < 400 && b - a > 1e-15 * Math.max(1, Math.abs(a)); it++) {
    const mid = 0.5 * (a + b);
    if (sum(at(mid)) > 1) a = mid;
    else b = mid;
  }
  return fixSum(at(0.5 * (a + b)), lo, hi);
}

function fill(r: number[], hi: number[], mayGrow: boolean[]): number[] {
  const out = [...r];
  let gap = 1 - out.reduce((a, b) => a + b, 0);
  out.forEach((x, i) => {
    if (gap <= 0 || !mayGrow[i]) return;
    const add = Math.min(gap, hi[i]! - x);
    out[i] = x + add;
    gap -= add;
  });
  return out;
}

/** Gradient of sum_i w_i L_i(r) for the exponential, transfer and interaction laws. */
function gradient(law: LawReport, order: readonly string[], w: number[], r: readonly number[], S: number): number[] {
  const grad = order.map(() => 0);
  for (const d of law.domains) {
    const wi = w[order.indexOf(d.name)]!;
    if (wi === 0) continue;
    if (law.law === 'exp') {
      const p = d.params as ExpParams;
      let e = 0;
      order.forEach((n, j) => (e += (p.t[n] ?? 0) * r[j]!));
      const f = p.k * Math.exp(e);
      order.forEach((n, j) => (grad[j]! += wi * f * (p.t[n] ?? 0)));
    } else {
      const p = d.params as TransferParams;
      const coef = order.map((n) => (n === d.name ? 1 : (p.tau[n] ?? 0)));
      const e = coef.reduce((a, c, j) => a + c * r[j]!, 0);
      const K = p.b * Math.pow(S, -p.beta) + p.c;
      if (law.law === 'interaction') {
        // L = e^-alpha K exp(q), dL/dr_j = L (-alpha c_j / e + sum_k (r.v_k) u_kj + (r.u_k) v_kj).
        const ip = d.params as InteractionParams;
        const L = Math.pow(e, -p.alpha) * K * Math.exp(interactionTerm(ip, order, r));
        coef.forEach((c, j) => (grad[j]! += wi * L * ((-p.alpha * c) / e)));
        ip.u.forEach((uk, k) => {
          const vk = ip.v[k]!;
          let ru = 0;
          let rv = 0;
          order.forEach((n, j) => {
            ru += (uk[n] ?? 0) * r[j]!;
            rv += (vk[n] ?? 0) * r[j]!;
          });
          order.forEach((n, j) => (grad[j]! += wi * L * (rv * (uk[n] ?? 0) + ru * (vk[n] ?? 0))));
        });
        continue;
      }
      const f = -p.alpha * Math.pow(e, -p.alpha - 1) * K;
      coef.forEach((c, j) => (grad[j]! += wi * f * c));
    }
  }
  return grad;
}

/** Projected gradient descent with Armijo backtracking for a convex objective over the capped simplex. */
export function projectedGradient(
  f: (r: readonly number[]) => number,
  grad: (r: readonly number[]) => number[],
  lo: number[],
  hi: number[],
  start?: readonly number[],
): number[] {
  const m = lo.length;
  let r = projectCappedSimplex(start ? [...start] : new Array<number>(m).fill(1 / m), lo, hi);
  let fr = f(r);
  let t = 1e-2;
  for (let it = 0; it < 20000; it++) {
    const g = grad(r);
    let accepted = false;
    for (let bt = 0; bt < 80; bt++) {
      const next = projectCappedSimplex(
        r.map((x, i) => x - t * g[i]!),
        lo,
        hi,
      );
      const fn = f(next);
      let lin = 0;
      let sq = 0;
      next.forEach((x, i) => {
        lin += g[i]! * (x - r[i]!);
        sq += (x - r[i]!) ** 2;
      });
      if (Number.isFinite(fn) && fn <= fr + lin + sq / (2 * t) + 1e-15 * Math.abs(fr)) {
        const moved = Math.sqrt(sq);
        r = next;
        fr = fn;
        t *= 1.5;
        accepted = true;
        if (moved < 1e-13) return r;
        break;
      }
      t *= 0.5;
    }
    if (!accepted) break;
  }
  return r;
}
