import { describe, expect, it } from 'vitest';
import { fitLaw, parseLongCsv, parseLongJsonl, parseWide } from '../src/laws/index.js';
import { errorOf as caught } from './caught.js';

const HEAD = 'run,step,domain,proportion,loss';
const good = [HEAD, 'r1,100,a,0.5,3.0', 'r1,100,b,0.5,2.5', 'r2,100,a,0.2,3.4', 'r2,100,b,0.8,2.2'];


describe('long-format validation', () => {
  const cases: { name: string; lines: string[]; code: string; phrase: RegExp; row?: number; column?: string }[] = [
    { name: 'proportion above 1', lines: [HEAD, 'r1,100,a,1.5,3.0'], code: 'E_DATA', phrase: /proportion must lie in \(0, 1\]/, row: 2, column: 'proportion' },
    { name: 'negative proportion', lines: [HEAD, 'r1,100,a,0.5,3', 'r1,100,b,-0.1,3'], code: 'E_DATA', phrase: /proportion must lie in \(0, 1\]/, row: 3, column: 'proportion' },
    { name: 'non-numeric proportion', lines: [HEAD, 'r1,100,a,half,3'], code: 'E_DATA', phrase: /proportion must lie in/, row: 2, column: 'proportion' },
    { name: 'mixture not summing to 1', lines: [HEAD, 'r1,100,a,0.5,3', 'r1,100,b,0.4,3', 'r2,100,a,0.5,3', 'r2,100,b,0.5,3'], code: 'E_DATA', phrase: /run "r1": proportions sum to 0\.9, expected 1 within 1e-2/, row: 2 },
    { name: 'zero loss', lines: [HEAD, 'r1,100,a,1,0'], code: 'E_DATA', phrase: /loss must be a positive finite number, got "0"/, row: 2, column: 'loss' },
    { name: 'negative loss', lines: [HEAD, 'r1,100,a,1,2', 'r1,200,a,1,-2'], code: 'E_DATA', phrase: /loss must be a positive finite number/, row: 3, column: 'loss' },
    { name: 'infinite loss', lines: [HEAD, 'r1,100,a,1,Infinity'], code: 'E_DATA', phrase: /loss must be a positive finite number/, row: 2, column: 'loss' },
    { name: 'NaN loss', lines: [HEAD, 'r1,100,a,1,NaN'], code: 'E_DATA', phrase: /loss must be a positive finite number/, row: 2, column: 'loss' },
    { name: 'zero step', lines: [HEAD, 'r1,0,a,1,2'], code: 'E_DATA', phrase: /step must be a positive finite number/, row: 2, column: 'step' },
    { name: 'empty run', lines: [HEAD, ',100,a,1,2'], code: 'E_DATA', phrase: /run is empty/, row: 2, column: 'run' },
    { name: 'inconsistent proportion within a run', lines: [HEAD, 'r1,100,a,0.5,3', 'r1,100,b,0.5,3', 'r1,200,a,0.4,3'], code: 'E_DATA', phrase: /proportion 0\.4 differs from 0\.5 given on row 2/, row: 4 },
    { name: 'duplicate row', lines: [HEAD, 'r1,100,a,1,3', 'r1,100,a,1,3'], code: 'E_DATA', phrase: /duplicate row for run "r1", domain "a", step 100 \(first on row 2\)/, row: 3 },
    { name: 'missing columns', lines: ['run,step,a,b', 'r1,100,3,2'], code: 'E_DATA', phrase: /long format needs columns .* missing domain, proportion, loss .*--mixtures/, row: 1 },
    { name: 'domain absent from every mixture', lines: [HEAD, 'r1,100,a,1,3', 'r1,100,b,0,3', 'r2,100,a,1,3.1', 'r2,100,b,0,3.2'], code: 'E_DATA', phrase: /domain "b" has losses but a zero share in every mixture/, column: 'b' },
  ];
  for (const c of cases) {
    it(`${c.name} -> ${c.code}`, () => {
      const e = caught(() => parseLongCsv(c.lines.join('\n'), 'losses.csv'));
      expect(e.code).toBe(c.code);
      expect(e.message).toMatch(c.phrase);
      expect(e.message).toMatch(/^losses\.csv/);
      if (c.row !== undefined) {
        expect(e.row).toBe(c.row);
        expect(e.message).toContain(`row ${c.row}`);
      }
      if (c.column !== undefined) expect(e.column).toBe(c.column);
    });
  }

  it('accepts good data and keeps run order', () => {
    const d = parseLongCsv(good.join('\r\n'), 'x.csv');
    expect(d.runs).toEqual(['r1', 'r2']);
    expect(d.domains).toEqual(['a', 'b']);
    expect(d.mixtures).toEqual([
      [0.5, 0.5],
      [0.2, 0.8],
    ]);
    expect(d.hasSteps).toBe(true);
  });

  it('reads JSONL with row numbers and a renamed step column', () => {
    const text = ['{"run":"r1","tokens":1e6,"domain":"a","proportion":1,"loss":3}', '', '{"run":"r1","tokens":2e6,"domain":"a","proportion":1,"loss":-1}'].join('\n');
    const e = caught(() => parseLongJsonl(text, 'l.jsonl', 'tokens'));
    expect(e.code).toBe('E_DATA');
    expect(e.row).toBe(3);
    expect(e.column).toBe('loss');
    const ok = parseLongJsonl(text.replace('-1', '2.5'), 'l.jsonl', 'tokens');
    expect(ok.stepUnit).toBe('tokens');
    expect(ok.observations.map((o) => o.step)).toEqual([1e6, 2e6]);
  });
});

