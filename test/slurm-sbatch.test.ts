import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slurmMemBytes, slurmScripts, shellQuote } from '../src/exec/slurm/sbatch.js';
import { smallCorpus, type SmallCorpus } from './slurm-corpus.js';

const MAIN = path.resolve('dist/cli/main.js');

describe('sbatch scripts', () => {
  const base = { partialDir: '/shared/parts', countArgs: ['--config', '/data/bimix.json'], mergeArgs: ['--out', '/shared/report.json'], bimix: ['/usr/bin/node', '/opt/bimix/dist/cli/main.js'] };

  it('writes one array of N count tasks and a merge script calling bimix by absolute path', () => {
    const p = slurmScripts({ ...base, tasks: 4, partition: 'cpu', time: '01:30:00', cpusPerTask: 8, mem: '16G' });
    expect(p.arrays).toHaveLength(1);
    expect(p.arrays[0]!.file).toBe('/shared/parts/slurm/count.sbatch');
    expect(p.arrays[0]!.text).toBe(
      [
        '#!/bin/bash',
        '#SBATCH --job-name=bimix-count',
        '#SBATCH --output=/shared/parts/slurm/logs/count-%A_%a.out',
        '#SBATCH --partition=cpu',
        '#SBATCH --time=01:30:00',
        '#SBATCH --cpus-per-task=8',
        '#SBATCH --mem=16G',
        '#SBATCH --array=0-3',
        'set -euo pipefail',
        '# bimix count tasks 0..3 of 4',
        'exec /usr/bin/node /opt/bimix/dist/cli/main.js count --config /data/bimix.json \\',
        '  --task-index "$SLURM_ARRAY_TASK_ID" --tasks 4 --partial-dir /shared/parts',
        '',
      ].join('\n'),
    );
    expect(p.merge.text).toContain('#SBATCH --output=/shared/parts/slurm/logs/merge-%j.out');
    expect(p.merge.text).toContain('exec /usr/bin/node /opt/bimix/dist/cli/main.js merge --partial-dir /shared/parts --out /shared/report.json\n');
    expect(p.merge.text).not.toContain('--array');
  });

  it('splits N tasks into arrays no larger than MaxArraySize, offsetting the task index', () => {
    const p = slurmScripts({ ...base, tasks: 2500, maxArraySize: 1001 });
    expect(p.arrays.map((a) => [a.offset, a.size, path.basename(a.file)])).toEqual([
      [0, 1001, 'count-0.sbatch'],
      [1001, 1001, 'count-1.sbatch'],
      [2002, 498, 'count-2.sbatch'],
    ]);
    expect(p.arrays[1]!.text).toContain('#SBATCH --array=0-1000\n');
    expect(p.arrays[1]!.text).toContain('--task-index "$((SLURM_ARRAY_TASK_ID + 1001))" --tasks 2500');
    expect(p.arrays[2]!.text).toContain('#SBATCH --array=0-497\n');
  });

  it('reads Slurm memory sizes (no suffix: MB)', () => {
    expect(slurmMemBytes('4G')).toBe(4 * 2 ** 30);
    expect(slurmMemBytes('16000')).toBe(16000 * 2 ** 20);
    expect(slurmMemBytes('512m')).toBe(512 * 2 ** 20);
    expect(() => slurmMemBytes('lots')).toThrow(/--mem: expected/);
  });

  it('quotes words for bash', () => {
    expect(shellQuote('/a/b-c_d.json')).toBe('/a/b-c_d.json');
    expect(shellQuote('web=/data/my web/*.bin')).toBe(`'web=/data/my web/*.bin'`);
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });

  const bad: [Record<string, unknown>, RegExp][] = [
    [{ tasks: 0 }, /--tasks: expected a whole number from 1 to 1000000, got 0/],
    [{ time: '1h' }, /--time: expected HH:MM:SS \(or D-HH:MM:SS, MM, MM:SS\), got "1h"/],
    [{ mem: '4 GB' }, /--mem: expected a Slurm memory size such as 4G or 16000M, got "4 GB"/],
    [{ cpusPerTask: 0 }, /--cpus-per-task: expected a whole number from 1 to 4096, got 0/],
    [{ partition: 'a b' }, /--partition: expected a partition name/],
  ];
  for (const [opts, message] of bad) {
    it(`refuses ${JSON.stringify(opts)}`, () => {
      expect(() => slurmScripts({ ...base, tasks: 2, ...opts })).toThrow(message);
    });
  }
});

