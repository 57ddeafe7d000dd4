import { describe, expect, it } from 'vitest';
import { bonferroniScale, compareReports, judgeInterval, judgePoint, normalQuantile, makeBaseline, parseBaseline, parseReport, resolveTolerance, parsePolicy, type Tolerance } from '../src/check/index.js';
import type { DomainReport } from '../src/report.js';
import { domain, report } from './check-fixtures.js';

const T = (rtol: number, atol: number, direction: Tolerance['direction']): Tolerance => ({ rtol, atol, direction });

describe('judgePoint', () => {
  // [baseline, current, tolerance, pass, reason pattern]
  const cases: [number, number, Tolerance, boolean, RegExp][] = [
    [2, 2, T(0.01, 0, 'both'), true, /^unchanged$/],
    [2, 2.019, T(0.01, 0, 'both'), true, /^rose 0\.95%, within tolerance$/],
    [2, 2.021, T(0.01, 0, 'both'), false, /^rose 1\.05%, more than the 0\.02 allowed$/],
    [2, 1.979, T(0.01, 0, 'both'), false, /^fell 1\.05%/],
    [2, 1.9, T(0.01, 0, 'increase'), true, /allowed by direction increase/],
    [2, 2.1, T(0.01, 0, 'increase'), false, /^rose 5%/],
    [2, 2.1, T(0.02, 0, 'decrease'), true, /allowed by direction decrease/],
    [2, 1.95, T(0.02, 0, 'decrease'), false, /^fell 2\.5%, more than the 0\.04 allowed$/],
    [2, 1.97, T(0.02, 0, 'decrease'), true, /within tolerance/],
    [0, 0.5, T(0.5, 0, 'both'), false, /^rose 0\.5, more than the 0 allowed$/],
    [0, 0.5, T(0, 0.5, 'both'), true, /within tolerance/],
    [100, 111, T(0.1, 0, 'both'), false, /rose 11%/],
    [100, 110, T(0.1, 0, 'both'), true, /within/],
    [100, 50, T(0.1, 0, 'both'), false, /fell 50%/],
    [100, 120, T(0.1, 10, 'both'), true, /within/],
    [100, 120.5, T(0.1, 10, 'both'), false, /more than the 20 allowed/],
  ];
  it.each(cases)('baseline %d, current %d, %o → pass=%s', (b, c, t, pass, reason) => {
    const j = judgePoint(b, c, t);
    expect(j.pass).toBe(pass);
    expect(j.reason).toMatch(reason);
    expect(j.allowed).toBeCloseTo(t.atol + t.rtol * Math.abs(b), 12);
  });
});

describe('judgeInterval (sampled mode)', () => {
  const cases: [number, [number, number], Tolerance, boolean, RegExp][] = [
    [2, [1.9, 2.1], T(0, 0, 'both'), true, /^baseline inside \[1\.9, 2\.1\] ± 0$/],
    [2, [2.001, 2.1], T(0, 0, 'both'), false, /^rose: baseline 2 below/],
    [2, [2.001, 2.1], T(0.01, 0, 'both'), true, /inside/],
    [2, [1.8, 1.95], T(0.01, 0, 'both'), false, /^fell: baseline 2 above \[1\.8, 1\.95\] ± 0\.02$/],
    [2, [1.8, 1.95], T(0.01, 0, 'increase'), true, /allowed by direction increase/],
    [2, [2.5, 2.6], T(0.01, 0, 'decrease'), true, /allowed by direction decrease/],
    [2, [2.5, 2.6], T(0.01, 0, 'increase'), false, /^rose/],
    [2, [1.8, 1.95], T(0, 0.05, 'decrease'), true, /inside/],
  ];
  it.each(cases)('baseline %d vs interval %o, %o → pass=%s', (b, iv, t, pass, reason) => {
    const j = judgeInterval(b, iv, t);
    expect(j.pass).toBe(pass);
    expect(j.reason).toMatch(reason);
  });
});

