/**
 * The JSON Schemas in schemas/: generated from src/schemas (not stale), and every JSON file bimix
 * writes carries `$schema` first and validates against its schema file with a real JSON Schema
 * validator (ajv, draft 2020-12) as well as with the zod schema. Readers accept files without
 * `$schema` and refuse another kind's. Needs `npx tsc -p .` first (dist/cli/main.js).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseBaseline, parsePolicy, parseReport } from '../src/check/index.js';
import { readConfigFile } from '../src/corpus/config.js';
import { generateMarkovDocs } from '../src/corpus/markov.js';
import { writeMegatron, writeRaw } from '../src/corpus/writers.js';
import { validateLaw } from '../src/laws/law-file.js';
import { mixtureFromJson } from '../src/laws/mixture.js';
import { SCHEMA_KINDS, SCHEMAS, schemaId, type SchemaKind } from '../src/schemas/index.js';
import { errorOf } from './caught.js';

const MAIN = path.resolve('dist/cli/main.js');
const tmp = mkdtempSync(path.join(tmpdir(), 'bimix-schemas-'));

function bimix(...args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', cwd: tmp });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const ajv = new Ajv2020({ allErrors: true, strict: true });
const validators = new Map(SCHEMA_KINDS.map((k) => [k, ajv.compile(JSON.parse(readFileSync(path.resolve('schemas', `${k}.schema.json`), 'utf8')))]));

/** Asserts `doc` is a valid document of `kind`: `$schema` first, ajv against the file, zod against the source. */
function expectValid(kind: SchemaKind, doc: unknown): void {
  expect(Object.keys(doc as object)[0]).toBe('$schema');
  expect((doc as { $schema: string }).$schema).toBe(schemaId(kind));
  const v = validators.get(kind)!;
  expect(v(doc), JSON.stringify(v.errors?.slice(0, 3))).toBe(true);
  expect(SCHEMAS[kind].safeParse(doc).success).toBe(true);
  // The schema files describe exactly what is written: one key more is refused.
  expect(v({ ...(doc as object), unexpected: 1 })).toBe(false);
}

const read = (f: string) => JSON.parse(readFileSync(path.join(tmp, f), 'utf8')) as Record<string, unknown>;


