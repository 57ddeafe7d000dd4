/**
 * Hostile paths and names, spawned through the CLI: globs through symlinked folders,
 * names with quotes, $(), backticks, % and newlines, outputs that are inputs, empty
 * paths, files in two domains, outputs that are links, pipes and devices.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { escapePath } from 'tinyglobby';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRaw } from '../../src/corpus/writers.js';

const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
let dir: string;
const p = (...parts: string[]) => path.join(dir, ...parts);

function run(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: opts.cwd ?? dir, encoding: 'utf8', env: { ...process.env, ...opts.env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const analyzeJson = (args: string[]) => {
  const r = run(['analyze', '--threads', '2', '--quiet', '--json', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { domains: { name: string; tokens: number; files: { path: string }[] }[] };
};
/** One line on stderr, exit 2, the code and the pattern. */
function refused(r: ReturnType<typeof run>, code: string, pattern: RegExp) {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(new RegExp(`^bimix: error ${code}: `));
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bimix-faults-paths-'));
  mkdirSync(p('real', 'sub'), { recursive: true });
  writeRaw(p('real', 'a.bin'), [[1, 2, 3, 4, 5]], { eos: 0 });
  writeRaw(p('real', 'b.bin'), [[6, 7, 8]], { eos: 0 });
  writeRaw(p('real', 'sub', 'c.bin'), [[9, 10, 11, 12, 13, 14, 15]], { eos: 0 });
  // Three ways to reach the same files: a symlinked folder, a link cycle, a hard link.
  symlinkSync(p('real', 'sub'), p('real', 'sublink'));
  symlinkSync(p('real'), p('real', 'sub', 'up'));
  linkSync(p('real', 'b.bin'), p('real', 'b-hard.bin'));
  mkdirSync(p('other'));
  writeRaw(p('other', 'd.bin'), [[20, 21, 22, 23]], { eos: 0 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the same file reached many ways is counted once', () => {
  it('a ** glob through symlinked folders, a link cycle and a hard link', () => {
    const r = analyzeJson(['--domain', 'w=real/**/*.bin', '--eos', '0']);
    const d = r.domains[0]!;
    // a (5) + b (3) + c (7): each once, under its path without links.
    expect(d.tokens).toBe(15);
    // b.bin and b-hard.bin are one file (a hard link): the first in sorted order stands for both.
    expect(d.files.map((f) => path.relative(dir, f.path))).toEqual(['real/a.bin', 'real/b-hard.bin', 'real/sub/c.bin']);
    expect(d.files.some((f) => f.path.includes('sublink') || f.path.includes(`${path.sep}up${path.sep}`))).toBe(false);
  });
  it('literal paths and globs naming one file', () => {
    const r = analyzeJson(['--domain', 'w=real/a.bin', '--domain', 'w=real/sublink/../a.bin', '--domain', 'w=real/*.bin', '--eos', '0']);
    expect(r.domains[0]!.tokens).toBe(8);
  });
});

describe('a file in two domains is an error naming the file and both domains', () => {
  const rows: [string, string[], RegExp][] = [
    ['overlapping globs', ['--domain', 'w=real/*.bin', '--domain', 'x=real/a.bin'], /real\/a\.bin: matched by domains w and x/],
    ['through a symlinked folder', ['--domain', 'c=real/sub/*.bin', '--domain', 'l=real/sublink/*.bin'], /matched by domains c \(as .*real\/sub\/c\.bin\) and l/],
    ['through a hard link', ['--domain', 'b=real/b.bin', '--domain', 'h=real/b-hard.bin'], /matched by domains b \(as .*real\/b\.bin\) and h/],
  ];
  for (const [name, args, pattern] of rows) {
    it(name, () => refused(run(['analyze', '--quiet', ...args]), 'E_USAGE', pattern));
  }
});

describe('outputs are checked before any work', () => {
  it('--out naming an input directly, through a symlink or a hard link leaves the input intact', () => {
    const before = readFileSync(p('real', 'b.bin'));
    for (const out of ['real/b.bin', 'real/sublink/up/b.bin', 'real/b-hard.bin']) {
      refused(run(['analyze', '--quiet', '--domain', 'w=real/*.bin', '--out', out]), 'E_USAGE', /--out names an input file/);
    }
    expect(readFileSync(p('real', 'b.bin')).equals(before)).toBe(true);
  });
  it("--out '' is refused by every command that writes", () => {
    const rep = p('rep.json');
    const ok = run(['analyze', '--quiet', '--domain', 'w=real/a.bin', '--eos', '0', '--out', rep]);
    expect(ok.code, ok.stderr).toBe(0);
    for (const args of [
      ['analyze', '--quiet', '--domain', 'w=real/a.bin', '--out', ''],
      ['mix', '--from', rep, '--out', ''],
      ['baseline', '--from', rep, '--out', ''],
      ['check', '--baseline', rep, '--current', rep, '--out', ''],
      ['merge', '--partial-dir', p('nothing'), '--out', ''],
      ['count', '--domain', 'w=real/a.bin', '--task-index', '0', '--task-count', '1', '--partial-dir', ''],
    ]) {
      refused(run(args), 'E_USAGE', /: expected a file path, got ""/);
    }
    refused(run(['mix', '--from', rep, '--out', rep]), 'E_USAGE', /--out names an input file/);
  });
  it('a missing or unwritable folder fails at once, not after counting', () => {
    refused(run(['analyze', '--quiet', '--domain', 'w=real/*.bin', '--out', 'missing/dir/r.json']), 'E_IO', /--out: the folder .*missing\/dir does not exist/);
    if (process.getuid?.() !== 0) {
      mkdirSync(p('ro'), { mode: 0o555 });
      refused(run(['analyze', '--quiet', '--domain', 'w=real/*.bin', '--out', 'ro/r.json']), 'E_IO', /is not writable/);
    }
  });
  it('--out through a symlink writes the file it names; a pipe is written into, not replaced', async () => {
    writeFileSync(p('target.json'), 'old');
    symlinkSync(p('target.json'), p('link.json'));
    const r = run(['analyze', '--quiet', '--domain', 'w=real/a.bin', '--eos', '0', '--out', 'link.json']);
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(p('link.json')).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(p('target.json'), 'utf8')).schema).toBe('bimix.analysis/1');
    execFileSync('mkfifo', [p('fifo')]);
    const reader = spawn('cat', [p('fifo')]);
    let got = '';
    reader.stdout.on('data', (d: Buffer) => (got += d.toString()));
    const done = new Promise((res) => reader.on('close', res));
    const w = run(['analyze', '--quiet', '--domain', 'w=real/a.bin', '--eos', '0', '--out', 'fifo']);
    await done;
    expect(w.code, w.stderr).toBe(0);
    expect(JSON.parse(got).domains[0].tokens).toBe(5);
    expect(lstatSync(p('fifo')).isFIFO()).toBe(true);
  });
});