describe('wide-format validation', () => {
  const mix = 'run,a,b\nr1,0.5,0.5\nr2,0.25,0.75\n';
  const los = 'run,step,a,b\nr1,100,3,2.5\nr1,200,2.8,2.4\nr2,100,3.4,2.2\n';
  it('reads matching files', () => {
    const d = parseWide(mix, 'm.csv', los, 'l.csv');
    expect(d.observations).toHaveLength(6);
    expect(d.mixtures[1]).toEqual([0.25, 0.75]);
  });
  it('a loss column without a mixture column is an error naming it', () => {
    const e = caught(() => parseWide(mix, 'm.csv', 'run,step,a,c\nr1,100,3,2\n', 'l.csv'));
    expect(e.code).toBe('E_DATA');
    expect(e.column).toBe('c');
    expect(e.message).toContain('l.csv, row 1, column c: loss column "c" has no mixture column in m.csv (mixtures has [a, b])');
  });
  it('mixture not summing to 1 names the run and row', () => {
    const e = caught(() => parseWide('run,a,b\nr1,0.5,0.5\nr2,0.3,0.3\n', 'm.csv', los, 'l.csv'));
    expect(e.message).toMatch(/m\.csv, row 3: run "r2": proportions sum to 0\.6/);
  });
  it('proportion outside [0,1] names row and column', () => {
    const e = caught(() => parseWide('run,a,b\nr1,1.2,-0.2\n', 'm.csv', los, 'l.csv'));
    expect(e.message).toMatch(/m\.csv, row 2, column a: proportion must lie in/);
  });
  it('loss for an unknown run', () => {
    const e = caught(() => parseWide(mix, 'm.csv', `${los}r9,100,3,3\n`, 'l.csv'));
    expect(e.message).toMatch(/l\.csv, row 5, column run: run "r9" has no row in m\.csv/);
  });
  it('non-positive loss names row and column', () => {
    const e = caught(() => parseWide(mix, 'm.csv', 'run,step,a,b\nr1,100,3,0\n', 'l.csv'));
    expect(e.message).toMatch(/l\.csv, row 2, column b: loss must be a positive finite number/);
  });
});

describe('too few points', () => {
  it('names the domain, counts and parameters', () => {
    // Two shares and two steps but only three points: 4 parameters.
    const d = parseLongCsv([HEAD, 'r1,100,a,0.5,3', 'r1,200,a,0.5,2.9', 'r2,100,a,0.2,3.3', 'r1,100,b,0.5,3', 'r2,100,b,0.8,3'].join('\n'), 'few.csv');
    const e = caught(() => fitLaw(d, { law: 'bimix' }));
    expect(e.code).toBe('E_DATA');
    expect(e.message).toMatch(/domain "a": too few points: 3 usable point\(s\) for 4 parameter\(s\) \(alpha, beta, b, c\)/);
    expect(e.column).toBe('a');
  });
});

