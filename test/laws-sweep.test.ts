import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { poolJobRunner } from '../src/laws/law-pool.js';
import { fitLaw, fitLawWith, readLossData, type LawReport, type LossData, type TransferParams } from '../src/laws/index.js';

// A real-shaped sweep and SciPy TRF fits of it, both made by scripts/make-scipy-fixtures.py.
const FIX = 'test/fixtures/laws';
interface SweepFixture {
  transferPenalty: number;
  laws: Record<'exp' | 'transfer', Record<string, { rss: number; objective?: number; cvR2Log: number }>>;
}
const fx = JSON.parse(readFileSync(`${FIX}/sweep-scipy.json`, 'utf8')) as SweepFixture;

describe('real-shaped sweep (1000 runs, 17 domains, 13 evaluated) against SciPy TRF', () => {
  let data: LossData;
  let exp: LawReport;
  beforeAll(async () => {
    data = await readLossData({ mixtures: `${FIX}/sweep-mixtures.csv`, losses: `${FIX}/sweep-losses.csv` });
    exp = fitLaw(data, { law: 'exp', holdout: { kind: 'runs', k: 5 } });
  }, 120_000);

  it('is accepted as is: training-only domains, empty cells, 3-decimal rows renormalised', () => {
    expect(data.domains).toHaveLength(17);
    expect(data.evaluated).toHaveLength(13);
    expect(data.runs).toHaveLength(1000);
    expect(data.observations.length).toBeLessThan(13000); // some cells are empty: not evaluated
    expect(data.notes.some((n) => /^\d+ mixture row\(s\) renormalised/.test(n))).toBe(true);
    for (const m of data.mixtures) expect(Math.abs(m.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-6);
  });

  it('exponential law: RSS within 1e-9 relative and 5-fold CV R2(log) within 0.002 of SciPy, per domain', () => {
    expect(exp.domains).toHaveLength(13);
    for (const d of exp.domains) {
      const ref = fx.laws.exp[d.name]!;
      expect(Math.abs(d.rss / ref.rss - 1), d.name).toBeLessThan(1e-9);
      expect(Math.abs(d.holdout!.r2Log! - ref.cvR2Log), d.name).toBeLessThan(0.002);
    }
  });

  it('transfer law on the worker pool: penalised objective within 1e-9 relative and CV R2(log) within 0.002 of SciPy', async () => {
    const tr = await fitLawWith(data, { law: 'transfer', holdout: { kind: 'runs', k: 5 }, transferPenalty: fx.transferPenalty }, poolJobRunner(2));
    for (const d of tr.domains) {
      const ref = fx.laws.transfer[d.name]!;
      const j = data.domains.indexOf(d.name);
      const ys = data.observations.filter((o) => o.domainIndex === j).map((o) => o.loss);
      const ybar = ys.reduce((a, b) => a + b, 0) / ys.length;
      const tau = Object.values((d.params as TransferParams).tau);
      const objective = d.rss / (ybar * ybar) + fx.transferPenalty * tau.reduce((a, t) => a + t * t, 0);
      expect(Math.abs(objective / ref.objective! - 1), d.name).toBeLessThan(1e-9);
      expect(Math.abs(d.holdout!.r2Log! - ref.cvR2Log), d.name).toBeLessThan(0.002);
    }
  }, 120_000);

  it('the worker pool gives the same report as fitting in this thread', async () => {
    const pooled = await fitLawWith(data, { law: 'exp' }, poolJobRunner(2));
    expect(pooled).toEqual(fitLaw(data, { law: 'exp' }));
  }, 120_000);
});