/** The words of an `#SBATCH` line as sbatch reads them: quotes group, a backslash escapes, an unquoted # ends the line. */
function sbatchWords(line: string): string[] {
  const words: string[] = [];
  let cur: string | undefined;
  let quote = '';
  for (let i = '#SBATCH'.length; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '\\') {
      cur = (cur ?? '') + (line[++i] ?? '');
    } else if (quote) {
      if (ch === quote) quote = '';
      else cur = (cur ?? '') + ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      cur = cur ?? '';
    } else if (ch === '#') break;
    else if (/\s/.test(ch)) {
      if (cur !== undefined) words.push(cur);
      cur = undefined;
    } else cur = (cur ?? '') + ch;
  }
  if (cur !== undefined) words.push(cur);
  return words;
}

describe('sbatch scripts with hostile names', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'bimix-sbatch-hostile-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  // A stand-in for node: records the words it was started with, one per NUL.
  const recorder = path.join(work, 'record args');
  writeFileSync(recorder, '#!/bin/bash\nfor a in "$@"; do printf \'%s\\0\' "$a"; done > "$RECORD"\n');
  chmodSync(recorder, 0o755);
  const hostile = [`it's`, 'say "hi"', '$(touch PWNED)', '`touch PWNED`', '100%', '%A_%a', 'a b  c', '#not-a-comment', 'x;touch PWNED', '\\back', 'ünï'];

  for (const name of hostile) {
    it(`passes ${JSON.stringify(name)} through bash and sbatch unchanged`, () => {
      const partialDir = path.join(work, `parts ${name.replace(/\\/g, '')}`);
      const countArgs = ['--domain', `web=/data/${name}/*.bin`, '--config', `/cfg/${name}.json`];
      const mergeArgs = ['--min', `web=0.1`, '--out', `/out/${name}.json`];
      const p = slurmScripts({ tasks: 3, partialDir, countArgs, mergeArgs, bimix: [recorder, '/opt/bimix main.js'] });
      const run = (text: string, extraEnv: Record<string, string>) => {
        const file = path.join(work, 'script.sbatch');
        writeFileSync(file, text);
        const record = path.join(work, 'args');
        rmSync(record, { force: true });
        const r = spawnSync('bash', [file], { cwd: work, encoding: 'utf8', env: { ...process.env, RECORD: record, ...extraEnv } });
        expect(r.status, r.stderr).toBe(0);
        return readFileSync(record, 'utf8').split('\0').slice(0, -1);
      };
      expect(run(p.arrays[0]!.text, { SLURM_ARRAY_TASK_ID: '2' })).toEqual([
        '/opt/bimix main.js', 'count', ...countArgs, '--task-index', '2', '--tasks', '3', '--partial-dir', partialDir,
      ]);
      expect(run(p.merge.text, {})).toEqual(['/opt/bimix main.js', 'merge', '--partial-dir', partialDir, ...mergeArgs]);
      expect(existsSync(path.join(work, 'PWNED'))).toBe(false);
      // sbatch's reading of the --output line: the folder literally (%% is a %), then Slurm's own pattern.
      for (const [text, pattern] of [[p.arrays[0]!.text, 'count-%A_%a.out'], [p.merge.text, 'merge-%j.out']] as const) {
        const line = text.split('\n').find((l) => l.startsWith('#SBATCH --output='))!;
        const words = sbatchWords(line);
        expect(words).toHaveLength(1);
        const value = words[0]!.slice('--output='.length);
        expect(value.endsWith(pattern)).toBe(true);
        expect(value.slice(0, -pattern.length).replace(/%%/g, '%')).toBe(`${path.join(partialDir, 'slurm', 'logs')}/`);
        expect(value.slice(0, -pattern.length).replace(/%%/g, '')).not.toContain('%');
      }
    });
  }

  const refused: [string, Partial<Parameters<typeof slurmScripts>[0]>, RegExp][] = [
    ['a newline in --partial-dir', { partialDir: '/p/a\nb' }, /--partial-dir: "\/p\/a\\nb" contains the control character U\+000A/],
    ['a carriage return in --partial-dir', { partialDir: '/p/a\rb' }, /U\+000D/],
    ['a tab in a glob', { countArgs: ['--domain', 'web=/d/a\tb/*.bin'] }, /count argument: .*U\+0009/],
    ['an escape character in --out', { mergeArgs: ['--out', '/o/\u001b[31m.json'] }, /merge argument: .*U\+001B/],
    ['DEL in --partial-dir', { partialDir: '/p/\u007f' }, /U\+007F/],
    ['a backslash in --partial-dir (an #SBATCH --output escape)', { partialDir: '/p/a\\b' }, /--partial-dir: .* contains a backslash/],
  ];
  for (const [name, opts, message] of refused) {
    it(`refuses ${name} (E_USAGE)`, () => {
      let err: { code?: string; message?: string } = {};
      try {
        slurmScripts({ tasks: 2, partialDir: '/p', countArgs: [], mergeArgs: [], bimix: ['/n', '/m.js'], ...opts });
      } catch (e) {
        err = e as typeof err;
      }
      expect(err.code).toBe('E_USAGE');
      expect(err.message).toMatch(message);
    });
  }
});