describe('resolveTolerance layers', () => {
  const policy = parsePolicy({
    default: { rtol: 0.05, direction: 'both' },
    metrics: { conditional: { rtol: 0.02, direction: 'decrease' }, tokens: { rtol: 0.1 } },
    domains: { web: { atol: 0.5, metrics: { tokens: { rtol: 0.3, direction: 'increase' } } }, code: { rtol: 0 } },
  });
  const cases: [string, string, { rtol?: number; atol?: number }, Tolerance][] = [
    ['books', 'shannon', {}, T(0.05, 0, 'both')],
    ['books', 'shannon', { rtol: 0.2 }, T(0.2, 0, 'both')],
    ['books', 'conditional', { rtol: 0.2, atol: 1 }, T(0.02, 1, 'decrease')],
    ['books', 'tokens', {}, T(0.1, 0, 'both')],
    ['web', 'conditional', {}, T(0.02, 0.5, 'decrease')],
    ['web', 'tokens', {}, T(0.3, 0.5, 'increase')],
    ['code', 'conditional', {}, T(0, 0, 'decrease')],
  ];
  it.each(cases)('%s %s with cli %o', (d, m, cli, expected) => {
    expect(resolveTolerance(policy, d, m as 'tokens', cli)).toEqual(expected);
  });
  it('without a policy: 1% either way, or the command-line values', () => {
    expect(resolveTolerance(undefined, 'x', 'joint')).toEqual(T(0.01, 0, 'both'));
    expect(resolveTolerance(undefined, 'x', 'joint', { atol: 0.1 })).toEqual(T(0.01, 0.1, 'both'));
  });
});

