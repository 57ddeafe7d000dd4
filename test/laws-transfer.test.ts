import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JS generator shared with the examples
import { makeSweep, toLongCsv } from '../scripts/synth-laws.mjs';
import { fitLaws, parseLongCsv, type LawComparison, type LawReport, type TransferParams } from '../src/laws/index.js';

function compare(transfer: boolean): LawComparison {
  const data = parseLongCsv(toLongCsv(makeSweep({ transfer })), 'sweep.csv');
  return fitLaws(data, { law: 'all' });
}

function mreOf(c: LawComparison, law: string): number {
  return c.comparison!.laws.find((l) => l.law === law)!.mre!;
}

describe('--law all: does the transfer law earn its parameters?', () => {
  it('on a sweep where domains transfer, it beats BiMix and the exponential law in 5-fold CV over runs', () => {
    const c = compare(true);
    expect(c.laws.map((l) => l.law)).toEqual(['bimix', 'exp', 'transfer', 'interaction', 'regression']);
    expect(c.comparison!.protocol).toBe('runs=5');
    expect(c.comparison!.points).toBeGreaterThan(40);
    expect(mreOf(c, 'transfer')).toBeLessThan(mreOf(c, 'bimix') / 3);
    expect(mreOf(c, 'transfer')).toBeLessThan(mreOf(c, 'exp'));
    const t = c.laws.find((l) => l.law === 'transfer') as LawReport;
    const web = t.domains.find((d) => d.name === 'web')!.params as TransferParams;
    expect(web.tau.forum).toBeGreaterThan(0.25); // truth 0.35
    expect(web.tau.forum).toBeLessThan(0.45);
    // Zero-share runs are used by transfer but excluded by BiMix.
    const b = c.laws.find((l) => l.law === 'bimix') as LawReport;
    expect(b.domains.find((d) => d.name === 'web')!.excluded).toBeGreaterThan(0);
    expect(t.domains.find((d) => d.name === 'web')!.excluded).toBe(0);
  });

  it('on a sweep without transfer, it does not beat BiMix and its coefficients stay near 0', () => {
    const c = compare(false);
    expect(mreOf(c, 'bimix')).toBeLessThanOrEqual(mreOf(c, 'transfer'));
    expect(mreOf(c, 'bimix')).toBeLessThan(mreOf(c, 'exp'));
    const t = c.laws.find((l) => l.law === 'transfer') as LawReport;
    for (const d of t.domains) for (const v of Object.values((d.params as TransferParams).tau)) expect(v).toBeLessThan(0.05);
  });
});
