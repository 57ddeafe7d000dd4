import { describe, expect, it } from 'vitest';
import { BimixError } from '../src/errors.js';
import { optimizeMixture, predictDomain, predictLoss, type LawName, type LawParams, type LawReport } from '../src/laws/index.js';

function law(kind: LawName, params: Record<string, LawParams>): LawReport {
  const names = Object.keys(params);
  return {
    schema: 'bimix.law/1',
    law: kind,
    normalisation: '',
    domainOrder: names,
    stepUnit: 'step',
    runs: 0,
    warnings: [],
    domains: names.map((name) => ({ name, params: params[name]!, points: 0, excluded: 0, rss: 0, fit: { r2Log: null, rmse: null, mre: null } })),
  };
}

const bimix = (alpha: number, beta: number, b: number, c: number) => ({ alpha, beta, b, c, A: 1, B: b, C: c });

function objective(l: LawReport, r: number[], S: number, w: number[] = l.domainOrder.map(() => 1)): number {
  return l.domains.reduce((s, d, i) => s + w[i]! * predictDomain(l.law, d.params, d.name, l.domainOrder, r, S), 0);
}

/** Minimum over a simplex grid (2 or 3 domains) within bounds. */
function brute(l: LawReport, S: number, step: number, lo?: number[], hi?: number[], w?: number[]): { r: number[]; f: number } {
  const m = l.domainOrder.length;
  const L = lo ?? new Array<number>(m).fill(0);
  const H = hi ?? new Array<number>(m).fill(1);
  let best = { r: [] as number[], f: Infinity };
  const n = Math.round(1 / step);
  const ok = (r: number[]) => r.every((x, i) => x >= L[i]! - 1e-12 && x <= H[i]! + 1e-12);
  if (m === 2) {
    for (let i = 0; i <= n; i++) {
      const r = [i / n, 1 - i / n];
      if (!ok(r)) continue;
      const f = objective(l, r, S, w);
      if (f < best.f) best = { r, f };
    }
  } else {
    for (let i = 0; i <= n; i++)
      for (let j = 0; i + j <= n; j++) {
        const r = [i / n, j / n, (n - i - j) / n];
        if (!ok(r)) continue;
        const f = objective(l, r, S, w);
        if (f < best.f) best = { r, f };
      }
  }
  return best;
}

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