describe('compareReports', () => {
  const base = makeBaseline(report([domain('web'), domain('code'), domain('books')]), { createdAt: new Date(0) });

  it('an unchanged corpus passes every default metric of every domain', () => {
    const r = compareReports(base, report([domain('web'), domain('code'), domain('books')]));
    expect(r.ok).toBe(true);
    expect(r.metrics).toEqual(['conditional', 'shannon', 'joint', 'tokens', 'documents', 'unigrams', 'bigrams', 'bigramTotal']);
    expect(r.summary).toEqual({ checks: 24, pass: 24, fail: 0, missing: 0, skip: 0, regressions: 0 });
    expect(r.rows.every((x) => x.change === 0 && x.relChange === 0)).toBe(true);
    expect(r.files).toEqual([]);
  });

  // A table of current corpora and the rows that must fail (domain.metric → verdict).
  const cases: [string, DomainReport[], Record<string, string>][] = [
    ['half the documents of code', [domain('web'), domain('code', { scale: 0.5 }), domain('books')], { 'code.tokens': 'fail', 'code.documents': 'fail', 'code.bigramTotal': 'fail' }],
    ['entropies of web fall by 0.5', [domain('web', { h: -0.5 }), domain('code'), domain('books')], { 'web.conditional': 'fail', 'web.shannon': 'fail', 'web.joint': 'fail' }],
    ['books vanished', [domain('web'), domain('code')], Object.fromEntries(['conditional', 'shannon', 'joint', 'tokens', 'documents', 'unigrams', 'bigrams', 'bigramTotal'].map((m) => [`books.${m}`, 'missing']))],
    ['a new domain', [domain('web'), domain('code'), domain('books'), domain('math')], Object.fromEntries(['conditional', 'shannon', 'joint', 'tokens', 'documents', 'unigrams', 'bigrams', 'bigramTotal'].map((m) => [`math.${m}`, 'missing']))],
    ['entropies up 0.5%', [domain('web', { h: 0.01 }), domain('code'), domain('books')], {}],
  ];
  it.each(cases)('%s', (_name, domains, failing) => {
    const r = compareReports(base, report(domains));
    const got = Object.fromEntries(r.rows.filter((x) => x.regression).map((x) => [`${x.domain}.${x.metric}`, x.verdict]));
    expect(got).toEqual(failing);
    expect(r.ok).toBe(Object.keys(failing).length === 0);
    expect(r.summary.regressions).toBe(Object.keys(failing).length);
  });

  it('a missing domain passes when the policy allows it, globally or per domain', () => {
    for (const p of [{ allowMissing: true }, { domains: { books: { allowMissing: true } } }]) {
      const r = compareReports(base, report([domain('web'), domain('code')]), { policy: parsePolicy(p) });
      expect(r.ok).toBe(true);
      expect(r.summary.missing).toBe(8);
      expect(r.rows.find((x) => x.domain === 'books')!.reason).toBe('domain missing from the current analysis (allowed by policy)');
    }
    const other = compareReports(base, report([domain('web'), domain('books')]), { policy: parsePolicy({ domains: { books: { allowMissing: true } } }) });
    expect(other.ok).toBe(false);
  });

  it('direction: conditional may rise freely but not fall more than 2%', () => {
    const policy = parsePolicy({ metrics: { conditional: { rtol: 0.02, direction: 'decrease' } }, check: ['conditional'] });
    const up = compareReports(base, report([domain('web', { h: 1 }), domain('code'), domain('books')]), { policy });
    expect(up.ok).toBe(true);
    const down = compareReports(base, report([domain('web', { h: -0.03 }), domain('code'), domain('books')]), { policy });
    expect(down.ok).toBe(true); // 1.5%
    const further = compareReports(base, report([domain('web', { h: -0.05 }), domain('code'), domain('books')]), { policy });
    expect(further.rows.filter((x) => x.regression).map((x) => `${x.domain}.${x.metric}`)).toEqual(['web.conditional']);
  });

  it('--metrics selects, a policy adds the metrics it names, and --rtol/--atol set the default', () => {
    expect(compareReports(base, report([domain('web')]), { metrics: ['tokens'] }).rows).toHaveLength(3);
    const p = compareReports(base, report([domain('web'), domain('code'), domain('books')]), { policy: parsePolicy({ metrics: { 'mm.conditional': { rtol: 0.1 } } }) });
    expect(p.metrics).toContain('mm.conditional');
    const loose = compareReports(base, report([domain('web'), domain('code', { scale: 0.5 }), domain('books')]), { rtol: 0.6 });
    expect(loose.ok).toBe(true);
    const abs = compareReports(base, report([domain('web', { h: -0.3 }), domain('code'), domain('books')]), { rtol: 0, atol: 0.3, metrics: ['conditional'] });
    expect(abs.ok).toBe(true);
  });

  it('converts entropies of a report in bits to the baseline unit', () => {
    const bits = report([domain('web', { h: 0 })], { base: '2' });
    for (const d of bits.domains) {
      d.entropy = { shannon: d.entropy.shannon / Math.LN2, joint: d.entropy.joint / Math.LN2, conditional: d.entropy.conditional / Math.LN2 };
    }
    const r = compareReports(base, bits, { metrics: ['conditional', 'shannon'], policy: parsePolicy({ allowMissing: true }) });
    expect(r.ok).toBe(true);
    expect(r.rows[0]!.current).toBeCloseTo(2, 12);
  });

  it('skips bigram metrics when either side is unigrams-only', () => {
    const r = compareReports(base, report([domain('web'), domain('code'), domain('books')], { unigramsOnly: true }));
    expect(r.rows.filter((x) => x.verdict === 'skip').map((x) => x.metric)).toEqual(Array(3).fill(['conditional', 'joint', 'bigrams', 'bigramTotal']).flat());
    expect(r.ok).toBe(true);
  });

  it('sampled: entropies and count estimates are judged by stretched intervals; other counts are skipped', () => {
    const iv = (lo: number, hi: number, tokens: [number, number]) => ({
      level: 0.95,
      replicates: 200,
      shannon: [4 + lo, 4 + hi] as [number, number],
      joint: [6 + lo, 6 + hi] as [number, number],
      conditional: [2 + lo, 2 + hi] as [number, number],
      tokens,
      documents: [tokens[0] / 100, tokens[1] / 100] as [number, number],
    });
    const cur = report(
      [
        domain('web', { scale: 0.1, h: -0.1, intervals: iv(-0.2, -0.05, [900, 1100]) }),
        domain('code', { scale: 0.05, h: -0.3, intervals: iv(-0.4, -0.25, [400, 600]) }),
        domain('books', { scale: 0.1, intervals: iv(-0.02, 0.02, [950, 1050]) }),
      ],
      { sample: { fraction: 0.1, seed: 1, groups: 32, replicates: 200 } },
    );
    for (const d of cur.domains) d.bigrams.distinct = 10; // a dense sample: 10 distinct of 50-99 bigrams
    const r = compareReports(base, cur, { metrics: ['conditional', 'tokens', 'documents', 'unigrams'] });
    expect(r.sampled).toBe(true);
    // 9 interval rows: each 95% interval is stretched so that all 9 together wrongly fail with probability 1%.
    expect(r.sampling).toEqual({ level: 0.95, falseAlarm: 0.01, intervals: 9, scale: bonferroniScale(0.95, 9, 0.01) });
    expect(r.sampling!.scale).toBeCloseTo(normalQuantile(1 - 0.01 / 18) / normalQuantile(0.975), 12);
    // web: conditional [1.8, 1.95] → centre 1.875 ± 0.075 × 1.64 = 1.998, + 0.02 allowed → 2 inside; code: [1.6, 1.75] → fails.
    expect(r.rows.filter((x) => x.regression).map((x) => `${x.domain}.${x.metric}`)).toEqual(['code.conditional', 'code.tokens', 'code.documents']);
    expect(r.rows.filter((x) => x.verdict === 'skip').map((x) => `${x.domain}.${x.metric}`)).toEqual(['web.unigrams', 'code.unigrams', 'books.unigrams']);
    // Sampled counts are shown as whole-corpus estimates (count / fraction).
    expect(r.rows.find((x) => x.domain === 'code' && x.metric === 'tokens')).toMatchObject({ baseline: 1000, current: 500, interval: [400, 600], verdict: 'fail' });
    expect(r.rows[0]!.interval).toEqual([1.8, 1.95]);
    expect(r.rows[0]!.reason).toMatch(/^baseline inside \[1\.75\d*, 1\.99\d*\] ± 0\.02$/);
    // A looser family-wise rate stretches less: web's conditional now fails too.
    const loose = compareReports(base, cur, { metrics: ['conditional'], falseAlarm: 0.5 });
    expect(loose.sampling!.scale).toBeLessThan(1.3);
    expect(loose.rows.filter((x) => x.regression).map((x) => x.domain)).toEqual(['web', 'code']);
  });

  it('sampled: a miss in a too sparse sample is a skip, not a regression', () => {
    const iv = { level: 0.95, replicates: 200, shannon: [3.5, 3.6] as [number, number], joint: [5.5, 5.6] as [number, number], conditional: [1.5, 1.6] as [number, number] };
    const cur = report([domain('web', { scale: 0.1, h: -0.45, intervals: iv })], { sample: { fraction: 0.1, seed: 1, groups: 32, replicates: 200 } });
    cur.domains[0]!.bigrams = { total: 99, distinct: 74 };
    cur.domains[0]!.unigrams = { distinct: 10 }; // 10 of 100 tokens: dense enough for Shannon
    const r = compareReports(base, cur, { metrics: ['conditional', 'joint', 'shannon'], policy: parsePolicy({ allowMissing: true }) });
    const web = r.rows.filter((x) => x.domain === 'web');
    expect(web.map((x) => x.verdict)).toEqual(['skip', 'skip', 'fail']);
    expect(web[0]!.reason).toMatch(/^fell: baseline 2 above \[.*\] ± 0\.02, but the sample is too sparse to judge \(75% of its bigrams distinct, limit 50%\): raise --sample$/);
    expect(compareReports(base, cur, { metrics: ['conditional'], sparseLimit: 0.8, policy: parsePolicy({ allowMissing: true }) }).ok).toBe(false);
  });

  it('normal quantiles and the Bonferroni stretch', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 8);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326347874, 8);
    expect(normalQuantile(1 - 1e-6)).toBeCloseTo(4.753424309, 7);
    expect(bonferroniScale(0.95, 1, 0.05)).toBeCloseTo(1, 9);
    expect(bonferroniScale(0.95, 1, 0.5)).toBe(1);
    expect(bonferroniScale(0.95, 0, 0.01)).toBe(1);
  });

  it('notes files added, removed and changed since the baseline', () => {
    const cur = report([domain('web'), domain('code', { scale: 2 }), domain('books')]);
    cur.domains[0]!.files.push({ path: '/data/web2.bin', format: 'raw', dtype: 'u16', bytes: 1, mtimeMs: 1, tokens: 1 });
    const r = compareReports(base, cur, { metrics: ['shannon'] });
    expect(r.files).toEqual([
      { domain: 'web', added: ['/data/web2.bin'], removed: [], changed: [] },
      { domain: 'code', added: [], removed: [], changed: [{ path: '/data/code.bin', bytes: [2000, 4000], mtimeMs: [1, 1] }] },
    ]);
  });

  it('pairs files moved to another folder by name; only their sizes count there', () => {
    const cur = report([domain('web'), domain('code'), domain('books')]);
    for (const d of cur.domains) d.files = d.files.map((f) => ({ ...f, path: f.path.replace('/data/', '/runner/work/data/'), mtimeMs: 99 }));
    cur.domains[2]!.files[0]!.bytes = 5;
    const r = compareReports(base, cur, { metrics: ['shannon'] });
    expect(r.files).toEqual([{ domain: 'books', added: [], removed: [], changed: [{ path: '/runner/work/data/books.bin', bytes: [2000, 5], mtimeMs: [1, 99] }] }]);
  });

  it('accepts a report as the baseline', () => {
    const r = compareReports(report([domain('web')]), report([domain('web')]));
    expect(r.ok).toBe(true);
    expect(r.summary.checks).toBe(8);
  });
});