describe('schemas/', () => {
  it('is what scripts/gen-schemas.mjs writes from src/schemas (node scripts/gen-schemas.mjs regenerates it)', () => {
    const r = spawnSync(process.execPath, [path.resolve('scripts/gen-schemas.mjs'), '--check'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });

  it('one draft 2020-12 file per kind, with a stable $id', () => {
    for (const k of SCHEMA_KINDS) {
      const s = JSON.parse(readFileSync(path.resolve('schemas', `${k}.schema.json`), 'utf8'));
      expect(s.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(s.$id).toBe(`https://bimix.dev/schemas/${k}-v1.json`);
      expect(typeof s.title).toBe('string');
    }
  });
});

describe('every JSON file bimix writes validates against its schema', () => {
  beforeAll(() => {
    const web = generateMarkovDocs({ vocab: 64, firstId: 1, successors: 8, seed: 1, meanDocLength: 100 }, 20_000);
    const code = generateMarkovDocs({ vocab: 64, firstId: 1, successors: 4, seed: 2, meanDocLength: 150 }, 20_000);
    mkdirSync(path.join(tmp, 'web'), { recursive: true });
    mkdirSync(path.join(tmp, 'code'), { recursive: true });
    writeRaw(path.join(tmp, 'web', 'web.bin'), web, { eos: 0 });
    writeMegatron(path.join(tmp, 'code', 'code-00000'), code);
    const config = { $schema: schemaId('config'), domains: { web: { globs: ['web/*.bin'], format: 'raw', eos: 0 }, code: { globs: ['code/*.bin'], format: 'megatron' } } };
    writeFileSync(path.join(tmp, 'bimix.json'), JSON.stringify(config));
    writeFileSync(path.join(tmp, 'policy.json'), JSON.stringify({ $schema: schemaId('policy'), default: { rtol: 0.05 }, metrics: { tokens: { rtol: 0 } } }));
  });

  it('the config and policy written by hand (with $schema) are valid and read', async () => {
    expectValid('config', read('bimix.json'));
    expectValid('policy', read('policy.json'));
    expect((await readConfigFile(path.join(tmp, 'bimix.json'), { format: 'auto' })).domains.map((d) => d.name)).toEqual(['web', 'code']);
  });

  it('analyze --out and --json, sampled analyze, baseline, check --reporter json, mix --out', () => {
    const common = ['--config', 'bimix.json', '--threads', '1', '--quiet'];
    expect(bimix('analyze', ...common, '--out', 'report.json').code).toBe(0);
    expectValid('analysis', read('report.json'));
    const json = bimix('analyze', ...common, '--json');
    expect(json.code, json.err).toBe(0);
    expectValid('analysis', JSON.parse(json.out));
    const sampled = bimix('analyze', ...common, '--sample', '0.5', '--seed', '3', '--out', 'sampled.json');
    expect(sampled.code, sampled.err).toBe(0);
    expect((read('sampled.json').domains as { intervals?: unknown }[])[0]!.intervals).toBeDefined();
    expectValid('analysis', read('sampled.json'));
    expect(bimix('baseline', '--from', 'report.json', '--out', 'base.json').code).toBe(0);
    expectValid('baseline', read('base.json'));
    const check = bimix('check', '--baseline', 'base.json', '--current', 'report.json', '--policy', 'policy.json', '--reporter', 'json', '--out', 'check.json');
    expect(check.code, check.err).toBe(0);
    expectValid('check', read('check.json'));
    expect(bimix('mix', '--from', 'report.json', '--out', 'mix.json').code).toBe(0);
    expectValid('mixture', read('mix.json'));
  });

  it('fit --out of every law, and fit --json of one', () => {
    const fit = bimix('fit', '--losses', path.resolve('examples/laws/sweep-transfer.csv'), '--law', 'all', '--out', 'law.json', '--quiet');
    expect(fit.code, fit.err).toBe(0);
    for (const l of ['bimix', 'exp', 'transfer']) expectValid('law', read(`law.${l}.json`));
    const one = bimix('fit', '--losses', path.resolve('examples/laws/losses.csv'), '--mixtures', path.resolve('examples/laws/mixtures.csv'), '--json', '--quiet');
    expect(one.code, one.err).toBe(0);
    expectValid('law', JSON.parse(one.out));
  });

  it('the partial manifest of bimix count', () => {
    const r = bimix('count', '--config', 'bimix.json', '--threads', '1', '--task-index', '0', '--task-count', '1', '--partial-dir', 'parts', '--quiet');
    expect(r.code, r.err).toBe(0);
    expectValid('manifest', read('parts/task-00000.manifest.json'));
    const merged = bimix('merge', '--partial-dir', 'parts', '--json', '--quiet');
    expect(merged.code, merged.err).toBe(0);
    expectValid('analysis', JSON.parse(merged.out));
  });
});

describe('$schema on read', () => {
  const report = () => JSON.parse(readFileSync(path.join(tmp, 'report.json'), 'utf8')) as Record<string, unknown>;

  it('files without $schema (written before it existed) are read as before', () => {
    const { $schema: _r, ...old } = report();
    expect(parseReport(old).domains).toHaveLength(2);
    const { $schema: _b, ...base } = JSON.parse(readFileSync(path.join(tmp, 'base.json'), 'utf8'));
    expect(parseBaseline(base).domains).toHaveLength(2);
    expect(mixtureFromJson({ web: 0.5, code: 0.5 })).toEqual({ web: 0.5, code: 0.5 });
    const mix = JSON.parse(readFileSync(path.join(tmp, 'mix.json'), 'utf8'));
    expect(mixtureFromJson(mix, 'mix.json')).toEqual(mix.proportions);
    expect(errorOf(() => mixtureFromJson({ proportions: { web: 'x' } }, 'm.json')).message).toBe('m.json: $.proportions.web: expected a number, got "x"');
  });

  it("another kind's $schema, or a foreign one, is refused by name", () => {
    const asBaseline = { ...report(), schema: 'bimix.baseline/1' };
    expect(errorOf(() => parseBaseline(asBaseline, 'b.json')).message).toBe(
      `b.json: $.$schema: expected "${schemaId('baseline')}" or no $schema, got "${schemaId('analysis')}" (this is an analysis report, not a baseline)`,
    );
    const foreign = { ...report(), $schema: 'https://example.com/other.json' };
    expect(errorOf(() => parseReport(foreign, 'r.json')).message).toBe(`r.json: $.$schema: expected "${schemaId('analysis')}" or no $schema, got "https://example.com/other.json"`);
    const e = errorOf(() => parsePolicy({ $schema: schemaId('config') }, 'p.json'));
    expect([e.code, e.message]).toEqual(['E_SCHEMA', `p.json: $.$schema: expected "${schemaId('policy')}" or no $schema, got "${schemaId('config')}" (this is a corpus config, not a check policy)`]);
    expect(errorOf(() => mixtureFromJson({ $schema: schemaId('law'), web: 1 }, 'm.json')).message).toMatch(/this is a law file, not a mixture/);
    const law = JSON.parse(readFileSync(path.join(tmp, 'law.bimix.json'), 'utf8'));
    expect(errorOf(() => validateLaw({ ...law, $schema: schemaId('mixture') }, 'l.json')).message).toMatch(/^l\.json: \$\.\$schema: expected .* \(this is a mixture, not a law file\)$/);
  });
});

describe('law files: strict per-law parameters, every problem named by its JSON path', () => {
  const law = () => JSON.parse(readFileSync(path.join(tmp, 'law.exp.json'), 'utf8'));
  const cases: [string, (l: any) => void, string][] = [
    ['unknown law', (l) => (l.law = 'cubic'), '$.law: expected one of "bimix", "exp", "transfer", "interaction", "regression", got "cubic"'],
    ['a parameter of another law', (l) => (l.domains[0].params.alpha = 1), '$.domains[0].params.alpha: unknown key (expected one of c, k, t, step)'],
    ['a missing parameter', (l) => delete l.domains[1].params.k, '$.domains[1].params.k: expected a finite number, got nothing'],
    ['a non-number share weight', (l) => (l.domains[0].params.t.web = 'x'), '$.domains[0].params.t.web: expected a finite number, got "x"'],
    ['a domain not in domainOrder', (l) => (l.domainOrder = l.domainOrder.slice(1)), '$.domains[0].name: expected one of domainOrder'],
    ['no domains', (l) => (l.domains = []), '$.domains: expected a non-empty list, got an array'],
    ['a note that is not text', (l) => (l.domains[0].notes = [1]), '$.domains[0].notes[0]: expected a string, got 1'],
    ['fit scores that are not an object', (l) => (l.domains[0].fit = []), '$.domains[0].fit: expected an object, got an array'],
  ];
  it.each(cases)('%s', (_name, mutate, message) => {
    const l = law();
    mutate(l);
    const e = errorOf(() => validateLaw(l, 'law.json'));
    expect(e.code).toBe('E_SCHEMA');
    expect(e.message.startsWith(`law.json: ${message}`), e.message).toBe(true);
  });
});

describe('config files: unknown keys and bad values are E_CONFIG naming the path', () => {
  const cases: [unknown, string][] = [
    [{ domains: { web: { globs: ['a'], dtpye: 'u32' } } }, '$.domains.web.dtpye: unknown key (expected one of globs, glob, files, format, dtype, eos, vocab, column, split)'],
    [{ domains: { web: 'a' }, fromat: 'raw' }, '$.fromat: unknown key (expected one of domains, format, dtype, eos, vocab, column, split)'],
    [{ domains: { web: { globs: 'a', format: 'csv' } } }, '$.domains.web.format: expected auto|megatron|llmc|raw|npy|datatrove|arrow|parquet, got "csv"'],
    [{ domains: { web: [] } }, '$.domains.web: expected at least one glob, got an array'],
    [{ domains: { web: 3 } }, '$.domains.web: expected a glob, a list of globs or an object with "globs", got 3'],
    [{ domains: { 'a b': 'x' } }, '$.domains["a b"]: expected a domain name of letters, digits, _ . -, got "a b"'],
    [{ domains: {} }, '$.domains: expected at least one domain, got an object'],
    [{ domains: { web: 'a' }, eos: -1 }, '$.eos: expected a whole number from 0 to 4294967295, got -1'],
  ];
  it.each(cases)('%j', async (doc, message) => {
    const file = path.join(tmp, 'bad-config.json');
    writeFileSync(file, JSON.stringify(doc));
    await expect(readConfigFile(file, { format: 'auto' })).rejects.toMatchObject({ code: 'E_CONFIG', message: `${file}: ${message}` });
  });
});
