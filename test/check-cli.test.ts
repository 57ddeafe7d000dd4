/**
 * `bimix check` and `bimix baseline` end to end: exit codes, output files, and simulated
 * regressions on generated Markov corpora. Needs `npx tsc -p .` first (dist/cli/main.js).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze, analyzeFullAndSampled } from '../src/analyze/index.js';
import { checkCorpus, makeBaseline, readBaseline, type CheckResult } from '../src/check/index.js';
import { generateMarkovDocs, type MarkovSpec } from '../src/corpus/markov.js';
import { writeMegatron, writeRaw } from '../src/corpus/writers.js';
import { parseXml, findAll } from './check-xml.js';

const MAIN = path.resolve('dist/cli/main.js');
const tmp = mkdtempSync(path.join(tmpdir(), 'bimix-check-'));

function bimix(...args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', cwd: tmp });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// Small vocabularies keep the sampled-mode bias of plug-in entropies well under 1%.
const CHAINS: Record<string, MarkovSpec> = {
  web: { vocab: 128, firstId: 1, successors: 16, seed: 21, meanDocLength: 200 },
  code: { vocab: 128, firstId: 1, successors: 4, seed: 22, meanDocLength: 400 },
  books: { vocab: 64, firstId: 1, successors: 24, seed: 23, meanDocLength: 300 },
};
const TOKENS = 200_000;
type Docs = Record<string, Uint32Array[]>;

/** Writes a corpus (web: raw u16 with separator 0 in two shards; code: Megatron; books: raw with separator 0). */
function writeCorpus(name: string, docs: Docs, opts: { rawBooks?: Uint8Array } = {}): string {
  const dir = path.join(tmp, name);
  rmSync(dir, { recursive: true, force: true });
  const domains: Record<string, unknown> = {};
  if (docs.web) {
    mkdirSync(path.join(dir, 'web'), { recursive: true });
    const half = Math.ceil(docs.web.length / 2);
    writeRaw(path.join(dir, 'web', 'web-00000.bin'), docs.web.slice(0, half), { eos: 0 });
    writeRaw(path.join(dir, 'web', 'web-00001.bin'), docs.web.slice(half), { eos: 0 });
    domains.web = { globs: ['web/*.bin'], format: 'raw', eos: 0 };
  }
  if (docs.code) {
    mkdirSync(path.join(dir, 'code'), { recursive: true });
    writeMegatron(path.join(dir, 'code', 'code-00000'), docs.code);
    domains.code = { globs: ['code/*.bin'], format: 'megatron' };
  }
  if (docs.books || opts.rawBooks) {
    mkdirSync(path.join(dir, 'books'), { recursive: true });
    const file = path.join(dir, 'books', 'books-00000.bin');
    if (opts.rawBooks) writeFileSync(file, opts.rawBooks);
    else writeRaw(file, docs.books!, { eos: 0 });
    domains.books = { globs: ['books/*.bin'], format: 'raw', eos: 0 };
  }
  writeFileSync(path.join(dir, 'bimix.json'), `${JSON.stringify({ domains }, null, 2)}\n`);
  return path.join(dir, 'bimix.json');
}

function check(config: string, ...extra: string[]): { code: number | null; result: CheckResult; err: string } {
  const r = bimix('check', '--baseline', 'base.json', '--config', config, '--threads', '1', '--quiet', '--reporter', 'json', ...extra);
  return { code: r.code, result: r.out ? (JSON.parse(r.out) as CheckResult) : (undefined as unknown as CheckResult), err: r.err };
}

function failing(res: CheckResult): string[] {
  return res.rows.filter((r) => r.regression).map((r) => `${r.domain}.${r.metric}`);
}

const docs: Docs = Object.fromEntries(Object.entries(CHAINS).map(([k, spec]) => [k, generateMarkovDocs(spec, TOKENS)]));
/** web keeps every other document. */
const halfDocs = (): Docs => ({ ...docs, web: docs.web!.filter((_, i) => i % 2 === 0) });
/** code's text replaced by one boilerplate document repeated to the same size. */
const boilerDocs = (): Docs => {
  const boiler = Uint32Array.from({ length: 120 }, (_, i) => 1 + ((i * 7) % 40));
  return { ...docs, code: Array.from({ length: Math.round(TOKENS / boiler.length) }, () => boiler) };
};
let config = '';