describe('hostile names', () => {
  const names = [`it's "q"`, '$(touch PWNED)', '`touch PWNED`', '100%', 'a  b', 'x;touch PWNED'];
  beforeAll(() => {
    for (const [i, n] of names.entries()) {
      mkdirSync(p('hostile', n), { recursive: true });
      writeRaw(p('hostile', n, 'shard.bin'), [[1, 2, 3, 4 + i]], { eos: 0 });
    }
  });
  it('are read like any other name, as literal paths and as escaped globs', () => {
    for (const arg of [(n: string) => `${path.join('hostile', n)}/shard.bin`, (n: string) => `${escapePath(path.join('hostile', n))}/*.bin`]) {
      const args = names.flatMap((n, i) => ['--domain', `d${i}=${arg(n)}`]);
      const r = analyzeJson([...args, '--eos', '0']);
      expect(r.domains.map((d) => path.basename(path.dirname(d.files[0]!.path)))).toEqual(names);
    }
    expect(existsSync(p('PWNED'))).toBe(false);
  });
  it('go through the generated Slurm scripts unchanged: running them gives the analyze report', () => {
    const partialDir = p('hostile', `parts ${names.join(' ')}`);
    const args = [...names.flatMap((n, i) => ['--domain', `d${i}=${escapePath(path.join('hostile', n))}/*.bin`]), '--eos', '0'];
    const dry = run(['slurm', ...args, '--tasks', '1', '--partial-dir', partialDir, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    // The scripts as printed: "# ==== FILE (submitted as: ...)" then the text.
    const parts = dry.stdout.split(/^# ==== .*\n/m).slice(1);
    expect(parts).toHaveLength(2);
    mkdirSync(path.join(partialDir, 'slurm'), { recursive: true });
    for (const [i, text] of parts.entries()) {
      const file = path.join(partialDir, 'slurm', `s${i}.sh`);
      writeFileSync(file, text);
      const r = spawnSync('bash', [file], { cwd: dir, encoding: 'utf8', env: { ...process.env, SLURM_ARRAY_TASK_ID: '0' } });
      expect(r.status, r.stderr).toBe(0);
    }
    const viaScripts = JSON.parse(readFileSync(path.join(partialDir, 'report.json'), 'utf8'));
    const direct = run(['analyze', ...args, '--threads', '2', '--quiet', '--json']);
    expect(JSON.parse(direct.stdout)).toEqual(viaScripts);
    expect(existsSync(p('PWNED'))).toBe(false);
  });
  it('a newline or other control character headed for a Slurm script is refused before anything is written', () => {
    for (const bad of ['parts\nrm -rf x', 'parts\tx', 'parts\u001b[2J']) {
      const partialDir = p('hostile', bad);
      const r = run(['slurm', '--domain', 'w=real/a.bin', '--tasks', '1', '--partial-dir', partialDir, '--dry-run']);
      refused(r, 'E_USAGE', /--partial-dir: .* contains the control character U\+00(0A|09|1B)/);
      expect(existsSync(partialDir)).toBe(false);
    }
    mkdirSync(p('nl\nglob'));
    writeRaw(p('nl\nglob', 's.bin'), [[1, 2, 3]], { eos: 0 });
    refused(run(['slurm', '--domain', 'w=nl\nglob/*.bin', '--tasks', '1', '--partial-dir', p('pp'), '--dry-run']), 'E_USAGE', /count argument: .*U\+000A/);
    // The same folder is fine for analyze, which writes no script.
    expect(analyzeJson(['--domain', 'w=nl\nglob/*.bin', '--eos', '0']).domains[0]!.tokens).toBe(3);
  });
});
