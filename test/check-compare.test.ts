import { describe, expect, it } from 'vitest';
import { compareReports, judgePoint, normalQuantile, makeBaseline, parseBaseline, parseReport, resolveTolerance, parsePolicy, type Tolerance } from '../src/check/index.js';
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

  describe('sampled: like with like, or refused', () => {
    const sample = { fraction: 0.1, seed: 1, groups: 32, halvings: 2 };
    const small = (name: string, h = 0) => domain(name, { scale: 0.1, h: h - 0.2 });
    const full = report([domain('web'), domain('code'), domain('books')]);
    const sampled = report([small('web'), small('code'), small('books')], { sample });
    const both = makeBaseline(full, { sampled, createdAt: new Date(0) });

    it('a baseline recording the same sample is compared with that sample: every metric, exactly', () => {
      expect(both.sampled).toEqual({ fraction: 0.1, seed: 1 });
      expect(both.domains[0]!.sampled!.tokens).toBe(100);
      const r = compareReports(both, report([small('web'), small('code'), small('books')], { sample }));
      expect(r.ok).toBe(true);
      expect(r.sampled).toBe(true);
      expect(r.summary).toEqual({ checks: 24, pass: 24, fail: 0, missing: 0, skip: 0, regressions: 0 });
      expect(r.rows.every((x) => x.change === 0)).toBe(true);
      expect(r.rows.find((x) => x.domain === 'web' && x.metric === 'tokens')).toMatchObject({ baseline: 100, current: 100 });
    });

    it('a shifted domain in the sample still fails', () => {
      const r = compareReports(both, report([small('web', -0.1), small('code'), small('books')], { sample }));
      expect(r.rows.filter((x) => x.regression).map((x) => `${x.domain}.${x.metric}`)).toEqual(['web.conditional', 'web.shannon', 'web.joint']);
    });

    it('a baseline made from a report of the same sample is compared directly', () => {
      const r = compareReports(makeBaseline(sampled), report([small('web'), small('code'), small('books')], { sample }));
      expect(r.ok).toBe(true);
    });

    // [baseline, current, message]
    const refused: [string, () => ReturnType<typeof makeBaseline>, ReturnType<typeof report>, RegExp][] = [
      ['full-only baseline', () => base, sampled, /the current analysis is a sample \(--sample 0\.1 --seed 1\) and b\.json has no statistics of the same sample.* Make one that does: bimix baseline --config CONFIG --sample 0\.1 --seed 1 --out BASELINE/],
      ['another seed', () => both, report(sampled.domains, { sample: { ...sample, seed: 2 } }), /It holds --sample 0\.1 --seed 1: check with that, or make a matching baseline: bimix baseline --config CONFIG --sample 0\.1 --seed 2/],
      ['another fraction', () => both, report(sampled.domains, { sample: { ...sample, fraction: 0.25 } }), /--sample 0\.25 --seed 1/],
      ['a full analysis against a sampled-only baseline', () => makeBaseline(sampled), full, /b\.json holds sampled statistics only \(--sample 0\.1 --seed 1\), the current analysis is of the whole corpus/],
    ];
    it.each(refused)('refused with E_USAGE (exit 2): %s', (_name, b, cur, message) => {
      let err: unknown;
      try {
        compareReports(b(), cur, { baselineFile: 'b.json' });
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({ code: 'E_USAGE' });
      expect((err as Error).message).toMatch(message);
    });
  });

  it('normal quantiles', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 8);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326347874, 8);
    expect(normalQuantile(1 - 1e-6)).toBeCloseTo(4.753424309, 7);
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
