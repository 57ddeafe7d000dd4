import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// Needs `npx tsc -p .` first (dist/cli/main.js).
const MAIN = path.resolve('dist/cli/main.js');
const tmp = mkdtempSync(path.join(tmpdir(), 'bimix-laws-'));

function bimix(...args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe.skipIf(!existsSync(MAIN))('bimix fit / predict / optimize / grow', () => {
  const law = path.join(tmp, 'law.json');

  it('fit (wide format) writes a bimix.law/1 file and prints JSON', () => {
    const r = bimix('fit', '--losses', 'examples/laws/losses.csv', '--mixtures', 'examples/laws/mixtures.csv', '--holdout', 'last', '--out', law, '--json');
    expect(r.code, r.err).toBe(0);
    const rep = JSON.parse(r.out);
    expect(rep.schema).toBe('bimix.law/1');
    expect(rep.law).toBe('bimix');
    expect(rep.domains.map((d: { name: string }) => d.name)).toEqual(['web', 'forum', 'code', 'math']);
    for (const d of rep.domains) {
      expect(Object.keys(d.params).sort()).toEqual(['A', 'B', 'C', 'alpha', 'b', 'beta', 'c']);
      expect(Object.keys(d.fit).sort()).toEqual(['mre', 'r2Log', 'rmse']);
      expect(d.holdout.protocol).toBe('last');
      expect(typeof d.points).toBe('number');
      expect(d.excluded).toBe(0);
    }
    expect(JSON.parse(readFileSync(law, 'utf8'))).toEqual(rep);
  });

  it('fit prints a table per domain without --json', () => {
    const r = bimix('fit', '--losses', 'examples/laws/sweep-plain.csv', '--out', path.join(tmp, 'plain.json'));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/domain\s+points\s+excl\s+alpha\s+beta\s+b\s+c\s+R2\(log\)\s+RMSE\s+MRE/);
    expect(r.out).toMatch(/^math\s+80\s+0/m);
  });

  it('predict and optimize read the law file', () => {
    const p = bimix('predict', '--law', law, '--proportions', 'web=0.4,forum=0.2', '--proportions', 'code=0.2,math=0.2', '--steps', '8000', '--json');
    expect(p.code, p.err).toBe(0);
    const pj = JSON.parse(p.out);
    expect(pj.domains).toHaveLength(4);
    expect(pj.average).toBeGreaterThan(0);
    const o = bimix('optimize', '--law', law, '--steps', '8000', '--min', 'web=0.2', '--max', 'code=0.3', '--reference', 'examples/laws/reference.json', '--json');
    expect(o.code, o.err).toBe(0);
    const oj = JSON.parse(o.out);
    expect(oj.proportions.web).toBeGreaterThanOrEqual(0.2);
    expect(oj.proportions.code).toBeLessThanOrEqual(0.3);
    expect(oj.reference.gain).toBeGreaterThanOrEqual(0);
    const text = bimix('optimize', '--law', law, '--steps', '8000');
    expect(text.out).toMatch(/weighted mean loss \(sum_i w_i L_i \/ sum_i w_i, as predict reports\): /);
  });

  it('errors become "bimix: error CODE: message" with exit code 2', () => {
    const inf = bimix('optimize', '--law', law, '--steps', '8000', '--min', 'web=0.6,forum=0.6');
    expect(inf.code).toBe(2);
    expect(inf.err).toMatch(/^bimix: error E_INFEASIBLE: infeasible bounds: the minimum proportions sum to 1\.2 > 1/);
    const bad = path.join(tmp, 'bad.csv');
    writeFileSync(bad, 'run,step,domain,proportion,loss\nr1,1,a,1,2\nr1,2,a,1,-3\n');
    const d = bimix('fit', '--losses', bad, '--out', path.join(tmp, 'x.json'));
    expect(d.code).toBe(2);
    expect(d.err).toContain(`bimix: error E_DATA: ${bad}, row 3, column loss: loss must be a positive finite number`);
    const schema = path.join(tmp, 'notlaw.json');
    writeFileSync(schema, '{"schema":"bimix.law/9"}');
    const s = bimix('predict', '--law', schema, '--proportions', 'a=1', '--steps', '1');
    expect(s.code).toBe(2);
    expect(s.err).toMatch(/E_SCHEMA: .*expected schema bimix\.law\/1, found "bimix\.law\/9"/);
    const u = bimix('fit', '--losses', 'examples/laws/sweep-plain.csv', '--law', 'cubic', '--out', path.join(tmp, 'y.json'));
    expect(u.code).toBe(2);
    expect(u.err).toMatch(/E_USAGE: --law: expected bimix, exp, transfer, interaction, regression or all/);
  });

  it('fit --law all --json prints { laws: [...] } and writes one file per law', () => {
    const out = path.join(tmp, 'all.json');
    const r = bimix('fit', '--losses', 'examples/laws/sweep-transfer.csv', '--law', 'all', '--holdout', 'runs=4', '--out', out, '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.laws.map((l: { law: string }) => l.law)).toEqual(['bimix', 'exp', 'transfer', 'interaction', 'regression']);
    expect(j.comparison.protocol).toBe('runs=4');
    // Regression needs libxgboost: without it, it is an error entry and writes no file.
    for (const l of j.laws as { law: string; error?: unknown }[]) expect(existsSync(path.join(tmp, `all.${l.law}.json`)), l.law).toBe(l.error === undefined);
  });

  it('one vocabulary: --from reads every input, old spellings still work, --out writes JSON, --steps only when the law has steps', () => {
    const wide = bimix('fit', '--from', 'examples/laws/mixtures.csv', 'examples/laws/losses.csv', '--json', '--quiet');
    expect(wide.code, wide.err).toBe(0);
    const old = bimix('fit', '--mixtures', 'examples/laws/mixtures.csv', '--losses', 'examples/laws/losses.csv', '--json', '--quiet');
    expect(JSON.parse(old.out)).toEqual(JSON.parse(wide.out)); // fit --json without --out prints to stdout
    expect(bimix('fit', '--help').out).not.toMatch(/--losses|--mixtures/);
    const p1 = bimix('predict', '--from', law, '--proportions', 'web=0.4,forum=0.2,code=0.2,math=0.2', '--steps', '8000', '--json');
    const p2 = bimix('predict', '--law', law, '--proportions', 'web=0.4,forum=0.2,code=0.2,math=0.2', '--steps', '8000', '--json');
    expect(JSON.parse(p2.out)).toEqual(JSON.parse(p1.out));
    const noSteps = bimix('predict', '--from', law, '--proportions', 'web=1');
    expect(noSteps.code).toBe(2);
    expect(noSteps.err).toMatch(/E_USAGE: --steps: expected a step count \(in step\): the bimix law depends on it/);
    const exp = path.join(tmp, 'exp.json');
    expect(bimix('fit', '--from', 'examples/laws/mixtures.csv', 'examples/laws/losses.csv', '--law', 'exp', '--out', exp, '--quiet').code).toBe(0);
    const out = path.join(tmp, 'pred.json');
    const pe = bimix('predict', '--from', exp, '--proportions', 'web=0.5,code=0.5', '--out', out, '--quiet');
    expect(pe.code, pe.err).toBe(0);
    expect(pe.out).toMatch(/\(no step dimension\)/);
    expect(JSON.parse(readFileSync(out, 'utf8')).steps).toBeNull();
    const oe = bimix('optimize', '--from', exp, '--out', path.join(tmp, 'opt.json'), '--json', '--quiet');
    expect(oe.code, oe.err).toBe(0);
    expect(JSON.parse(readFileSync(path.join(tmp, 'opt.json'), 'utf8'))).toEqual(JSON.parse(oe.out));
    const wrong = bimix('predict', '--from', exp, '--law', 'bimix', '--proportions', 'web=1');
    expect(wrong.err).toMatch(/E_USAGE: --law: expected the law in .*exp\.json \(exp\), got "bimix"/);
    const g = bimix('grow', '--params', '7B', '--tokens', '2T', '--layers', '30');
    expect(g.code).toBe(2);
    expect(g.err).toMatch(/^bimix: error E_USAGE: --layers: expected a multiple of 4/);
    const gb = bimix('grow', '--params', '7B', '--tokens', '5B');
    expect(gb.code).toBe(2);
    expect(gb.err).toMatch(/E_USAGE: --tokens: expected a budget beyond the growth point/);
    const go = path.join(tmp, 'grow.json');
    expect(bimix('grow', '--params', '7B', '--tokens', '2T', '--out', go, '--quiet').code).toBe(0);
    expect(JSON.parse(readFileSync(go, 'utf8')).growthFactor).toBe(4);
  });

  it('grow prints the plan and JSON', () => {
    const r = bimix('grow', '--params', '7B', '--tokens', '2T', '--layers', '32', '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect((j.growthTokens / 1e9).toFixed(2)).toBe('11.11');
    expect(j.growthFactor).toBe(4);
    expect(j.computeFlops).toBe(6 * 7e9 * 2e12);
    expect(j.smallModelLayers).toBe(8);
    expect(r.err).toMatch(/exceeds the 750B tokens/);
    const t = bimix('grow', '--params', '8e9', '--tokens', '15T');
    expect(t.out).toMatch(/grow after d = 6\.58\d*B tokens/);
  });
});
