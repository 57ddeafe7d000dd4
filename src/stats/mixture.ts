/**
 * Entropy-driven mixtures (BiMix): r_i = exp(H_i / T) / sum_j exp(H_j / T), with
 * optional per-domain bounds applied exactly.
 */
import { BimixError, optionError } from '../errors.js';
import { PROXIES, type Proxy } from '../schemas/names.js';

/** Which entropy drives the mixture. */
export { PROXIES, type Proxy };

export interface MixtureOptions {
  proxy?: Proxy;
  /** Softmax temperature; 1 is the paper's choice. */
  temperature?: number;
  min?: Record<string, number>;
  max?: Record<string, number>;
}

export interface Mixture {
  proxy: Proxy;
  temperature: number;
  proportions: Record<string, number>;
  bounds?: { min?: Record<string, number>; max?: Record<string, number> };
}

/**
 * Softmax of entropies (in nats) with exact bounds: each r_i = clip(c * w_i, lo_i, hi_i)
 * with the one c that makes them sum to 1.
 */
export function mixtureFromEntropies(entropies: Record<string, number>, options: MixtureOptions = {}): Mixture {
  const proxy = options.proxy ?? 'conditional';
  const temperature = options.temperature ?? 1;
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw optionError('--temperature', 'a number > 0', temperature);
  const names = Object.keys(entropies);
  if (names.length === 0) throw new BimixError('E_USAGE', 'a mixture needs at least one domain');
  for (const n of names) {
    if (!Number.isFinite(entropies[n]!)) throw new BimixError('E_DATA', `domain ${n} has no finite ${proxy} entropy`);
  }
  for (const [label, map] of [['--min', options.min], ['--max', options.max]] as const) {
    for (const [k, v] of Object.entries(map ?? {})) {
      if (!names.includes(k)) throw optionError(label, `a domain among ${names.join(', ')}`, k);
      if (!(v >= 0 && v <= 1)) throw optionError(`${label} ${k}`, 'a proportion in [0, 1]', v);
    }
  }
  const lo = names.map((n) => options.min?.[n] ?? 0);
  const hi = names.map((n) => options.max?.[n] ?? 1);
  names.forEach((n, i) => {
    if (lo[i]! > hi[i]!) throw new BimixError('E_INFEASIBLE', `bounds for ${n}: --min ${lo[i]} exceeds --max ${hi[i]}`);
  });
  const sumLo = lo.reduce((a, b) => a + b, 0);
  const sumHi = hi.reduce((a, b) => a + b, 0);
  if (sumLo > 1 + 1e-12) throw new BimixError('E_INFEASIBLE', `the --min bounds add up to ${sumLo}, more than 1`);
  if (sumHi < 1 - 1e-12) throw new BimixError('E_INFEASIBLE', `the --max bounds add up to ${sumHi}, less than 1`);
  const hs = names.map((n) => entropies[n]! / temperature);
  const top = Math.max(...hs);
  const w = hs.map((h) => Math.exp(h - top));
  const r = boundedScale(w, lo, hi);
  const proportions: Record<string, number> = {};
  names.forEach((n, i) => (proportions[n] = r[i]!));
  const out: Mixture = { proxy, temperature, proportions };
  if (options.min || options.max) out.bounds = { ...(options.min ? { min: options.min } : {}), ...(options.max ? { max: options.max } : {}) };
  return out;
}

/** Finds c with sum_i clip(c w_i, lo_i, hi_i) = 1, then renormalises the unclipped entries exactly. */
function boundedScale(w: number[], lo: number[], hi: number[]): number[] {
  const total = (c: number) => w.reduce((s, wi, i) => s + Math.min(hi[i]!, Math.max(lo[i]!, c * wi)), 0);
  let a = -800;
  let b = 800; // log c range: weights are in (0, 1], bounds in [0, 1]
  for (let k = 0; k < 200; k++) {
    const m = (a + b) / 2;
    if (total(Math.exp(m)) < 1) a = m;
    else b = m;
  }
  const c = Math.exp((a + b) / 2);
  const r = w.map((wi, i) => Math.min(hi[i]!, Math.max(lo[i]!, c * wi)));
  const free = r.map((ri, i) => ri > lo[i]! && ri < hi[i]!);
  const fixedSum = r.reduce((s, ri, i) => (free[i] ? s : s + ri), 0);
  const freeW = w.reduce((s, wi, i) => (free[i] ? s + wi : s), 0);
  if (freeW > 0) {
    for (let i = 0; i < r.length; i++) if (free[i]) r[i] = Math.min(hi[i]!, Math.max(lo[i]!, (w[i]! * (1 - fixedSum)) / freeW));
  }
  return r;
}
