/**
 * The regression law (RegMix's boosted trees through XGBoost's C API) against XGBoost's Python
 * package run by scripts/regmix-reference.py on the same sweep and folds. Without libxgboost these
 * tests skip with the reason printed; with BIMIX_REQUIRE_XGBOOST=1 (CI) a missing library fails.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAddon } from '../src/engine/native.js';
import { poolJobRunner } from '../src/laws/law-pool.js';
import {
  fitLawWith,
  mixtureBounds,
  optimizeMixture,
  predictLoss,
  predictRegressionRows,
  readLawFile,
  readLossData,
  runJob,
  sampleMixtures,
  writeLawFile,
  type LawReport,
  type LossData,
  type RegressionParams,
} from '../src/laws/index.js';

const FIX = 'test/fixtures/laws';
const CLI = path.resolve('dist/cli/main.js');
interface RegmixFixture {
  xgboost: string;
  trees: Record<string, { cvR2Log: number; cvMre: number; points: number }>;
}
const fx = JSON.parse(readFileSync(`${FIX}/sweep-regmix.json`, 'utf8')) as RegmixFixture;

const info = loadAddon().xgboostInfo();
const REQUIRED = process.env.BIMIX_REQUIRE_XGBOOST === '1';
if (!info.loaded && !REQUIRED) console.warn(`laws-regression: skipped: ${info.error} (apt-get install libxgboost0 to run these tests)`);

it.runIf(REQUIRED)('XGBoost is loadable (BIMIX_REQUIRE_XGBOOST=1)', () => {
  expect(info.error).toBe('');
  expect(info.loaded).toBe(true);
});

// Three of the 13 evaluated domains keep the test at 18 models (the others stay features).
const DOMAINS = ['pile_cc', 'freelaw', 'gutenberg'];

describe.skipIf(!info.loaded)('regression law on the real-shaped sweep', () => {
  let data: LossData;
  let law: LawReport;
  let dir: string;
  beforeAll(async () => {
    const all = await readLossData({ mixtures: `${FIX}/sweep-mixtures.csv`, losses: `${FIX}/sweep-losses.csv` });
    data = { ...all, evaluated: DOMAINS.map((d) => all.domains.indexOf(d)) };
    law = await fitLawWith(data, { law: 'regression', holdout: { kind: 'runs', k: 5 } }, poolJobRunner(2));
    dir = mkdtempSync(path.join(tmpdir(), 'bimix-regression-'));
  }, 600_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('5-fold CV R2(log) and MRE per domain equal XGBoost Python run by scripts/regmix-reference.py (1e-12: summation order only)', () => {
    expect(info.version).toBe(fx.xgboost);
    expect(law.domains.map((d) => d.name)).toEqual(DOMAINS);
    for (const d of law.domains) {
      const ref = fx.trees[d.name]!;
      expect(d.holdout!.points, d.name).toBe(ref.points);
      expect(Math.abs(d.holdout!.r2Log! - ref.cvR2Log), d.name).toBeLessThan(1e-12);
      expect(Math.abs(d.holdout!.mre! - ref.cvMre), d.name).toBeLessThan(1e-12);
    }
  });

  it('every mixture column is a feature, training-only domains included', () => {
    for (const d of law.domains) expect((d.params as RegressionParams).features).toEqual(data.domains);
    expect(data.domains).toHaveLength(17);
  });

  it('the law file round trip predicts exactly what the freshly trained booster predicted', async () => {
    const file = path.join(dir, 'law.json');
    await writeLawFile(file, law);
    const { $schema, ...back } = await readLawFile(file);
    expect($schema).toBe('https://bimix.dev/schemas/law-v1.json');
    expect(back).toEqual(law);
    const d = data.evaluated[1]!;
    const fresh = runJob(data, { law: 'regression', domain: d, fold: -1 }, undefined, {});
    if ('error' in fresh) throw new Error(fresh.error.message);
    const at = data.observations.filter((o) => o.domainIndex === d);
    const dom = back.domains.find((x) => x.name === data.domains[d])!;
    const fromFile = predictRegressionRows(dom.params as RegressionParams, back.domainOrder, at.map((o) => data.mixtures[o.runIndex]!));
    expect(fromFile).toEqual(fresh.fit.predicted);
    // predict's per-domain loss is the same number.
    const mix = Object.fromEntries(back.domainOrder.map((n, j) => [n, data.mixtures[at[0]!.runIndex]![j]!]));
    expect(predictLoss(back, mix).domains.find((x) => x.name === dom.name)!.loss).toBe(fresh.fit.predicted![0]);
  }, 120_000);

  it('predict needs no --steps and says it ignores one', () => {
    const mix = { pile_cc: 0.5, github: 0.5 };
    expect(predictLoss(law, mix).warnings).toEqual([]);
    expect(predictLoss(law, mix, 1234).warnings.join('\n')).toMatch(/no step dimension.*--steps 1234 is ignored/);
  });

  it('optimize returns the best sampled mixture, within the bounds, summing to 1, the same for the same seed', () => {
    const opts = { min: { pile_cc: 0.1, arxiv: 0.05 }, max: { github: 0.02, freelaw: 0.3 }, samples: 500, seed: 7, reference: { pile_cc: 0.5, freelaw: 0.5 } };
    const r = optimizeMixture(law, opts);
    const { lo, hi } = mixtureBounds(law.domainOrder, opts);
    const shares = law.domainOrder.map((n) => r.proportions[n]!);
    expect(Math.abs(shares.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
    shares.forEach((x, i) => {
      expect(x).toBeGreaterThanOrEqual(lo[i]!);
      expect(x).toBeLessThanOrEqual(hi[i]!);
    });
    expect(r.method).toMatch(/sampled optimum, not an exact one/);
    expect(r.sampled).toEqual({ samples: 500, seed: 7 });
    // The reported loss is the law's prediction at the chosen mixture, and no sample scores lower.
    expect(r.weightedMean).toBe(predictLoss(law, r.proportions).average);
    const samples = sampleMixtures(lo, hi, 500, 7);
    const objective = law.domains.map((d) => predictRegressionRows(d.params as RegressionParams, law.domainOrder, samples));
    const best = Math.min(...samples.map((_, k) => objective.reduce((a, p) => a + p[k]!, 0)));
    expect(r.weightedLoss).toBe(best);
    expect(optimizeMixture(law, opts).proportions).toEqual(r.proportions);
  }, 120_000);
});

describe('sampled mixtures', () => {
  it('lie within the bounds and sum to 1, also with tight upper bounds', () => {
    const lo = [0.1, 0, 0, 0.2];
    const hi = [1, 0.05, 0.3, 1];
    for (const r of sampleMixtures(lo, hi, 2000, 3)) {
      expect(Math.abs(r.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
      r.forEach((x, i) => {
        expect(x).toBeGreaterThanOrEqual(lo[i]!);
        expect(x).toBeLessThanOrEqual(hi[i]!);
      });
    }
    expect(sampleMixtures(lo, hi, 5, 3)).toEqual(sampleMixtures(lo, hi, 5, 3));
    expect(sampleMixtures(lo, hi, 5, 4)).not.toEqual(sampleMixtures(lo, hi, 5, 3));
  });
});

describe('without the library', () => {
  // BIMIX_XGBOOST_LIB is the only candidate when set, so naming a missing file hides the installed library.
  const env = { ...process.env, BIMIX_XGBOOST_LIB: '/nonexistent/libxgboost.so.0' };
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env });

  it('fit --law regression fails with E_NO_XGBOOST, saying how to get it, exit 2', () => {
    const r = run('fit', '--from', 'examples/laws/sweep-transfer.csv', '--law', 'regression');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^bimix: error E_NO_XGBOOST: .*\/nonexistent\/libxgboost\.so\.0.*BIMIX_XGBOOST_LIB/m);
    expect(r.stdout).toBe('');
  });

  it('fit --law all fits the other laws and warns once, with the code, that regression was skipped', () => {
    const r = run('fit', '--from', 'examples/laws/sweep-transfer.csv', '--law', 'all', '--json');
    expect(r.status).toBe(0);
    expect(r.stderr.match(/E_NO_XGBOOST/g)).toHaveLength(1);
    expect(r.stderr).toMatch(/^bimix: warning: regression law not fitted: E_NO_XGBOOST/m);
    const out = JSON.parse(r.stdout) as { laws: ({ law: string; error?: { code: string } } & Partial<LawReport>)[]; recommendation?: string };
    expect(out.laws.map((l) => l.law)).toEqual(['bimix', 'exp', 'transfer', 'interaction', 'regression']);
    expect(out.laws[4]!.error!.code).toBe('E_NO_XGBOOST');
    expect(out.laws.slice(0, 4).every((l) => l.error === undefined)).toBe(true);
    expect(out.recommendation).toMatch(/^recommendation: /);
  });
});
