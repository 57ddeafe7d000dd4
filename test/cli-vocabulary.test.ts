/**
 * One CLI vocabulary across commands: `check --reporter`, `--memory PERCENT`, `--tmp-dir`,
 * options that would be ignored refused by name, `merge --quiet`, `slurm --json`, `--tasks`
 * everywhere (old spellings kept hidden for one release). Needs `npx tsc -p .` first.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseMemory } from '../src/util/parse.js';
import { smallCorpus, type SmallCorpus } from './slurm-corpus.js';

const MAIN = path.resolve('dist/cli/main.js');
const work = mkdtempSync(path.join(tmpdir(), 'bimix-vocab-'));
// Made at load: the tables of cases below name its files.
const corpus: SmallCorpus = smallCorpus(5_000, 4);

function bimix(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', cwd: work, env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The raw domain (u16, separator 0) and the llm.c domain of the small corpus. */
const forum = () => ['--domain', `forum=${corpus.domains[2]!.globs[0]}`, '--format', 'raw', '--eos', '0'];
const twoDomains = () => ['--domain', `forum=${corpus.domains[2]!.globs[0]}`, '--domain', `code=${corpus.domains[1]!.globs[0]}`, '--chunk-size', '65536', '--threads', '1'];

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(corpus.dir, { recursive: true, force: true });
});

/** Expects exit 2 with exactly one `bimix: error CODE: ...` line and no stack. */
function expectError(r: { code: number | null; err: string }, code: string, message: RegExp): void {
  expect(r.code, r.err).toBe(2);
  expect(r.err).toMatch(new RegExp(`^bimix: error ${code}: `));
  expect(r.err).toMatch(message);
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  expect(r.err).not.toMatch(/\n\s+at /);
}

describe('--memory SIZE|PERCENT', () => {
  const GB = 2 ** 30;
  const ok: [string, number][] = [
    ['40%', Math.floor(0.4 * 16 * GB)],
    ['100%', 16 * GB],
    ['1%', Math.floor((16 * GB) / 100)],
    ['12.5%', 2 * GB],
    [' 50 % ', 8 * GB],
    ['8GB', 8 * GB],
    ['512MB', 512 * 2 ** 20],
  ];
  for (const [raw, bytes] of ok) it(`reads ${JSON.stringify(raw)} of 16GB as ${bytes} bytes`, () => expect(parseMemory('--memory', raw, 16 * GB)).toBe(bytes));

  const bad = ['0%', '0.5%', '150%', '100.1%', 'abc%', '%', '-5%', '40%%', '4 0%'];
  for (const raw of bad) {
    it(`refuses ${JSON.stringify(raw)} naming --memory`, () => {
      expect(() => parseMemory('--memory', raw, 16 * GB)).toThrow(`--memory: expected a percentage of physical memory from 1% to 100%, or a size such as 8GB, got ${JSON.stringify(raw)}`);
    });
  }

  it('analyze --memory 40% gives the report of the default budget, byte for byte; bad percentages exit 2', () => {
    const plain = bimix(['analyze', ...forum(), '--threads', '1', '--json']);
    const pct = bimix(['analyze', ...forum(), '--threads', '1', '--json', '--memory', '40%']);
    expect(plain.code, plain.err).toBe(0);
    expect(pct.code, pct.err).toBe(0);
    expect(pct.out).toBe(plain.out);
    for (const raw of ['0%', '150%', 'abc%']) {
      expectError(bimix(['analyze', ...forum(), '--memory', raw]), 'E_USAGE', new RegExp(`--memory: expected a percentage of physical memory from 1% to 100%, or a size such as 8GB, got "${raw}"`));
    }
  });
});

