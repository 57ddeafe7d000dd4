import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JS generator shared with the examples
import { normal, rng } from '../scripts/synth-laws.mjs';
import { poolJobRunner } from '../src/laws/law-pool.js';
import {
  fitLaw,
  fitLawWith,
  optimizeMixture,
  parseLongCsv,
  predictDomain,
  readLossData,
  validateLaw,
  type InteractionParams,
  type LawReport,
} from '../src/laws/index.js';
import { interactionTerm } from '../src/laws/interaction-law.js';

const NAMES = ['web', 'code', 'math', 'books'];
const TRUTH: Record<string, { alpha: number; beta: number; b: number; c: number; tau: Record<string, number> }> = {
  web: { alpha: 0.08, beta: 0.5, b: 20, c: 2.4, tau: { books: 0.3 } },
  code: { alpha: 0.15, beta: 0.6, b: 40, c: 1.2, tau: { math: 0.2 } },
  math: { alpha: 0.2, beta: 0.5, b: 30, c: 1.1, tau: { code: 0.25 } },
  books: { alpha: 0.1, beta: 0.4, b: 15, c: 2.6, tau: { web: 0.2 } },
};
// Pairwise interaction of the truth: (r . U)(r . V), the same for every domain up to a scale.
const U = [0.6, -0.4, 0.3, -0.5];
const V = [0.5, 0.7, -0.6, 0.2];
const SCALE: Record<string, number> = { web: 1, code: -0.8, math: 0.6, books: 1.2 };

/** Losses drawn from the interaction law's own form (0.1% noise), 200 runs, 5 steps each. */
function ownFormSweep(): string {
  const u = rng(11);
  const z = normal(u);
  const lines = ['run,step,domain,proportion,loss'];
  for (let k = 0; k < 200; k++) {
    const g = NAMES.map(() => -Math.log(1 - u()));
    const s = g.reduce((a, b) => a + b, 0);
    const r = g.map((x) => Math.round((1e4 * x) / s) / 1e4);
    r[3] = Math.round(1e4 * (1 - r[0]! - r[1]! - r[2]!)) / 1e4;
    const ru = r.reduce((a, x, j) => a + x * U[j]!, 0);
    const rv = r.reduce((a, x, j) => a + x * V[j]!, 0);
    for (const step of [500, 1000, 2000, 4000, 8000]) {
      NAMES.forEach((d, i) => {
        const t = TRUTH[d]!;
        const e = r[i]! + NAMES.reduce((a, o, j) => a + (t.tau[o] ?? 0) * r[j]!, 0);
        const loss = Math.pow(e, -t.alpha) * (t.b * Math.pow(step, -t.beta) + t.c) * Math.exp(SCALE[d]! * ru * rv) * (1 + 0.001 * z());
        lines.push(`run${k},${step},${d},${r[i]},${loss.toFixed(8)}`);
      });
    }
  }
  return `${lines.join('\n')}\n`;
}

