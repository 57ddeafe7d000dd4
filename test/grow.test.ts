import { describe, expect, it } from 'vitest';
import { BimixError } from '../src/errors.js';
import { planGrowth } from '../src/growth/index.js';

describe('Gstack growth planner (Du et al. 2024, arXiv 2405.15319)', () => {
  // The published guideline numbers are reproduced with the nominal parameter counts
  // (8e9, 7e9, 13e9, 70e9), not the exact counts (e.g. 6.74e9 for Llama2-7B gives 10.88B, 68.98e9 for 70B gives 42.11B).
  const published: [string, number, number, string][] = [
    ['Llama3-8B at 15T', 8e9, 15e12, '6.58'],
    ['Llama2-7B at 2T', 7e9, 2e12, '11.11'],
    ['Llama2-13B at 2T', 13e9, 2e12, '15.84'],
    ['Llama2-70B at 2T', 70e9, 2e12, '42.48'],
  ];
  for (const [name, N, D, d] of published) {
    it(`${name} -> d = ${d}B tokens`, () => {
      const p = planGrowth({ params: N, tokens: D });
      expect((p.growthTokens / 1e9).toFixed(2)).toBe(d);
      expect(p.growthFactor).toBe(4);
      expect(p.computeFlops).toBe(6 * N * D);
    });
  }

  it('gives the small model depth L / 4 and the budget share', () => {
    const p = planGrowth({ params: 1.1e9, tokens: 100e9, layers: 24 });
    expect(p.smallModelLayers).toBe(6);
    expect(p.tokenShare).toBeCloseTo(p.growthTokens / 100e9, 15);
    expect(p.warnings).toEqual([]);
  });

  it('warns outside the trained range (410M-7B params, up to 750B tokens)', () => {
    const w = planGrowth({ params: 8e9, tokens: 15e12 }).warnings;
    expect(w.some((x) => /410M-7B/.test(x))).toBe(true);
    expect(w.some((x) => /750B/.test(x))).toBe(true);
    expect(planGrowth({ params: 100e6, tokens: 10e9 }).warnings.some((x) => /410M-7B/.test(x))).toBe(true);
    expect(planGrowth({ params: 7e9, tokens: 750e9 }).warnings).toEqual([]);
  });

  it('rejects non-positive inputs', () => {
    expect(() => planGrowth({ params: 0, tokens: 1e9 })).toThrow(BimixError);
    expect(() => planGrowth({ params: 1e9, tokens: -1 })).toThrow(/--tokens/);
    expect(() => planGrowth({ params: 1e9, tokens: 1e9, layers: 0 })).toThrow(/--layers/);
  });

  it('refuses a depth not divisible by 4 and a growth point beyond the token budget (E_USAGE)', () => {
    const bad = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e as BimixError;
      }
      throw new Error('expected an error');
    };
    const e1 = bad(() => planGrowth({ params: 1.1e9, tokens: 100e9, layers: 30 }));
    expect(e1.code).toBe('E_USAGE');
    expect(e1.message).toMatch(/--layers: expected a multiple of 4 .*got 30/);
    // 7B parameters: the guideline grows after about 11B tokens, so a 5B budget has no growth point.
    const e2 = bad(() => planGrowth({ params: 7e9, tokens: 5e9 }));
    expect(e2.code).toBe('E_USAGE');
    expect(e2.message).toMatch(/--tokens: expected a budget beyond the growth point: the guideline grows after d = .* tokens, more than D, got 5000000000/);
  });
});