describe('--tmp-dir DIR', () => {
  it('analyze counts in --tmp-dir even when TMPDIR is unusable, and leaves it empty', () => {
    const tmp = path.join(work, 'scratch');
    mkdirSync(tmp);
    const env = { TMPDIR: path.join(work, 'no-such-tmp') };
    // Without --tmp-dir the run needs TMPDIR, which does not exist.
    expectError(bimix(['analyze', ...forum(), '--threads', '1', '--quiet'], env), 'E_IO', /cannot create a temporary folder in .*no-such-tmp/);
    const r = bimix(['analyze', ...forum(), '--threads', '1', '--json', '--tmp-dir', tmp], env);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe(bimix(['analyze', ...forum(), '--threads', '1', '--json']).out);
    expect(readdirSync(tmp)).toEqual([]);
  });

  const cases: [string, string[]][] = [
    ['analyze', ['analyze', ...forum()]],
    ['check', ['check', '--baseline', 'never-read.json', ...forum()]],
    ['baseline', ['baseline', '--out', 'base.json', ...forum()]],
    ['count', ['count', ...forum(), '--tasks', '1', '--task-index', '0', '--partial-dir', 'never-made']],
  ];
  for (const [name, args] of cases) {
    it(`${name} refuses a missing --tmp-dir or a file given as one (E_IO) before any work`, () => {
      expectError(bimix([...args, '--tmp-dir', path.join(work, 'missing')]), 'E_IO', /--tmp-dir: the folder .*missing does not exist/);
      writeFileSync(path.join(work, 'a-file'), 'x');
      expectError(bimix([...args, '--tmp-dir', path.join(work, 'a-file')]), 'E_IO', /--tmp-dir: .*a-file is not a folder/);
      expect(existsSync(path.join(work, 'base.json'))).toBe(false);
      expect(existsSync(path.join(work, 'never-made'))).toBe(false);
    });
  }

  it('count with --tmp-dir writes the same partials, and nothing stays in the scratch folder', () => {
    const tmp = path.join(work, 'count-scratch');
    mkdirSync(tmp);
    const a = bimix(['count', ...twoDomains(), '--tasks', '1', '--task-index', '0', '--partial-dir', 'pa', '--quiet']);
    const b = bimix(['count', ...twoDomains(), '--tasks', '1', '--task-index', '0', '--partial-dir', 'pb', '--quiet', '--tmp-dir', tmp]);
    expect(a.code, a.err).toBe(0);
    expect(b.code, b.err).toBe(0);
    const parts = readdirSync(path.join(work, 'pa')).filter((f) => f.endsWith('.bimixps')).sort();
    expect(parts.length).toBeGreaterThan(0);
    expect(readdirSync(path.join(work, 'pb')).filter((f) => f.endsWith('.bimixps')).sort()).toEqual(parts);
    for (const f of parts) expect(readFileSync(path.join(work, 'pb', f)).equals(readFileSync(path.join(work, 'pa', f)))).toBe(true);
    expect(readdirSync(tmp)).toEqual([]);
    const ma = bimix(['merge', '--partial-dir', 'pa', '--json']);
    const mb = bimix(['merge', '--partial-dir', 'pb', '--json']);
    expect(mb.code, mb.err).toBe(0);
    expect(mb.out).toBe(ma.out);
  });

  it('slurm --tmp-dir reaches every count task as an absolute --tmp-dir', () => {
    const r = bimix(['slurm', ...forum(), '--tasks', '2', '--partial-dir', 'ps', '--tmp-dir', 'node-scratch', '--dry-run']);
    expect(r.code, r.err).toBe(0);
    const count = r.out.split('\n').find((l) => l.startsWith('exec ') && l.includes(' count '));
    expect(count).toContain(`--tmp-dir ${path.join(work, 'node-scratch')}`);
    const without = bimix(['slurm', ...forum(), '--tasks', '2', '--partial-dir', 'ps', '--dry-run']);
    expect(without.out).not.toContain('--tmp-dir');
  });
});

