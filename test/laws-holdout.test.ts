import { describe, expect, it } from 'vitest';
import { BimixError } from '../src/errors.js';
import { fitLaw, holdoutPredictions, parseHoldout, parseLongCsv, type LossData } from '../src/laws/index.js';

/** Noise-free BiMix data over `runs` two-domain mixtures and four steps. */
function exact(runs: number): LossData {
  const rows = ['run,step,domain,proportion,loss'];
  for (let k = 0; k < runs; k++) {
    const a = Math.round((0.1 + (0.8 * k) / (runs - 1)) * 1e4) / 1e4;
    const mix = [a, Math.round((1 - a) * 1e4) / 1e4];
    for (const s of [100, 200, 400, 800]) {
      rows.push(`r${k},${s},x,${mix[0]},${Math.pow(mix[0]!, -0.15) * (12 * Math.pow(s, -0.5) + 2)}`);
      rows.push(`r${k},${s},y,${mix[1]},${Math.pow(mix[1]!, -0.3) * (30 * Math.pow(s, -0.7) + 1.5)}`);
    }
  }
  return parseLongCsv(rows.join('\n'), 'exact.csv');
}

describe('holdout protocols', () => {
  it('--holdout last extrapolates the final step of noise-free data almost exactly', () => {
    const r = fitLaw(exact(6), { law: 'bimix', holdout: { kind: 'last' } });
    expect(r.holdout!.protocol).toBe('last');
    expect(r.holdout!.points).toBe(12);
    for (const d of r.domains) {
      expect(d.holdout!.mre!).toBeLessThan(1e-6);
      expect(d.holdout!.protocol).toBe('last');
    }
  });

  it('--holdout runs=K pools every held-out point and is reproducible', () => {
    const data = exact(7);
    const a = holdoutPredictions('bimix', data, { kind: 'runs', k: 3 });
    const b = holdoutPredictions('bimix', data, { kind: 'runs', k: 3 });
    expect(a.predictions.size).toBe(data.observations.length);
    expect([...a.predictions.entries()]).toEqual([...b.predictions.entries()]);
    const r = fitLaw(data, { law: 'bimix', holdout: parseHoldout('runs=3') });
    expect(r.holdout!.mre!).toBeLessThan(1e-5);
  });

  it('fold k mod K: a run whose fold-mates carry all of one share is still predicted from the other folds', () => {
    // With K = number of runs this is leave-one-run-out: each run predicted from all others.
    const data = exact(5);
    const loo = holdoutPredictions('bimix', data, { kind: 'runs', k: 5 });
    for (const [i, p] of loo.predictions) expect(Math.abs(p / data.observations[i]!.loss - 1)).toBeLessThan(1e-4);
  });

  it('the exponential law reports that --holdout last does not apply', () => {
    const r = fitLaw(exact(6), { law: 'exp', holdout: { kind: 'last' } });
    expect(r.holdout).toBeUndefined();
    expect(r.warnings.join(' ')).toMatch(/does not apply to the exp law/);
  });

  it('rejects bad protocols', () => {
    for (const bad of ['first', 'runs=1', 'runs=', 'runs=x']) {
      expect(() => parseHoldout(bad)).toThrow(BimixError);
      expect(() => parseHoldout(bad)).toThrow(/--holdout: expected "last" or "runs=K"/);
    }
    expect(() => fitLaw(exact(3), { holdout: { kind: 'runs', k: 4 } })).toThrow(/K <= the number of runs \(3\)/);
  });
});
