import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fitBimixPoints, fitLaw, nnls, parseLongCsv, readLossData, type BimixParams, type BimixPoint } from '../src/laws/index.js';

const FIX = 'test/fixtures/laws';

interface ScipyFixture {
  truth: Record<string, { alpha: number; beta: number; b: number; c: number }>;
  scipy: Record<string, { alpha: number; beta: number; b: number; c: number; rss: number }>;
  rows: { run: string; step: number; domain: string; proportion: number; loss: number }[];
}

describe('BiMix fit against SciPy TRF fixtures (scripts/make-scipy-fixtures.py)', () => {
  for (const name of ['a', 'b', 'c', 'd']) {
    it(`dataset ${name}: recovers alpha and beta within 5% and never has a larger RSS than SciPy`, async () => {
      const fx = JSON.parse(readFileSync(`${FIX}/scipy-${name}.json`, 'utf8')) as ScipyFixture;
      const data = await readLossData({ losses: `${FIX}/scipy-${name}.csv` });
      const report = fitLaw(data, { law: 'bimix' });
      expect(report.domains.map((d) => d.name).sort()).toEqual(Object.keys(fx.truth).sort());
      for (const d of report.domains) {
        const p = d.params as BimixParams;
        const truth = fx.truth[d.name]!;
        expect(Math.abs(p.alpha / truth.alpha - 1)).toBeLessThan(0.05);
        expect(Math.abs(p.beta / truth.beta - 1)).toBeLessThan(0.05);
        expect(d.rss).toBeLessThanOrEqual(fx.scipy[d.name]!.rss * (1 + 1e-9));
        expect(d.fit.r2Log!).toBeGreaterThan(0.99);
        expect(d.fit.mre!).toBeLessThan(0.006);
        expect(p.A).toBe(1);
        expect(p.B).toBe(p.b);
        expect(p.C).toBe(p.c);
      }
    });
  }
});

describe('nnls', () => {
  it('matches a brute-force search on a small problem with an active constraint', () => {
    const c1 = [1, 2, 3, 4];
    const c2 = [1, 1, 1, 1];
    const y = [3.1, 2.9, 3.0, 3.05]; // slope ~0, the unconstrained intercept fit wants c1 slightly negative or positive
    const r = nnls([c1, c2], y);
    let best = Infinity;
    for (let a = 0; a <= 1; a += 0.0005) for (let b = 0; b <= 4; b += 0.0005) {
      let s = 0;
      for (let i = 0; i < 4; i++) s += (y[i]! - a * c1[i]! - b * c2[i]!) ** 2;
      best = Math.min(best, s);
    }
    expect(r.rss).toBeLessThanOrEqual(best + 1e-12);
    expect(r.x.every((v) => v >= 0)).toBe(true);
  });

  it('returns zero coefficients when every direction increases the residual', () => {
    const r = nnls([[1, 1, 1]], [-1, -2, -3]);
    expect(r.x).toEqual([0]);
    expect(r.rss).toBeCloseTo(14, 12);
  });
});

function grid(alpha: number, beta: number, b: number, c: number, rs: number[], ss: number[]): BimixPoint[] {
  return rs.flatMap((r) => ss.map((s) => ({ r, s, y: Math.pow(r, -alpha) * (b * Math.pow(s, -beta) + c) })));
}

describe('degenerate data', () => {
  it('one step only: fits r^-alpha * K and says the step part is undetermined', () => {
    const pts = grid(0.2, 0.5, 10, 2, [0.1, 0.3, 0.6], [1000]);
    const f = fitBimixPoints(pts);
    expect(f.alpha).toBeCloseTo(0.2, 6);
    expect(f.beta).toBe(0);
    expect(f.b).toBe(0);
    expect(f.c).toBeCloseTo(10 / Math.sqrt(1000) + 2, 6);
    expect(f.undetermined).toEqual(['beta', 'b']);
    expect(f.notes.join(' ')).toMatch(/only one step/);
  });

  it('one proportion only: fits the step part and says the share exponent is undetermined', () => {
    const pts = grid(0.2, 0.5, 10, 2, [0.4], [100, 200, 400, 800, 1600]);
    const f = fitBimixPoints(pts);
    expect(f.alpha).toBe(0);
    expect(f.beta).toBeCloseTo(0.5, 5);
    expect(f.undetermined).toEqual(['alpha']);
    expect(f.notes.join(' ')).toMatch(/only one proportion/);
    // The fitted curve reproduces the data at the one observed share.
    for (const p of pts) expect(f.b * Math.pow(p.s, -f.beta) + f.c).toBeCloseTo(p.y, 6);
  });

  it('one step and one proportion: a constant', () => {
    const f = fitBimixPoints([{ r: 0.5, s: 10, y: 3 }]);
    expect(f.c).toBeCloseTo(3, 12);
    expect(f.undetermined.sort()).toEqual(['alpha', 'b', 'beta']);
  });

  it('zero-proportion points are excluded from the domain and counted', () => {
    const rows = ['run,step,domain,proportion,loss'];
    const mixes = [
      [0.5, 0.5],
      [0.2, 0.8],
      [0, 1],
      [0.7, 0.3],
    ];
    mixes.forEach((m, k) => {
      for (const s of [100, 200, 400]) {
        ['x', 'y'].forEach((d, j) => {
          const r = m[j]!;
          const loss = r > 0 ? Math.pow(r, -0.1) * (5 * Math.pow(s, -0.4) + 2) : 4.5;
          rows.push(`r${k},${s},${d},${r},${loss}`);
        });
      }
    });
    const data = parseLongCsv(rows.join('\n'), 'mem.csv');
    const rep = fitLaw(data, { law: 'bimix' });
    const x = rep.domains.find((d) => d.name === 'x')!;
    expect(x.excluded).toBe(3);
    expect(x.points).toBe(9);
    expect(x.notes!.join(' ')).toMatch(/3 point\(s\) with proportion 0 excluded/);
    expect((x.params as BimixParams).alpha).toBeCloseTo(0.1, 5);
    expect(rep.domains.find((d) => d.name === 'y')!.excluded).toBe(0);
  });
});