describe('options that would be ignored are refused, naming what they need', () => {
  const refused: [string, string[], RegExp][] = [
    ['analyze --seed without --sample', ['analyze', ...forum(), '--seed', '3'], /--seed needs --sample/],
    ['analyze --seed 0 (the default, but given) without --sample', ['analyze', ...forum(), '--seed', '0'], /--seed needs --sample/],
    ['check --seed without --sample', ['check', '--baseline', 'b.json', ...forum(), '--seed', '3'], /--seed needs --sample/],
    ['baseline --seed without --sample', ['baseline', '--out', 'b.json', ...forum(), '--seed', '3'], /--seed needs --sample/],
    ['count --seed', ['count', ...forum(), '--seed', '3', '--tasks', '1', '--task-index', '0', '--partial-dir', 'p'], /--seed needs --sample/],
    ['slurm --seed', ['slurm', ...forum(), '--seed', '3', '--tasks', '1', '--partial-dir', 'p', '--dry-run'], /--seed needs --sample/],
    ['--vne-samples without VNE', ['analyze', ...forum(), '--vne-samples', '64'], /--vne-samples needs --vne \(or --proxy vne, or --embeddings\)/],
    ['--vne-window without VNE', ['analyze', ...forum(), '--vne-window', '64'], /--vne-window needs --vne/],
    ['--vne-dims without VNE', ['analyze', ...forum(), '--vne-dims', '16'], /--vne-dims needs --vne/],
    ['--vne-docs (old spelling) without VNE', ['analyze', ...forum(), '--vne-docs', '64'], /--vne-docs needs --vne/],
    ...(['llmc', 'npy', 'megatron', 'arrow', 'parquet', 'datatrove'] as const).map(
      (f): [string, string[], RegExp] => [`--dtype with --format ${f}`, ['analyze', '--domain', 'x=whatever/*.bin', '--format', f, '--dtype', 'u32'], new RegExp(`--dtype needs --format raw or auto: ${f} files declare their own token width`)],
    ),
    ['check --dtype with --format npy', ['check', '--baseline', 'b.json', '--domain', 'x=a/*.npy', '--format', 'npy', '--dtype', 'u16'], /--dtype needs --format raw or auto: npy/],
    ['count --dtype with --format llmc', ['count', '--domain', 'x=a/*.bin', '--format', 'llmc', '--dtype', 'u16', '--tasks', '1', '--task-index', '0', '--partial-dir', 'p'], /--dtype needs --format raw or auto: llmc/],
    // With --from REPORT nothing is counted: counting options are refused, named.
    ['check --from with --threads', ['check', '--baseline', 'b.json', '--from', 'r.json', '--threads', '2'], /--threads applies when a corpus is counted; with --from REPORT nothing is counted/],
    ['check --from with --base', ['check', '--baseline', 'b.json', '--from', 'r.json', '--base', '2'], /--base applies when a corpus is counted/],
    ['check --current (old spelling) with --memory', ['check', '--baseline', 'b.json', '--current', 'r.json', '--memory', '1GB'], /--memory applies when a corpus is counted/],
    ['baseline --from with --tmp-dir', ['baseline', '--out', 'b.json', '--from', 'r.json', '--tmp-dir', '.'], /--tmp-dir applies when a corpus is counted/],
    ['baseline --from with --eos', ['baseline', '--out', 'b.json', '--from', 'r.json', '--eos', '0'], /--eos applies when a corpus is counted/],
    // Partials hold counts; the mixture belongs to merge, so count has no mixture options.
    ...(['--base', '--proxy', '--temperature', '--min', '--max'] as const).map(
      (o): [string, string[], RegExp] => [`count ${o}`, ['count', ...forum(), o, '2', '--tasks', '1', '--task-index', '0', '--partial-dir', 'p'], new RegExp(`unknown option '${o}'`)],
    ),
  ];
  for (const [name, args, message] of refused) it(`refuses ${name}`, () => expectError(bimix(args), 'E_USAGE', message));

  it('accepts --seed with --sample, --vne-* with --vne, and --dtype with raw or auto', () => {
    const sampled = bimix(['analyze', ...forum(), '--threads', '1', '--sample', '0.5', '--seed', '3', '--json']);
    expect(sampled.code, sampled.err).toBe(0);
    expect(JSON.parse(sampled.out).sample).toMatchObject({ fraction: 0.5, seed: 3 });
    const vne = bimix(['analyze', ...forum(), '--threads', '1', '--vne', '--vne-samples', '8', '--vne-window', '16', '--vne-dims', '8', '--json']);
    expect(vne.code, vne.err).toBe(0);
    expect(JSON.parse(vne.out).options.vne).toMatchObject({ samples: 8, window: 16, dims: 8 });
    const raw = bimix(['analyze', ...forum(), '--threads', '1', '--dtype', 'u16', '--json']);
    expect(raw.code, raw.err).toBe(0);
    const auto = bimix(['analyze', '--domain', `forum=${corpus.domains[2]!.globs[0]}`, '--format', 'auto', '--eos', '0', '--dtype', 'u16', '--threads', '1', '--json']);
    expect(auto.code, auto.err).toBe(0);
  });
});