describe('interaction law', () => {
  const data = parseLongCsv(ownFormSweep(), 'own.csv');
  const law = fitLaw(data, { law: 'interaction', transferPenalty: 1e-8 });

  it('recovers the parameters of data drawn from its own form', () => {
    const u = rng(5);
    for (const d of law.domains) {
      const p = d.params as InteractionParams;
      const t = TRUTH[d.name]!;
      expect(Math.abs(p.alpha - t.alpha), d.name).toBeLessThan(0.01);
      expect(Math.abs(p.beta - t.beta), d.name).toBeLessThan(0.03);
      for (const o of NAMES.filter((x) => x !== d.name)) expect(Math.abs(p.tau[o]! - (t.tau[o] ?? 0)), `${d.name} tau ${o}`).toBeLessThan(0.03);
      // u and v share a scale (and more), so compare the interaction they define at random mixtures.
      for (let k = 0; k < 20; k++) {
        const g = NAMES.map(() => -Math.log(1 - u()));
        const s = g.reduce((a, b) => a + b, 0);
        const r = g.map((x) => x / s);
        const truth = SCALE[d.name]! * r.reduce((a, x, j) => a + x * U[j]!, 0) * r.reduce((a, x, j) => a + x * V[j]!, 0);
        expect(Math.abs(interactionTerm(p, data.domains, r) - truth), d.name).toBeLessThan(0.01);
      }
      expect(d.fit.mre!).toBeLessThan(0.0015); // the noise is 0.1%
    }
  });

  it('extrapolates in steps (--holdout last) on its own form, where the transfer law cannot', () => {
    const held = fitLaw(data, { law: 'interaction', transferPenalty: 1e-8, holdout: { kind: 'last' } });
    const transfer = fitLaw(data, { law: 'transfer', transferPenalty: 1e-8, holdout: { kind: 'last' } });
    expect(held.holdout!.mre!).toBeLessThan(0.003);
    expect(held.holdout!.mre!).toBeLessThan(transfer.holdout!.mre! / 2);
  });

  it('writes a valid law file, and a file without u/v is refused', () => {
    const doc = JSON.parse(JSON.stringify(law)) as Record<string, unknown>;
    expect(validateLaw(doc).law).toBe('interaction');
    const broken = JSON.parse(JSON.stringify(law)) as { domains: { params: Record<string, unknown> }[] };
    delete broken.domains[1]!.params.v;
    expect(() => validateLaw(broken, 'x.json')).toThrow(/^x\.json: \$\.domains\[1\]\.params\.v: expected a list of maps from domains to numbers, got nothing/);
    const uneven = JSON.parse(JSON.stringify(law)) as { domains: { params: Record<string, unknown> }[] };
    uneven.domains[0]!.params.v = [];
    expect(() => validateLaw(uneven, 'x.json')).toThrow(/\$\.domains\[0\]\.params\.v: expected u and v of the same length/);
  });

  it('optimize returns a feasible mixture no worse than the uniform one or sampled feasible ones', () => {
    const lo = [0.05, 0.1, 0, 0];
    const hi = [0.6, 0.5, 0.3, 1];
    const res = optimizeMixture(law, { steps: 8000, min: { web: 0.05, code: 0.1 }, max: { web: 0.6, code: 0.5, math: 0.3 } });
    const r = law.domainOrder.map((n) => res.proportions[n]!);
    expect(Math.abs(r.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-9);
    r.forEach((x, i) => {
      expect(x).toBeGreaterThanOrEqual(lo[i]! - 1e-12);
      expect(x).toBeLessThanOrEqual(hi[i]! + 1e-12);
    });
    expect(res.method).toMatch(/starts/);
    const obj = (m: number[]) => law.domains.reduce((s, d) => s + predictDomain('interaction', d.params, d.name, law.domainOrder, m, 8000), 0);
    expect(res.weightedLoss).toBeCloseTo(obj(r), 12);
    const u = rng(3);
    let tried = 0;
    while (tried < 2000) {
      const g = NAMES.map(() => -Math.log(1 - u()));
      const s = g.reduce((a, b) => a + b, 0);
      const m = g.map((x) => x / s);
      if (m.some((x, i) => x < lo[i]! || x > hi[i]!)) continue;
      tried++;
      expect(res.weightedLoss).toBeLessThanOrEqual(obj(m) + 1e-12);
    }
  });
});

// The real-shaped sweep and the SciPy transfer-law CV it is compared with (scripts/make-scipy-fixtures.py).
const FIX = 'test/fixtures/laws';
const fx = JSON.parse(readFileSync(`${FIX}/sweep-scipy.json`, 'utf8')) as { laws: { transfer: Record<string, { cvR2Log: number }> } };

describe('interaction law on the real-shaped sweep', () => {
  it('5-fold CV R2(log) at least the transfer law on every domain (within 0.001) and higher on average', async () => {
    const data = await readLossData({ mixtures: `${FIX}/sweep-mixtures.csv`, losses: `${FIX}/sweep-losses.csv` });
    const rep: LawReport = await fitLawWith(data, { law: 'interaction', holdout: { kind: 'runs', k: 5 } }, poolJobRunner(2));
    let gain = 0;
    for (const d of rep.domains) {
      const tr = fx.laws.transfer[d.name]!.cvR2Log;
      expect(d.holdout!.r2Log!, d.name).toBeGreaterThan(tr - 0.001);
      gain += d.holdout!.r2Log! - tr;
    }
    expect(gain / rep.domains.length).toBeGreaterThan(0.0015);
  }, 600_000);
});
