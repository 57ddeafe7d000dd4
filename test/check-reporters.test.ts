import { describe, expect, it } from 'vitest';
import { compareReports, makeBaseline, parsePolicy, renderCheck, type CheckResult } from '../src/check/index.js';
import { domain, report } from './check-fixtures.js';
import { findAll, parseXml } from './check-xml.js';

// Names with characters each format must escape: XML (<&"'), workflow commands (:,%), Markdown (|).
const ODD = `a<b&"c'|d:e,f%g`;

function mixedResult(): CheckResult {
  const base = makeBaseline(report([domain('web'), domain(ODD), domain('gone'), domain('maybe')]));
  const cur = report([domain('web', { h: -0.5 }), domain(ODD, { scale: 0.5 }), domain('new')], { unigramsOnly: true });
  return compareReports(base, cur, {
    baselineFile: 'ci/base,line:1.json',
    policy: parsePolicy({ domains: { maybe: { allowMissing: true }, new: { allowMissing: true } } }),
    metrics: ['conditional', 'shannon', 'tokens', 'documents'],
  });
}

describe('check reporters', () => {
  const res = mixedResult();
  // web: conditional skip (unigrams-only), shannon fail, tokens/documents pass.
  // ODD: conditional skip, shannon pass, tokens/documents fail.
  // gone: 4 missing (regressions); maybe: 4 missing (allowed); new: 4 missing (allowed).
  it('the fixture mixes every verdict', () => {
    expect(res.summary).toEqual({ checks: 20, pass: 3, fail: 3, missing: 12, skip: 2, regressions: 7 });
    expect(res.ok).toBe(false);
  });

  it('text: a table with baseline, current, change, tolerance and verdict per row', () => {
    const out = renderCheck(res, 'text');
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^domain\s+metric\s+baseline\s+current\s+change\s+tolerance\s+verdict\s+note$/);
    expect(lines[1]).toMatch(/^-+( +-+){7}$/);
    expect(lines.slice(2, 22)).toHaveLength(20);
    expect(lines[2]).toMatch(/^web\s+conditional\s+2\s+1\.5\s+-0\.5 \(-25%\)\s+±1%\s+skip\s+current report is unigrams-only$/);
    expect(lines[3]).toMatch(/^web\s+shannon\s+4\s+3\.5\s+-0\.5 \(-12\.5%\)\s+±1%\s+FAIL\s+fell 12\.5%, more than the 0\.04 allowed$/);
    expect(out).toMatch(/^gone\s+tokens\s+1000\s+-\s+-\s+±1%\s+MISSING\s+domain missing from the current analysis$/m);
    expect(out).toMatch(/^new\s+tokens\s+-\s+1000\s+-\s+±1%\s+missing \(allowed\)\s+domain not in the baseline \(allowed by policy\)$/m);
    expect(lines.at(-1)).toBe('bimix check: 7 regressions (20 checks: 3 pass, 3 fail, 12 missing, 2 skipped)');
  });

  it('json: the result, round-tripped, with $schema first', () => {
    const doc = JSON.parse(renderCheck(res, 'json'));
    expect(doc).toEqual({ $schema: 'https://bimix.dev/schemas/check-v1.json', ...JSON.parse(JSON.stringify(res)) });
    expect(Object.keys(doc)[0]).toBe('$schema');
    expect(doc.schema).toBe('bimix.check/1');
  });

  it('junit: well-formed XML with one test case per domain × metric', () => {
    const xml = renderCheck(res, 'junit');
    const root = parseXml(xml);
    expect(root.name).toBe('testsuites');
    expect(root.attrs).toMatchObject({ tests: '20', failures: '7', errors: '0', skipped: '10' });
    const suites = findAll(root, 'testsuite');
    expect(suites.map((s) => s.attrs.name)).toEqual(['web', ODD, 'gone', 'maybe', 'new']);
    const cases = findAll(root, 'testcase');
    expect(cases).toHaveLength(20);
    expect(cases.map((c) => `${c.attrs.classname}/${c.attrs.name}`)).toEqual(res.rows.map((r) => `bimix.check.${r.domain}/${r.metric}`));
    const failures = findAll(root, 'failure');
    expect(failures).toHaveLength(7);
    expect(failures.filter((f) => f.attrs.type === 'missing')).toHaveLength(4);
    expect(findAll(root, 'skipped')).toHaveLength(10);
    for (const s of suites) {
      const n = findAll(s, 'testcase').length;
      expect(Number(s.attrs.tests)).toBe(n);
      expect(Number(s.attrs.failures)).toBe(findAll(s, 'failure').length);
    }
    expect(failures[0]!.attrs.message).toBe('fell 12.5%, more than the 0.04 allowed');
    expect(failures[0]!.text).toBe('baseline 4, current 3.5, change -0.5 (-12.5%), tolerance ±1%: fell 12.5%, more than the 0.04 allowed');
  });

  it('junit: the checker rejects malformed XML', () => {
    for (const bad of ['<a><b></a>', '<a x="1" x="2"/>', '<a>&nope;</a>', '<a>1 < 2</a>', '<a/><b/>', '<a x=1/>', '<a>']) {
      expect(() => parseXml(bad), bad).toThrow();
    }
    expect(parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<a t="&lt;&#10;">x&amp;y<b/></a>\n')).toEqual({ name: 'a', attrs: { t: '<\n' }, text: 'x&y', children: [{ name: 'b', attrs: {}, children: [], text: '' }] });
  });

  it('github: workflow commands with escaped properties and messages', () => {
    const out = renderCheck(res, 'github');
    const lines = out.trimEnd().split('\n');
    const syntax = /^::(error|warning|notice) file=([^,:]+),title=([^,:]+)::([^\r\n]*)$/;
    for (const l of lines) expect(l).toMatch(syntax);
    const kinds = lines.map((l) => syntax.exec(l)![1]);
    expect(kinds.filter((k) => k === 'error')).toHaveLength(7);
    expect(kinds.filter((k) => k === 'warning')).toHaveLength(8);
    expect(kinds.at(-1)).toBe('notice');
    const unescape = (s: string) => s.replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%');
    const first = syntax.exec(lines[0]!)!;
    expect(lines[0]).toMatch(/^::error file=ci\/base%2Cline%3A1\.json,title=bimix check%3A web shannon regressed::fell 12\.5%25, more than/);
    expect(unescape(first[2]!)).toBe('ci/base,line:1.json');
    const odd = lines.find((l) => l.includes('tokens regressed'))!;
    expect(unescape(syntax.exec(odd)![3]!)).toBe(`bimix check: ${ODD} tokens regressed`);
    expect(lines.at(-1)).toBe('::notice file=ci/base%2Cline%3A1.json,title=bimix check::7 regressions (20 checks%3A 3 pass, 3 fail, 12 missing, 2 skipped)'.replace('%3A 3', ': 3'));
  });

  it('markdown: a headline and a table with one row per check', () => {
    const out = renderCheck(res, 'markdown');
    const lines = out.split('\n');
    expect(lines[0]).toBe('### ❌ bimix check: 7 regressions (20 checks: 3 pass, 3 fail, 12 missing, 2 skipped)');
    const table = lines.filter((l) => l.startsWith('|'));
    expect(table[0]).toBe('| Domain | Metric | Baseline | Current | Change | Tolerance | Verdict | Note |');
    expect(table[1]).toBe('|:--|:--|--:|--:|--:|--:|:--|:--|');
    expect(table).toHaveLength(22);
    // Every row has exactly 9 unescaped pipes (8 cells).
    for (const row of table) expect(row.replace(/\\\|/g, '').split('|')).toHaveLength(10);
    expect(table).toContain('| web | shannon | 4 | 3.5 | -0.5 (-12.5%) | ±1% | ❌ FAIL | fell 12.5%, more than the 0.04 allowed |');
    expect(table.some((r) => r.startsWith('| a<b&"c\'\\|d:e,f%g | tokens |'))).toBe(true);
  });

  it('an all-pass result: OK headline, notice only, no failures', () => {
    const ok = compareReports(makeBaseline(report([domain('web')])), report([domain('web')]), { baselineFile: 'base.json' });
    expect(renderCheck(ok, 'github')).toBe('::notice file=base.json,title=bimix check::OK, all within tolerance (8 checks: 8 pass, 0 fail, 0 missing, 0 skipped)\n');
    const root = parseXml(renderCheck(ok, 'junit'));
    expect(root.attrs).toMatchObject({ tests: '8', failures: '0' });
    expect(renderCheck(ok, 'markdown').split('\n')[0]).toBe('### ✅ bimix check: OK, all within tolerance (8 checks: 8 pass, 0 fail, 0 missing, 0 skipped)');
  });
});
