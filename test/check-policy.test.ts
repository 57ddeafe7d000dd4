import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeBaseline, parseBaseline, parseMetricList, parsePolicy, parseReport, readBaseline, readPolicy, policyMetrics, DEFAULT_METRICS } from '../src/check/index.js';
import { domain, report } from './check-fixtures.js';
import { errorOf } from './caught.js';


describe('policy validation', () => {
  // [policy, exact message]
  const invalid: [unknown, string][] = [
    [[], '$: expected an object, got an array'],
    [{ rtol: 0.1 }, '$.rtol: unknown key (expected one of schema, check, default, metrics, domains, allowMissing, description)'],
    [{ schema: 'bimix.policy/2' }, '$.schema: expected "bimix.policy/1", got "bimix.policy/2"'],
    [{ default: { rtol: -1 } }, '$.default.rtol: expected a number >= 0, got -1'],
    [{ default: { rtol: '0.1' } }, '$.default.rtol: expected a number >= 0, got "0.1"'],
    [{ default: { rtoll: 0.1 } }, '$.default.rtoll: unknown key (expected one of rtol, atol, direction)'],
    [{ default: { direction: 'down' } }, '$.default.direction: expected one of "both", "decrease", "increase", got "down"'],
    [{ metrics: { entropy: { rtol: 0.1 } } }, '$.metrics.entropy: expected a metric name (conditional, shannon, joint, vne, tokens, documents, unigrams, bigrams, bigramTotal, mm.shannon, mm.joint, mm.conditional), got "entropy"'],
    [{ metrics: { 'mm.joint': { atol: null } } }, '$.metrics["mm.joint"].atol: expected a number >= 0, got null'],
    [{ metrics: { tokens: 0.1 } }, '$.metrics.tokens: expected an object, got 0.1'],
    [{ allowMissing: 'yes' }, '$.allowMissing: expected true or false, got "yes"'],
    [{ domains: [] }, '$.domains: expected an object, got an array'],
    [{ domains: { web: { allowMissing: 1 } } }, '$.domains.web.allowMissing: expected true or false, got 1'],
    [{ domains: { 'my web': { metrics: { tokens: { direction: 'up' } } } } }, '$.domains["my web"].metrics.tokens.direction: expected one of "both", "decrease", "increase", got "up"'],
    [{ domains: { web: { tolerance: 1 } } }, '$.domains.web.tolerance: unknown key (expected one of rtol, atol, direction, allowMissing, metrics)'],
    [{ check: [] }, '$.check: expected at least one metric name, got an array'],
    [{ check: ['tokens', 'tokens'] }, '$.check[1]: expected each metric once, got "tokens"'],
    [{ check: ['conditional', 3] }, '$.check[1]: expected a metric name (conditional, shannon, joint, vne, tokens, documents, unigrams, bigrams, bigramTotal, mm.shannon, mm.joint, mm.conditional), got 3'],
  ];
  it.each(invalid)('%j', (doc, message) => {
    const e = errorOf(() => parsePolicy(doc, 'p.json'));
    expect(e.code).toBe('E_SCHEMA');
    expect(e.message).toBe(`p.json: ${message}`);
  });

  it('accepts a full policy', () => {
    const p = parsePolicy({
      schema: 'bimix.policy/1',
      description: 'CI gate',
      default: { rtol: 0.01, atol: 0, direction: 'both' },
      metrics: { conditional: { rtol: 0.02, direction: 'decrease' }, tokens: { rtol: 0.1 } },
      domains: { code: { allowMissing: true, rtol: 0.05, metrics: { documents: { rtol: 0.2 } } } },
      allowMissing: false,
    });
    expect(p.domains!.code!.metrics!.documents).toEqual({ rtol: 0.2 });
    expect(policyMetrics(p, DEFAULT_METRICS)).toEqual([...DEFAULT_METRICS]);
    expect(policyMetrics(parsePolicy({ check: ['tokens'] }), DEFAULT_METRICS)).toEqual(['tokens']);
  });

  it('file errors: unreadable and not JSON', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bimix-policy-'));
    await expect(readPolicy(path.join(dir, 'none.json'))).rejects.toMatchObject({ code: 'E_IO', message: expect.stringMatching(/none\.json: does not exist/) });
    writeFileSync(path.join(dir, 'bad.json'), '{"default": ');
    await expect(readPolicy(path.join(dir, 'bad.json'))).rejects.toMatchObject({ code: 'E_FORMAT' });
  });
});