describe('BiMix optimizer (exact KKT)', () => {
  const two = law('bimix', { web: bimix(0.1, 0.5, 20, 2.4), code: bimix(0.3, 0.6, 50, 1.1) });
  const three = law('bimix', { web: bimix(0.08, 0.45, 18, 2.3), code: bimix(0.12, 0.6, 40, 1.1), books: bimix(0.2, 0.35, 9, 2.6) });

  it('matches brute force on two domains', () => {
    const r = optimizeMixture(two, { steps: 5000 });
    const b = brute(two, 5000, 1e-4);
    expect(r.weightedLoss).toBeLessThanOrEqual(b.f + 1e-12);
    expect(Math.abs(r.proportions.web! - b.r[0]!)).toBeLessThan(2e-4);
    expect(sum(r.proportions)).toBeCloseTo(1, 14);
  });

  it('matches brute force on three domains with weights', () => {
    const w = [1, 2, 0.5];
    const r = optimizeMixture(three, { steps: 20000, weights: { web: 1, code: 2, books: 0.5 } });
    const b = brute(three, 20000, 0.002, undefined, undefined, w);
    expect(r.weightedLoss).toBeLessThanOrEqual(b.f + 1e-12);
    r.domains.forEach((d, i) => expect(Math.abs(d.proportion - b.r[i]!)).toBeLessThan(0.004));
  });

  it('satisfies bounds exactly and matches brute force within them', () => {
    const lo = [0.5, 0, 0];
    const hi = [1, 0.2, 1];
    const r = optimizeMixture(three, { steps: 20000, min: { web: 0.5 }, max: { code: 0.2 } });
    const p = r.domains.map((d) => d.proportion);
    p.forEach((x, i) => {
      expect(x).toBeGreaterThanOrEqual(lo[i]!);
      expect(x).toBeLessThanOrEqual(hi[i]!);
    });
    expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
    const b = brute(three, 20000, 0.002, lo, hi);
    expect(r.weightedLoss).toBeLessThanOrEqual(b.f + 1e-12);
  });

  it('turns availability into upper bounds r_i <= available_i * max_epochs / total_tokens', () => {
    const r = optimizeMixture(two, { steps: 5000, available: { code: 1e9 }, totalTokens: 1e10, maxEpochs: 2 });
    expect(r.domains[1]!.max).toBeCloseTo(0.2, 15);
    expect(r.proportions.code).toBeLessThanOrEqual(0.2);
    const b = brute(two, 5000, 1e-4, [0, 0], [1, 0.2]);
    expect(r.weightedLoss).toBeLessThanOrEqual(b.f + 1e-12);
  });

  it('reports the predicted gain over a reference mixture', () => {
    const r = optimizeMixture(two, { steps: 5000, reference: { web: 0.5, code: 0.5 } });
    expect(r.reference!.weightedLoss).toBeCloseTo(objective(two, [0.5, 0.5], 5000), 12);
    expect(r.reference!.gain!).toBeGreaterThanOrEqual(0);
    expect(r.reference!.gain!).toBeCloseTo(r.reference!.weightedLoss! - r.weightedLoss, 12);
  });

  const infeasible: [string, Parameters<typeof optimizeMixture>[1], RegExp][] = [
    ['minimums above 1', { steps: 1000, min: { web: 0.7, code: 0.6 } }, /minimum proportions sum to 1\.3 > 1/],
    ['maximums below 1', { steps: 1000, max: { web: 0.3, code: 0.5 } }, /maximum proportions .* sum to 0\.8 < 1/],
    ['min above max', { steps: 1000, min: { web: 0.6 }, max: { web: 0.4 } }, /domain "web" needs at least 0\.6 but at most 0\.4/],
    ['availability too small', { steps: 1000, available: { web: 1e9, code: 1e9 }, totalTokens: 1e10 }, /maximum proportions \(after availability limits\) sum to 0\.2 < 1/],
  ];
  for (const [name, opts, phrase] of infeasible) {
    it(`rejects infeasible bounds: ${name}`, () => {
      let err: unknown;
      try {
        optimizeMixture(two, opts);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(BimixError);
      expect((err as BimixError).code).toBe('E_INFEASIBLE');
      expect((err as BimixError).message).toMatch(phrase);
    });
  }

  it('rejects --available without --total-tokens and unknown domains as usage errors', () => {
    expect(() => optimizeMixture(two, { steps: 1000, available: { web: 1e9 } })).toThrow(/--total-tokens/);
    expect(() => optimizeMixture(two, { steps: 1000, weights: { nope: 1 } })).toThrow(/--weights: expected a domain of the law/);
  });
});

describe('coupled laws (projected gradient)', () => {
  it('exponential law matches brute force on three domains', () => {
    const l = law('exp', {
      a: { c: 2, k: 0.8, t: { a: -2.5, b: 1.0, c: 1.5 }, step: 1000 },
      b: { c: 1.5, k: 0.6, t: { a: 0.5, b: -3, c: 2.5 }, step: 1000 },
      c: { c: 1.8, k: 0.5, t: { a: 1, b: 0.2, c: -1.2 }, step: 1000 },
    });
    const r = optimizeMixture(l, { steps: 1000 });
    const b = brute(l, 1000, 0.002);
    expect(r.weightedLoss).toBeLessThanOrEqual(b.f + 1e-9);
    r.domains.forEach((d, i) => expect(Math.abs(d.proportion - b.r[i]!)).toBeLessThan(0.01));
  });

  it('transfer law matches brute force and respects bounds exactly', () => {
    const l = law('transfer', {
      web: { ...bimix(0.1, 0.45, 25, 2.4), tau: { forum: 0.35, code: 0.1 } },
      forum: { ...bimix(0.12, 0.5, 30, 2.6), tau: { web: 0.5, code: 0.05 } },
      code: { ...bimix(0.2, 0.6, 60, 1.2), tau: {} },
    });
    const r = optimizeMixture(l, { steps: 8000, max: { code: 0.3 } });
    const b = brute(l, 8000, 0.002, [0, 0, 0], [1, 1, 0.3]);
    expect(r.weightedLoss).toBeLessThanOrEqual(b.f + 1e-9);
    expect(r.proportions.code).toBeLessThanOrEqual(0.3);
    expect(Math.abs(sum(r.proportions) - 1)).toBeLessThan(1e-12);
  });
});

describe('predict', () => {
  it('predicts per-domain and average loss and validates the mixture', () => {
    const l = law('bimix', { web: bimix(0.1, 0.5, 20, 2.4), code: bimix(0.3, 0.6, 50, 1.1) });
    const p = predictLoss(l, { web: 0.6, code: 0.4 }, 4000);
    const web = Math.pow(0.6, -0.1) * (20 * Math.pow(4000, -0.5) + 2.4);
    expect(p.domains[0]!.loss).toBeCloseTo(web, 12);
    expect(p.average).toBeCloseTo((web + p.domains[1]!.loss!) / 2, 12);
    expect(() => predictLoss(l, { web: 0.6, code: 0.3 }, 4000)).toThrow(/proportions sum to 0\.9/);
    expect(() => predictLoss(l, { web: 0.6, cod: 0.4 }, 4000)).toThrow(/unknown domain "cod"/);
    const zero = predictLoss(l, { web: 1 }, 4000);
    expect(zero.domains[1]!.loss).toBeNull();
    // A zero share under BiMix is unbounded: the average is over the other domains, and says so.
    expect(zero.averageOver).toEqual(['web']);
    expect(zero.average).toBeCloseTo(zero.domains[0]!.loss!, 12);
    expect(zero.warnings.join(' ')).toMatch(/"code" has share 0: .*the average leaves it out/);
    const weighted = predictLoss(l, { web: 0.6, code: 0.4 }, 4000, { web: 3, code: 1 });
    expect(weighted.average).toBeCloseTo((3 * web + p.domains[1]!.loss!) / 4, 12);
    expect(zero.warnings.join(' ')).toMatch(/share 0/);
  });
});