// CLI with fake Slurm tools on PATH: scontrol reports MaxArraySize=4, sbatch hands out ids.
describe('sbatch pass-through options', () => {
  const base = { tasks: 2, partialDir: '/shared/parts', countArgs: [], mergeArgs: ['--out', '/o.json'], bimix: ['/n', '/m.js'] };
  const sbatchLines = (text: string) => text.split('\n').filter((l) => l.startsWith('#SBATCH '));

  it('writes --account, --qos, the job-name prefix and each --sbatch-arg as #SBATCH lines of every script', () => {
    const p = slurmScripts({ ...base, account: 'proj42', qos: 'high', jobName: 'corpus-v3', sbatchArgs: ['--constraint=skylake', '--mail-type=END'] });
    expect(sbatchLines(p.arrays[0]!.text)).toEqual([
      '#SBATCH --job-name=corpus-v3-count',
      '#SBATCH --output=/shared/parts/slurm/logs/count-%A_%a.out',
      '#SBATCH --account=proj42',
      '#SBATCH --qos=high',
      '#SBATCH --constraint=skylake',
      '#SBATCH --mail-type=END',
      '#SBATCH --array=0-1',
    ]);
    expect(sbatchLines(p.merge.text)).toEqual([
      '#SBATCH --job-name=corpus-v3-merge',
      '#SBATCH --output=/shared/parts/slurm/logs/merge-%j.out',
      '#SBATCH --account=proj42',
      '#SBATCH --qos=high',
      '#SBATCH --constraint=skylake',
      '#SBATCH --mail-type=END',
    ]);
    // Without them the scripts are as before.
    expect(sbatchLines(slurmScripts(base).arrays[0]!.text)[0]).toBe('#SBATCH --job-name=bimix-count');
  });

  const hostile = ['my project', 'say "hi"', "it's", 'a#b', 'back\\slash', '100%'];
  for (const v of hostile) {
    it(`quotes ${JSON.stringify(v)} so that sbatch reads it back unchanged`, () => {
      const p = slurmScripts({ ...base, account: v, qos: v, jobName: v, sbatchArgs: [`--comment=${v}`] });
      const lines = sbatchLines(p.arrays[0]!.text);
      const words = (prefix: string) => sbatchWords(lines.find((l) => sbatchWords(l)[0]?.startsWith(prefix))!);
      expect(words('--account=')).toEqual([`--account=${v}`]);
      expect(words('--qos=')).toEqual([`--qos=${v}`]);
      expect(words('--job-name=')).toEqual([`--job-name=${v}-count`]);
      expect(words('--comment=')).toEqual([`--comment=${v}`]);
    });
  }

  const refused: [string, Partial<Parameters<typeof slurmScripts>[0]>, RegExp][] = [
    ['a newline in --account', { account: 'a\nb' }, /--account: "a\\nb" contains the control character U\+000A/],
    ['a tab in --qos', { qos: 'a\tb' }, /--qos: .*U\+0009/],
    ['an escape in --job-name', { jobName: 'x\u001b' }, /--job-name: .*U\+001B/],
    ['a newline in --sbatch-arg', { sbatchArgs: ['--comment=a\n#SBATCH --wrap=rm'] }, /--sbatch-arg: .*U\+000A/],
    ['an empty --account', { account: '' }, /--account: expected a non-empty value/],
    ['an --sbatch-arg that is not an option', { sbatchArgs: ['skylake'] }, /--sbatch-arg: expected an sbatch option such as --constraint=skylake, got "skylake"/],
    ['an --sbatch-arg setting what bimix sets', { sbatchArgs: ['--array=0-9'] }, /--sbatch-arg: expected an option bimix does not set itself \(--array/],
    ['an --sbatch-arg setting the output', { sbatchArgs: ['--output=/x'] }, /--sbatch-arg: .*--output/],
  ];
  for (const [name, opts, message] of refused) {
    it(`refuses ${name} (E_USAGE)`, () => {
      let err: { code?: string; message?: string } = {};
      try {
        slurmScripts({ ...base, ...opts });
      } catch (e) {
        err = e as typeof err;
      }
      expect(err.code).toBe('E_USAGE');
      expect(err.message).toMatch(message);
    });
  }
});

describe.skipIf(!existsSync(MAIN))('bimix slurm (fake Slurm tools)', () => {
  let corpus: SmallCorpus;
  const work = mkdtempSync(path.join(tmpdir(), 'bimix-slurm-cli-'));
  const bin = path.join(work, 'bin');
  const tool = (name: string, body: string) => {
    writeFileSync(path.join(bin, name), `#!/bin/bash\n${body}\n`);
    chmodSync(path.join(bin, name), 0o755);
  };
  const run = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [MAIN, 'slurm', ...args], { encoding: 'utf8', cwd: work, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, FAKE: work, ...env } });

  beforeAll(() => {
    corpus = smallCorpus(5_000, 3);
    mkdirSync(bin);
    tool('scontrol', [
      'if [ "$1 $2" = "show config" ]; then echo "MaxArraySize            = 4"; exit 0; fi',
      'if [ "$1 $2" = "show job" ]; then',
      '  if [ "$4" = "$(cat "$FAKE/merge-id" 2>/dev/null)" ]; then echo "JobId=$4 JobName=bimix-merge JobState=${MERGE_STATE:-COMPLETED} Reason=None ExitCode=${MERGE_EXIT:-0}:0"; exit 0; fi',
      '  echo "JobId=$4 ArrayJobId=$4 ArrayTaskId=0 JobState=COMPLETED Reason=None ExitCode=0:0"; exit 0',
      'fi',
      'exit 1',
    ].join('\n'));
    tool('sbatch', [
      'n=$(( $(cat "$FAKE/n" 2>/dev/null || echo 100) + 1 )); echo $n > "$FAKE/n"',
      'echo "$*" >> "$FAKE/sbatch.log"',
      'case "$*" in *dependency*) echo $n > "$FAKE/merge-id";; esac',
      'echo "$n;cluster"',
    ].join('\n'));
  });
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    rmSync(corpus.dir, { recursive: true, force: true });
  });

  const corpusArgs = () => ['--domain', `web=${path.relative(work, corpus.domains[0]!.globs[0]!)}`, '--domain', `code=${corpus.domains[1]!.globs[0]}`, '--chunk-size', '65536'];

  it('--dry-run prints the scripts, split by MaxArraySize, with absolute paths, and submits nothing', () => {
    const r = run([...corpusArgs(), '--tasks', '10', '--partial-dir', 'parts', '--time', '00:10:00', '--dry-run']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^# 2 domains, \d+ chunks over 10 tasks in 3 array jobs/);
    expect(r.stdout).toContain(`# ==== ${path.join(work, 'parts', 'slurm', 'count-0.sbatch')} (submitted as: sbatch --parsable ${path.join(work, 'parts', 'slurm', 'count-0.sbatch')})\n#!/bin/bash\n`);
    expect(r.stdout).toContain('#SBATCH --array=0-3\n');
    expect(r.stdout).toContain('#SBATCH --array=0-1\n');
    expect(r.stdout).toContain('--task-index "$((SLURM_ARRAY_TASK_ID + 8))" --tasks 10');
    expect(r.stdout).toContain(`exec ${process.execPath} ${MAIN} count --domain 'web=${corpus.domains[0]!.globs[0]}' --domain 'code=${corpus.domains[1]!.globs[0]}' --chunk-size 65536 \\\n`);
    expect(r.stdout).toContain(`merge --partial-dir ${path.join(work, 'parts')} --out ${path.join(work, 'parts', 'report.json')}`);
    expect(r.stdout).toContain('(submitted as: sbatch --parsable --dependency=afterok:<count array job ids> --kill-on-invalid-dep=yes');
    expect(existsSync(path.join(work, 'sbatch.log'))).toBe(false);
    expect(existsSync(path.join(work, 'parts'))).toBe(false);
  });

  it('submits the arrays, then the merge with afterok on all of them, and --wait returns the merge exit code', () => {
    const r = run([...corpusArgs(), '--tasks', '6', '--partial-dir', 'parts', '--cpus-per-task', '2', '--mem', '2G', '--wait', '--proxy', 'joint']);
    expect(r.status, r.stderr).toBe(0);
    const log = readFileSync(path.join(work, 'sbatch.log'), 'utf8').trim().split('\n');
    expect(log).toEqual([
      `--parsable ${path.join(work, 'parts', 'slurm', 'count-0.sbatch')}`,
      `--parsable ${path.join(work, 'parts', 'slurm', 'count-1.sbatch')}`,
      `--parsable --dependency=afterok:101:102 --kill-on-invalid-dep=yes ${path.join(work, 'parts', 'slurm', 'merge.sbatch')}`,
    ]);
    expect(r.stdout).toContain('count array job 101 (tasks 0-3)');
    expect(r.stdout).toContain('count array job 102 (tasks 4-5)');
    expect(r.stdout).toContain(`logs: ${path.join(work, 'parts', 'slurm', 'logs', 'count-%A_%a.out')}`);
    expect(r.stdout).toContain('merge job 103 (afterok)');
    expect(r.stdout).toContain('merge job 103 finished');
    expect(readFileSync(path.join(work, 'parts', 'slurm', 'count-0.sbatch'), 'utf8')).toContain(`--threads 2 --memory ${1.5 * 2 ** 30} --chunk-size 65536 \\\n`);
    expect(readFileSync(path.join(work, 'parts', 'slurm', 'merge.sbatch'), 'utf8')).toContain('merge --partial-dir');
    expect(readFileSync(path.join(work, 'parts', 'slurm', 'merge.sbatch'), 'utf8')).toContain('--proxy joint');
    const failed = run([...corpusArgs(), '--tasks', '2', '--partial-dir', 'parts', '--wait', '--quiet'], { MERGE_STATE: 'FAILED', MERGE_EXIT: '3' });
    expect(failed.status).toBe(3);
    expect(failed.stdout).toMatch(/merge job \d+ failed \(exit 3\)/);
  });

  it('refuses bad options before submitting anything', () => {
    const r = run([...corpusArgs(), '--tasks', '2', '--partial-dir', 'p2', '--time', 'soon']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('bimix: error E_USAGE: --time: expected HH:MM:SS');
    const n = run(['--domain', 'x=/nonexistent/*.bin', '--tasks', '2', '--partial-dir', 'p2']);
    expect(n.status).toBe(2);
    expect(existsSync(path.join(work, 'p2'))).toBe(false);
    // Where the merge job will write, checked now rather than after the whole run.
    const o = run([...corpusArgs(), '--tasks', '2', '--partial-dir', 'p2', '--out', 'nowhere/report.json']);
    expect([o.status, o.stderr]).toEqual([2, expect.stringMatching(/^bimix: error E_IO: .*--out: the folder .*nowhere does not exist\n$/)]);
    const codeDir = path.dirname(corpus.domains[1]!.globs[0]!);
    const shard = path.join(codeDir, readdirSync(codeDir).find((f) => f.endsWith('.bin'))!);
    const i = run([...corpusArgs(), '--tasks', '2', '--partial-dir', 'p2', '--out', shard]);
    expect([i.status, i.stderr]).toEqual([2, expect.stringMatching(/^bimix: error E_USAGE: .*--out names an input file/)]);
    const nl = run([...corpusArgs(), '--tasks', '2', '--partial-dir', 'p2\nrm -rf /', '--dry-run']);
    expect([nl.status, nl.stderr]).toEqual([2, expect.stringMatching(/^bimix: error E_USAGE: --partial-dir: .*control character U\+000A/)]);
    expect(existsSync(path.join(work, 'p2'))).toBe(false);
  });
  it('--account, --qos, --job-name and --sbatch-arg reach the scripts; bad values exit 2 before submitting', () => {
    const r = run([...corpusArgs(), '--tasks', '2', '--partial-dir', 'pp', '--account', 'my proj', '--qos', 'low', '--job-name', 'v3', '--sbatch-arg', '--constraint=skylake', '--sbatch-arg', '--comment=a b', '--dry-run']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('#SBATCH --job-name=v3-count\n');
    expect(r.stdout).toContain('#SBATCH --job-name=v3-merge\n');
    expect(r.stdout).toContain('#SBATCH --account="my proj"\n#SBATCH --qos=low\n#SBATCH --constraint=skylake\n#SBATCH "--comment=a b"\n');
    const bad = run([...corpusArgs(), '--tasks', '2', '--partial-dir', 'pp', '--account', 'a\nb']);
    expect([bad.status, bad.stderr]).toEqual([2, expect.stringMatching(/^bimix: error E_USAGE: --account: .*control character U\+000A.*\n$/)]);
    expect(existsSync(path.join(work, 'pp'))).toBe(false);
  });

  it('--json prints the submitted job ids and paths as one JSON document', () => {
    rmSync(path.join(work, 'n'), { force: true });
    rmSync(path.join(work, 'sbatch.log'), { force: true });
    const r = run([...corpusArgs(), '--tasks', '6', '--partial-dir', 'pj', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    const dir = path.join(work, 'pj', 'slurm');
    expect(doc).toEqual({
      domains: 2,
      chunks: expect.any(Number),
      tasks: 6,
      arrays: [
        { jobId: '101', tasks: [0, 3], script: path.join(dir, 'count-0.sbatch'), log: path.join(dir, 'logs', 'count-%A_%a.out') },
        { jobId: '102', tasks: [4, 5], script: path.join(dir, 'count-1.sbatch'), log: path.join(dir, 'logs', 'count-%A_%a.out') },
      ],
      merge: { jobId: '103', script: path.join(dir, 'merge.sbatch'), log: path.join(dir, 'logs', 'merge-%j.out') },
      report: path.join(work, 'pj', 'report.json'),
      logDir: path.join(dir, 'logs'),
    });
    // --wait keeps stdout one JSON document: the outcome goes to stderr and the exit code.
    const waited = run([...corpusArgs(), '--tasks', '2', '--partial-dir', 'pj', '--json', '--wait'], { MERGE_STATE: 'FAILED', MERGE_EXIT: '4' });
    expect(waited.status).toBe(4);
    expect(JSON.parse(waited.stdout).merge.jobId).toMatch(/^\d+$/);
    expect(waited.stderr).toMatch(/merge job \d+ failed \(exit 4\)/);
    const dry = run([...corpusArgs(), '--tasks', '2', '--partial-dir', 'pk', '--json', '--dry-run']);
    expect(dry.status, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout);
    expect(plan.dryRun).toBe(true);
    expect(plan.scripts.map((s: { kind: string }) => s.kind)).toEqual(['count', 'merge']);
    expect(plan.scripts[0].text).toMatch(/^#!\/bin\/bash\n#SBATCH --job-name=bimix-count\n/);
    expect(existsSync(path.join(work, 'pk'))).toBe(false);
  });
});