describe('count --tasks (--task-count kept hidden for one release)', () => {
  it('both spellings write the same task; --task-count is not in the help', () => {
    const a = bimix(['count', ...twoDomains(), '--tasks', '2', '--task-index', '1', '--partial-dir', 'ta', '--json', '--quiet']);
    const b = bimix(['count', ...twoDomains(), '--task-count', '2', '--task-index', '1', '--partial-dir', 'tb', '--json', '--quiet']);
    expect(a.code, a.err).toBe(0);
    expect(b.code, b.err).toBe(0);
    const strip = (s: string) => JSON.stringify({ ...JSON.parse(s), manifest: undefined, finishedAt: undefined, startedAt: undefined, host: undefined, pid: undefined });
    expect(JSON.parse(a.out).task).toEqual({ index: 1, count: 2 });
    expect(JSON.parse(b.out).task).toEqual({ index: 1, count: 2 });
    expect(strip(a.out).replaceAll('/ta/', '/X/')).toBe(strip(b.out).replaceAll('/tb/', '/X/'));
    const help = bimix(['count', '--help']).out;
    expect(help).toMatch(/--tasks <n>/);
    expect(help).not.toContain('--task-count');
  });

  it('refuses two different counts, and no count at all, naming --tasks', () => {
    expectError(bimix(['count', ...forum(), '--tasks', '2', '--task-count', '3', '--task-index', '0', '--partial-dir', 'p']), 'E_USAGE', /--tasks: expected one number of tasks.*got "2 and 3"/);
    expectError(bimix(['count', ...forum(), '--task-index', '0', '--partial-dir', 'p']), 'E_USAGE', /--tasks: expected a whole number, got nothing/);
    expectError(bimix(['count', ...forum(), '--task-count', 'x', '--task-index', '0', '--partial-dir', 'p']), 'E_USAGE', /--task-count: expected a whole number/);
  });
});

describe('merge --quiet', () => {
  it('prints no warnings with --quiet; the report is the same', () => {
    // A separator id that never occurs: merge warns W_SEPARATOR_ABSENT.
    const args = ['--domain', `forum=${corpus.domains[2]!.globs[0]}`, '--format', 'raw', '--eos', '4000', '--threads', '1'];
    const c = bimix(['count', ...args, '--tasks', '1', '--task-index', '0', '--partial-dir', 'mq', '--quiet']);
    expect(c.code, c.err).toBe(0);
    const loud = bimix(['merge', '--partial-dir', 'mq', '--json']);
    const quiet = bimix(['merge', '--partial-dir', 'mq', '--json', '--quiet']);
    expect(loud.code, loud.err).toBe(0);
    expect(loud.err).toMatch(/^bimix: warning: .*separator id 4000/m);
    expect(quiet.code).toBe(0);
    expect(quiet.err).toBe('');
    expect(quiet.out).toBe(loud.out);
    // Errors still print with --quiet.
    expectError(bimix(['merge', '--partial-dir', 'nowhere', '--quiet']), 'E_STATE', /nowhere: cannot read the partial folder/);
  });
});

describe('docs/cli.md', () => {
  it('is the table the --help of every command gives (node scripts/cli-doc.mjs regenerates it)', () => {
    const r = spawnSync(process.execPath, [path.resolve('scripts/cli-doc.mjs'), '--check'], { encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([0, '']);
    const doc = readFileSync('docs/cli.md', 'utf8');
    for (const row of ['| check | `--reporter <name>` |', '| count | `--tasks <n>` |', '| merge | `--quiet` |', '| slurm | `--sbatch-arg <arg>` |', '| count | `--task-count <n>` | old spelling of --tasks |']) {
      expect(doc).toContain(row);
    }
  });
});