describe('judgeInterval stretch', () => {
  it('stretches about the centre before widening by the tolerance', () => {
    expect(judgeInterval(2, [2.1, 2.3], T(0, 0, 'both'), 1).pass).toBe(false);
    expect(judgeInterval(2, [2.1, 2.3], T(0, 0, 'both'), 2).pass).toBe(true); // [2.0, 2.4]
    expect(judgeInterval(2, [2.1, 2.3], T(0, 0, 'both'), 2).reason).toBe('baseline inside [2, 2.4] ± 0');
    expect(judgeInterval(2, [2.11, 2.3], T(0, 0, 'both'), 2).reason).toBe('rose: baseline 2 below [2.015, 2.395] ± 0');
  });
});

describe('absent is null: bigram measures of --unigrams-only reports', () => {
  /** A domain as --unigrams-only writes it: bigram counts and entropies null. */
  const unigramDomain = (name: string): DomainReport => {
    const d = domain(name);
    return { ...d, bigrams: { total: null, distinct: null }, entropy: { shannon: d.entropy.shannon, joint: null, conditional: null }, millerMadow: { shannon: d.millerMadow.shannon, joint: null, conditional: null } };
  };
  const uni = report([unigramDomain('web'), unigramDomain('code')], { unigramsOnly: true });

  it('reports and baselines with nulls are read back with their nulls', () => {
    const doc = JSON.parse(JSON.stringify(uni));
    expect(parseReport(doc).domains[0]!.entropy.conditional).toBeNull();
    const b = parseBaseline(JSON.parse(JSON.stringify(makeBaseline(uni))));
    expect(b.domains[0]!.entropy).toEqual({ shannon: 4, joint: null, conditional: null });
    expect(b.domains[0]!.bigrams).toEqual({ total: null, distinct: null });
  });

  it('null where a number is required (shannon, tokens) is still a schema error', () => {
    const bad = JSON.parse(JSON.stringify(uni));
    bad.domains[0].entropy.shannon = null;
    expect(() => parseReport(bad, 'r.json')).toThrow(/domains\[0\]\.entropy\.shannon/);
    const bad2 = JSON.parse(JSON.stringify(uni));
    bad2.domains[0].tokens = null;
    expect(() => parseReport(bad2, 'r.json')).toThrow(/tokens/);
  });

  it('a unigrams-only side skips the bigram metrics and shows them as null, both ways', () => {
    const full = report([domain('web'), domain('code')]);
    for (const [b, c] of [[makeBaseline(full), uni], [makeBaseline(uni), full]] as const) {
      const r = compareReports(b, c);
      const skipped = r.rows.filter((x) => x.verdict === 'skip');
      expect(skipped.map((x) => x.metric)).toEqual(Array(2).fill(['conditional', 'joint', 'bigrams', 'bigramTotal']).flat());
      expect(r.ok).toBe(true);
      expect(r.rows.find((x) => x.metric === 'shannon')!.verdict).toBe('pass');
    }
  });

  it('a null without the unigrams-only flag is a missing metric (a regression), never compared as 0', () => {
    const d = domain('web');
    const cur = report([{ ...d, entropy: { ...d.entropy, conditional: null } }, domain('code')]);
    const r = compareReports(makeBaseline(report([domain('web'), domain('code')])), cur, { metrics: ['conditional'] });
    const row = r.rows.find((x) => x.domain === 'web')!;
    expect([row.verdict, row.regression, row.current, row.change]).toEqual(['missing', true, null, null]);
    expect(row.reason).toMatch(/missing from the current analysis/);
    expect(r.ok).toBe(false);
  });
});