describe('real sweep shapes', () => {
  // Three training domains, losses on two of them; shares printed with 2 decimals so rows drift off 1.
  const mix = 'run,a,b,t\nr1,0.33,0.33,0.33\nr2,0.5,0.25,0.25\nr3,0.2,0.7,0.1\nr4,0.6,0,0.4\n';
  const los = 'run,a,b\nr1,3.0,2.5\nr2,2.8,\nr3,3.3,2.2\nr4,2.7,3.1\n';

  it('a mixture column without a loss column is a training-only domain', () => {
    const d = parseWide(mix, 'm.csv', los, 'l.csv');
    expect(d.domains).toEqual(['a', 'b', 't']);
    expect(d.evaluated).toEqual([0, 1]);
    expect(d.notes.join('\n')).toContain('1 training-only domain(s) without losses (t)');
  });

  it('empty loss cells are "not evaluated", not errors', () => {
    const d = parseWide(mix, 'm.csv', los, 'l.csv');
    expect(d.observations).toHaveLength(7);
    expect(d.observations.some((o) => o.runIndex === 1 && o.domainIndex === 1)).toBe(false);
  });

  it('rows within 0.01 of 1 are renormalised with one note giving count and largest deviation', () => {
    const d = parseWide(mix, 'm.csv', los, 'l.csv');
    expect(d.mixtures[0]!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    expect(d.mixtures[0]![0]).toBeCloseTo(1 / 3, 14);
    expect(d.mixtures[1]).toEqual([0.5, 0.25, 0.25]);
    const renorm = d.notes.filter((n) => /renormalised/.test(n));
    expect(renorm).toEqual(['1 mixture row(s) renormalised to sum to 1 (largest |sum - 1| = 0.01; --strict-sums refuses them instead)']);
  });

  it('--strict-sums keeps the 1e-6 tolerance and names the row', () => {
    const e = caught(() => parseWide(mix, 'm.csv', los, 'l.csv', 'step', { strictSums: true }));
    expect(e.message).toMatch(/^m\.csv, row 2: run "r1": proportions sum to 0\.99, expected 1 within 1e-6 \(--strict-sums\)/);
  });

  it('rows beyond 0.01 are still refused', () => {
    const e = caught(() => parseWide('run,a,b\nr1,0.5,0.48\n', 'm.csv', 'run,a\nr1,3\n', 'l.csv'));
    expect(e.message).toMatch(/m\.csv, row 2: run "r1": proportions sum to 0\.98, expected 1 within 1e-2/);
  });

  it('the long format follows the same rules (empty loss = training only, renormalisation)', () => {
    const rows = [HEAD, 'r1,100,a,0.5,3', 'r1,100,t,0.497,', 'r2,100,a,0.2,3.4', 'r2,100,t,0.8,', 'r3,100,a,0.9,2.9', 'r3,100,t,0.1,'];
    const d = parseLongCsv(rows.join('\n'), 'l.csv');
    expect(d.domains).toEqual(['a', 't']);
    expect(d.evaluated).toEqual([0]);
    expect(d.observations).toHaveLength(3);
    expect(d.notes.join('\n')).toMatch(/1 mixture row\(s\) renormalised .*largest \|sum - 1\| = 0\.003/);
    expect(caught(() => parseLongCsv(rows.join('\n'), 'l.csv', 'step', { strictSums: true })).row).toBe(2);
    const j = parseLongJsonl(['{"run":"r1","domain":"a","proportion":0.5,"loss":3}', '{"run":"r1","domain":"t","proportion":0.5,"loss":null}', '{"run":"r2","domain":"a","proportion":0.1,"loss":3.3}', '{"run":"r2","domain":"t","proportion":0.9,"loss":null}'].join('\n'), 'l.jsonl');
    expect(j.evaluated).toEqual([0]);
  });

  it('training-only domains are features of the exp law and get no law of their own', () => {
    const lines = ['run,a,b,t'];
    const losses = ['run,a,b'];
    for (let i = 0; i < 12; i++) {
      const a = 0.1 + 0.06 * i;
      const t = 0.05 + 0.02 * ((i * 7) % 11);
      const b = 1 - a - t;
      lines.push(`r${i},${a.toFixed(3)},${b.toFixed(3)},${t.toFixed(3)}`);
      losses.push(`r${i},${(2 + Math.exp(-2 * a - 1 * t)).toFixed(4)},${(2.5 + Math.exp(-2 * b - 3 * t)).toFixed(4)}`);
    }
    const d = parseWide(lines.join('\n'), 'm.csv', losses.join('\n'), 'l.csv');
    const r = fitLaw(d, { law: 'exp' });
    expect(r.domains.map((x) => x.name)).toEqual(['a', 'b']);
    expect(r.domainOrder).toEqual(['a', 'b', 't']);
    expect(Object.keys((r.domains[0]!.params as { t: Record<string, number> }).t)).toEqual(['a', 'b', 't']);
    expect(r.domains.every((x) => x.fit.r2Log! > 0.99)).toBe(true);
  });
});