beforeAll(() => {
  config = writeCorpus('orig', docs);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(!existsSync(MAIN))('bimix baseline / check (CLI)', () => {
  beforeAll(() => {
    const a = bimix('analyze', '--config', config, '--threads', '1', '--quiet', '--out', 'report.json');
    expect(a.code, a.err).toBe(0);
    const b = bimix('baseline', '--from', 'report.json', '--out', 'base.json');
    expect(b.code, b.err).toBe(0);
    expect(b.out).toBe('wrote base.json: 3 domains, 4 files (report by bimix 0.1.0)\n');
  });

  it('baseline records provenance: tool, options, files with sizes and modification times', async () => {
    const base = await readBaseline(path.join(tmp, 'base.json'));
    expect(base.schema).toBe('bimix.baseline/1');
    expect(base.source.report).toBe('report.json');
    expect(base.source.tool.name).toBe('bimix');
    expect(base.source.options).toMatchObject({ proxy: 'conditional' });
    expect(base.domains.map((d) => d.name)).toEqual(['web', 'code', 'books']);
    const web = base.domains[0]!;
    expect(web.files.map((f) => path.basename(f.path))).toEqual(['web-00000.bin', 'web-00001.bin']);
    for (const f of web.files) {
      expect(f.bytes).toBeGreaterThan(0);
      expect(f.mtimeMs).toBeGreaterThan(0);
    }
    // No temporary files left next to the outputs.
    expect(readdirSync(tmp).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('unchanged corpus: exit 0, re-analysed or from the saved report', () => {
    const now = check(config);
    expect(now.code, now.err).toBe(0);
    expect(now.result.summary).toMatchObject({ checks: 24, pass: 24, regressions: 0 });
    const saved = bimix('check', '--baseline', 'base.json', '--current', 'report.json');
    expect(saved.code, saved.err).toBe(0);
    expect(saved.out).toMatch(/^bimix check: OK, all within tolerance \(24 checks: 24 pass, 0 fail, 0 missing, 0 skipped\)$/m);
  });

  it('regression: a domain loses half its documents → exit 1', () => {
    const cfg = writeCorpus('half', halfDocs());
    const r = check(cfg);
    expect(r.code, r.err).toBe(1);
    expect(failing(r.result)).toEqual(expect.arrayContaining(['web.tokens', 'web.documents', 'web.bigramTotal']));
    expect(failing(r.result).every((k) => k.startsWith('web.'))).toBe(true);
  });

  it("regression: a domain's text replaced by repeated boilerplate → exit 1", () => {
    const r = check(writeCorpus('boiler', boilerDocs()));
    expect(r.code, r.err).toBe(1);
    expect(failing(r.result)).toEqual(expect.arrayContaining(['code.conditional', 'code.shannon', 'code.joint', 'code.unigrams', 'code.bigrams']));
    // Even a lenient policy that lets entropy rise freely catches the fall.
    const policy = path.join(tmp, 'lenient.json');
    writeFileSync(policy, JSON.stringify({ check: ['conditional'], metrics: { conditional: { rtol: 0.05, direction: 'decrease' } } }));
    expect(check(path.join(tmp, 'boiler', 'bimix.json'), '--policy', policy).code).toBe(1);
  });

  it('regression: a domain vanishes → exit 1, unless the policy allows it', () => {
    const cfg = writeCorpus('vanished', { web: docs.web!, code: docs.code! });
    const r = check(cfg);
    expect(r.code, r.err).toBe(1);
    expect(failing(r.result)).toHaveLength(8);
    expect(r.result.rows.filter((x) => x.domain === 'books').every((x) => x.verdict === 'missing')).toBe(true);
    const policy = path.join(tmp, 'allow.json');
    writeFileSync(policy, JSON.stringify({ domains: { books: { allowMissing: true } } }));
    expect(check(cfg, '--policy', policy).code).toBe(0);
  });

  it('regression: tokens shifted by one id (separators included) → exit 1', () => {
    // A tokenizer off by one: every id + 1, so separator 0 becomes 1 and documents run together.
    const flat: number[] = [];
    for (const d of docs.books!) flat.push(...Array.from(d, (t) => t + 1), 1);
    const r = check(writeCorpus('shifted', { web: docs.web!, code: docs.code! }, { rawBooks: new Uint8Array(Uint16Array.from(flat).buffer) }));
    expect(r.code, r.err).toBe(1);
    expect(failing(r.result)).toEqual(expect.arrayContaining(['books.documents', 'books.unigrams', 'books.bigrams']));
  });

  it('exit 2 on input errors: unreadable, foreign or report-as-baseline, schema mismatch, bad policy, usage', () => {
    writeFileSync(path.join(tmp, 'foreign.json'), JSON.stringify({ schema: 'other/1' }));
    writeFileSync(path.join(tmp, 'notjson.json'), '{');
    writeFileSync(path.join(tmp, 'badpolicy.json'), JSON.stringify({ metrics: { tokens: { rtol: -0.1 } } }));
    const cases: [string[], RegExp][] = [
      [['--baseline', 'missing.json', '--current', 'report.json'], /E_IO: missing\.json: does not exist/],
      [['--baseline', 'notjson.json', '--current', 'report.json'], /E_FORMAT: notjson\.json: not valid JSON/],
      [['--baseline', 'foreign.json', '--current', 'report.json'], /E_SCHEMA: foreign\.json: expected schema bimix\.baseline\/1, found "other\/1"/],
      [['--baseline', 'report.json', '--current', 'report.json'], /E_SCHEMA: report\.json: .*this is an analysis report/],
      [['--baseline', 'base.json', '--current', 'base.json'], /E_SCHEMA: base\.json: expected schema bimix\.analysis\/1, found "bimix\.baseline\/1" \(this is a baseline/],
      [['--baseline', 'base.json', '--current', 'report.json', '--policy', 'badpolicy.json'], /E_SCHEMA: badpolicy\.json: \$\.metrics\.tokens\.rtol: expected a number >= 0, got -0\.1/],
      [['--baseline', 'base.json'], /E_USAGE: nothing to check/],
      [['--baseline', 'base.json', '--current', 'report.json', '--domain', 'x=*.bin'], /E_USAGE: --from takes a saved report/],
      [['--baseline', 'base.json', '--current', 'report.json', '--rtol', 'x'], /E_USAGE: --rtol: expected a number >= 0, got "x"/],
      [['--baseline', 'base.json', '--current', 'report.json', '--metrics', 'entropy'], /E_USAGE: --metrics: expected metric names/],
      [['--baseline', 'base.json', '--current', 'report.json', '--format', 'xml'], /E_USAGE: --format: expected a corpus format \(auto\|megatron/],
      [['--baseline', 'base.json', '--current', 'report.json', '--reporter', 'xml'], /E_USAGE: --reporter: expected text\|json\|junit\|github\|markdown, got "xml"/],
      [['--baseline', 'base.json', '--current', 'report.json', '--reporter', 'raw'], /E_USAGE: --reporter: expected text\|json\|junit\|github\|markdown, got "raw"/],
      [['--baseline', 'base.json', '--current', 'report.json', '--format', 'json', '--format', 'junit'], /E_USAGE: --reporter: expected one output format/],
      [['--baseline', 'base.json', '--current', 'report.json', '--reporter', 'json', '--format', 'junit'], /E_USAGE: --reporter: expected one output format, got "json and junit"/],
      [['--current', 'report.json'], /required option '--baseline <file>' not specified/],
    ];
    for (const [args, err] of cases) {
      const r = bimix('check', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(err);
      expect(r.out).toBe('');
    }
    const b = bimix('baseline', '--from', 'base.json', '--out', 'x.json');
    expect(b.code).toBe(2);
    expect(existsSync(path.join(tmp, 'x.json'))).toBe(false);
  });

  it('sampled mode: a baseline counted with --sample records full and sampled statistics in one pass; check --sample compares like with like', () => {
    const b = bimix('baseline', '--config', config, '--sample', '0.3', '--seed', '5', '--threads', '1', '--quiet', '--out', 'sbase.json');
    expect(b.code, b.err).toBe(0);
    const rec = bimix('baseline', '--config', config, '--sample', '0.3', '--seed', '5', '--threads', '1', '--out', 'sbase2.json');
    expect(rec.out).toBe('wrote sbase2.json: 3 domains, 4 files (counted by bimix 0.1.0, full and sampled 0.3 seed 5)\n');
    // The full statistics are those of a full analysis: a full check against this baseline passes with no change at all.
    const full = bimix('check', '--baseline', 'sbase.json', '--config', config, '--threads', '1', '--quiet', '--reporter', 'json');
    expect(full.code, full.err).toBe(0);
    expect((JSON.parse(full.out) as CheckResult).rows.every((r) => r.change === 0)).toBe(true);
    const ok = bimix('check', '--baseline', 'sbase.json', '--config', config, '--sample', '0.3', '--seed', '5', '--threads', '1', '--quiet');
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/^sampled analysis \(fraction 0\.3, seed 5\): compared with the baseline's statistics of the same sample$/m);
    expect(ok.out).toMatch(/24 checks: 24 pass/);
    const sbase = (c: string) => {
      const r = bimix('check', '--baseline', 'sbase.json', '--config', c, '--sample', '0.3', '--seed', '5', '--threads', '1', '--quiet', '--reporter', 'json');
      return { code: r.code, result: JSON.parse(r.out || 'null') as CheckResult, err: r.err };
    };
    const half = sbase(writeCorpus('half-s', halfDocs()));
    expect(half.code, half.err).toBe(1);
    expect(failing(half.result)).toEqual(expect.arrayContaining(['web.tokens', 'web.documents']));
    const boiler = sbase(writeCorpus('boiler-s', boilerDocs()));
    expect(boiler.code, boiler.err).toBe(1);
    expect(failing(boiler.result)).toEqual(expect.arrayContaining(['code.conditional', 'code.shannon', 'code.joint']));
    // Two domains' files swapped: both domains fail.
    const swapped = sbase(writeCorpus('swapped-s', { web: docs.code!, code: docs.web!, books: docs.books! }));
    expect(swapped.code, swapped.err).toBe(1);
    expect(new Set(failing(swapped.result).map((k) => k.split('.')[0]))).toEqual(new Set(['web', 'code']));
    // A tokenizer off by one in books (separators included): the sample moves too.
    const flat: number[] = [];
    for (const d of docs.books!) flat.push(...Array.from(d, (t) => t + 1), 1);
    const shifted = sbase(writeCorpus('shifted-s', { web: docs.web!, code: docs.code! }, { rawBooks: new Uint8Array(Uint16Array.from(flat).buffer) }));
    expect(shifted.code, shifted.err).toBe(1);
    expect(failing(shifted.result)).toEqual(expect.arrayContaining(['books.documents', 'books.unigrams']));
  });

  it('sampled mode: a sample against a baseline without that sample ends with exit 2 and says how to make one', () => {
    const cases: [string[], RegExp][] = [
      [['--baseline', 'base.json', '--sample', '0.3', '--seed', '5'], /E_USAGE: the current analysis is a sample \(--sample 0\.3 --seed 5\) and base\.json has no statistics of the same sample.*bimix baseline --config CONFIG --sample 0\.3 --seed 5 --out BASELINE/],
      [['--baseline', 'sbase.json', '--sample', '0.3', '--seed', '6'], /It holds --sample 0\.3 --seed 5: check with that/],
      [['--baseline', 'sbase.json', '--sample', '0.1', '--seed', '5'], /E_USAGE: the current analysis is a sample \(--sample 0\.1 --seed 5\)/],
    ];
    for (const [args, err] of cases) {
      const r = bimix('check', ...args, '--config', config, '--threads', '1', '--quiet');
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(err);
      expect(r.out).toBe('');
    }
    const e = bimix('check', '--baseline', 'base.json', '--current', 'report.json', '--sample', '0.3');
    expect(e.code).toBe(2);
    const mixed = bimix('baseline', '--from', 'report.json', '--sample', '0.3', '--out', 'x.json');
    expect(mixed.code).toBe(2);
    expect(mixed.err).toMatch(/E_USAGE: --from takes a saved report/);
  });

  it('--out writes the chosen format atomically; stdout stays empty', () => {
    const cfg = writeCorpus('vanished2', { web: docs.web!, code: docs.code! });
    const r = bimix('check', '--baseline', 'base.json', '--config', cfg, '--threads', '1', '--reporter', 'junit', '--out', 'junit.xml');
    expect(r.code, r.err).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe('bimix check: 8 regressions (24 checks: 16 pass, 0 fail, 8 missing, 0 skipped)\n');
    const root = parseXml(readFileSync(path.join(tmp, 'junit.xml'), 'utf8'));
    expect(findAll(root, 'testcase')).toHaveLength(24);
    expect(findAll(root, 'failure')).toHaveLength(8);
    expect(readdirSync(tmp).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('--format takes the corpus format; an output name there still works for one release, with a note', () => {
    const dir = path.join(tmp, 'orig');
    const r = bimix('check', '--baseline', 'base.json', '--domain', `web=${dir}/web/*.bin`, '--format', 'raw', '--eos', '0', '--format', 'github', '--threads', '1', '--policy', 'allow-all.json');
    // allow-all.json does not exist yet: exit 2 before any counting.
    expect(r.code).toBe(2);
    writeFileSync(path.join(tmp, 'allow-all.json'), JSON.stringify({ allowMissing: true }));
    const ok = bimix('check', '--baseline', 'base.json', '--domain', `web=${dir}/web/*.bin`, '--format', 'raw', '--eos', '0', '--format', 'github', '--threads', '1', '--policy', 'allow-all.json');
    expect(ok.code, ok.err).toBe(0);
    expect(ok.err.split('\n').filter((l) => l.startsWith('bimix: note: --format'))).toEqual(['bimix: note: --format github for the output is deprecated; use --reporter github']);
    const viaReporter = bimix('check', '--baseline', 'base.json', '--domain', `web=${dir}/web/*.bin`, '--format', 'raw', '--eos', '0', '--reporter', 'github', '--threads', '1', '--policy', 'allow-all.json');
    expect(viaReporter.code, viaReporter.err).toBe(0);
    expect(viaReporter.out).toBe(ok.out);
    expect(viaReporter.err).not.toContain('deprecated');
    const lines = ok.out.trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('::warning file=base.json,title=bimix check%3A '))).toHaveLength(16);
    expect(lines.at(-1)).toBe('::notice file=base.json,title=bimix check::OK, all within tolerance (24 checks: 8 pass, 0 fail, 16 missing, 0 skipped)');
  });
});

describe('sampled mode (library API)', () => {
  const domains = () =>
    Object.keys(CHAINS).map((name) => ({
      name,
      globs: [path.join(tmp, 'orig', name, '*.bin')],
      read: name === 'code' ? { format: 'megatron' as const } : { format: 'raw' as const, eos: 0 },
    }));

  it('an unchanged corpus checked against a same-sample baseline passes for 10 seeds, with every metric unchanged', async () => {
    const outcomes: string[] = [];
    for (let seed = 1; seed <= 10; seed++) {
      const sample = { fraction: 0.2, seed };
      const { full, sampled } = await analyzeFullAndSampled({ domains: domains(), threads: 1, sample });
      const baseline = makeBaseline(full, { sampled });
      const { result } = await checkCorpus({ baseline, analyze: { domains: domains(), threads: 1, sample } });
      expect(result.sampled).toBe(true);
      expect(result.summary.checks).toBe(24);
      outcomes.push(`${seed}:${result.ok && result.rows.every((r) => r.change === 0) ? 'ok' : failing(result).join(',')}`);
    }
    expect(outcomes).toEqual(Array.from({ length: 10 }, (_, i) => `${i + 1}:ok`));
  });

  it('a sample against a full-only baseline is refused (never a spurious regression)', async () => {
    const baseline = makeBaseline(await analyze({ domains: domains(), threads: 1 }));
    await expect(checkCorpus({ baseline, analyze: { domains: domains(), threads: 1, sample: { fraction: 0.3, seed: 1 } } })).rejects.toMatchObject({ code: 'E_USAGE' });
  });
});