describe('--metrics parsing', () => {
  it.each([
    ['conditional,tokens', ['conditional', 'tokens']],
    [' shannon , mm.joint ', ['shannon', 'mm.joint']],
  ])('%s', (raw, expected) => expect(parseMetricList(raw)).toEqual(expected));
  it('all', () => expect(parseMetricList('all')).toHaveLength(12));
  it.each([
    ['entropy', '--metrics: expected metric names from conditional, shannon, joint, vne, tokens, documents, unigrams, bigrams, bigramTotal, mm.shannon, mm.joint, mm.conditional (or all), got "entropy"'],
    ['tokens,tokens', '--metrics: expected each metric once, got "tokens"'],
    [',', '--metrics: expected a comma-separated list of conditional, shannon, joint, vne, tokens, documents, unigrams, bigrams, bigramTotal, mm.shannon, mm.joint, mm.conditional (or all), got ","'],
  ])('rejects %j', (raw, message) => {
    const e = errorOf(() => parseMetricList(raw));
    expect(e.code).toBe('E_USAGE');
    expect(e.message).toBe(message);
  });
});

describe('baseline and report validation', () => {
  const good = makeBaseline(report([domain('web'), domain('code')]), { reportFile: 'r.json', createdAt: new Date(0) });

  it('a baseline records its provenance', () => {
    expect(good.schema).toBe('bimix.baseline/1');
    expect(good.createdAt).toBe('1970-01-01T00:00:00.000Z');
    expect(good.tool.name).toBe('bimix');
    expect(good.source).toEqual({ report: 'r.json', schema: 'bimix.analysis/1', tool: { name: 'bimix', version: '0.1.0' }, options: {} });
    expect(good.domains[0]!.files).toEqual([{ path: '/data/web.bin', format: 'raw', dtype: 'u16', bytes: 2000, mtimeMs: 1, tokens: 1000 }]);
    expect(parseBaseline(JSON.parse(JSON.stringify(good)))).toEqual(good);
  });

  const mutate = (f: (b: Record<string, any>) => void) => {
    const b = JSON.parse(JSON.stringify(good));
    f(b);
    return b;
  };
  const invalid: [string, unknown, string][] = [
    ['not an object', 3, 'b.json: expected a JSON object with "schema" bimix.baseline/1'],
    ['foreign schema', { schema: 'other/1' }, 'b.json: expected schema bimix.baseline/1, found "other/1"'],
    ['a report', report([domain('web')]), 'b.json: expected schema bimix.baseline/1, found "bimix.analysis/1" (this is an analysis report; make a baseline from it with: bimix baseline --from REPORT --out BASELINE)'],
    ['bad base', mutate((b) => (b.base = 'ten')), 'b.json: $.base: expected "e" or "2", got "ten"'],
    ['negative tokens', mutate((b) => (b.domains[1].tokens = -5)), 'b.json: $.domains[1].tokens: expected a number >= 0, got -5'],
    ['missing entropy', mutate((b) => delete b.domains[0].entropy.conditional), 'b.json: $.domains[0].entropy.conditional: expected a finite number, got nothing'],
    ['duplicate domain', mutate((b) => (b.domains[1].name = 'web')), 'b.json: $.domains[1].name: expected a domain name not used before, got "web"'],
    ['bad file', mutate((b) => (b.domains[0].files[0].bytes = 'x')), 'b.json: $.domains[0].files[0].bytes: expected a number >= 0, got "x"'],
    ['no source', mutate((b) => delete b.source), 'b.json: $.source: expected an object, got nothing'],
  ];
  it.each(invalid)('rejects a baseline: %s', (_name, doc, message) => {
    const e = errorOf(() => parseBaseline(doc, 'b.json'));
    expect(e.code).toBe('E_SCHEMA');
    expect(e.message).toBe(message);
  });

  it('rejects reports that are baselines or malformed', () => {
    expect(errorOf(() => parseReport(good, 'r.json')).message).toBe(
      'r.json: expected schema bimix.analysis/1, found "bimix.baseline/1" (this is a baseline; --current takes a report from bimix analyze --out)',
    );
    const r = report([domain('web')]) as unknown as Record<string, any>;
    r.domains[0].intervals = { level: 0.95, replicates: 10, shannon: [2, 1], joint: [1, 2], conditional: [1, 2] };
    expect(errorOf(() => parseReport(r, 'r.json')).message).toBe('r.json: $.domains[0].intervals.shannon: expected low <= high, got an array');
  });

  it('readBaseline: unreadable file is E_IO', async () => {
    await expect(readBaseline('/nonexistent/base.json')).rejects.toMatchObject({ code: 'E_IO' });
  });
});
