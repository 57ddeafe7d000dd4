import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../src/analyze/index.js';
import { countTask } from '../src/analyze/slurm-count.js';
import { mergePartialDir } from '../src/analyze/slurm-merge.js';
import { smallCorpus, type SmallCorpus } from './slurm-corpus.js';

// The pool runs dist/exec/worker.js and the CLI test dist/cli/main.js: run `npx tsc -p .` first.
const MAIN = path.resolve('dist/cli/main.js');

describe('count + merge equals analyze', () => {
  let corpus: SmallCorpus;
  let expected: string;
  const work = mkdtempSync(path.join(tmpdir(), 'bimix-slurm-merge-'));

  beforeAll(async () => {
    corpus = smallCorpus();
    expected = JSON.stringify(await analyze({ domains: corpus.domains, chunkBytes: corpus.chunkBytes, threads: 2 }));
  });
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    rmSync(corpus.dir, { recursive: true, force: true });
  });

  for (const n of [1, 2, 3, 5]) {
    it(`N = ${n} tasks merge to the analyze report, string-equal`, async () => {
      const dir = path.join(work, `n${n}`);
      for (let i = 0; i < n; i++) {
        const r = await countTask({ domains: corpus.domains, chunkBytes: corpus.chunkBytes, threads: 2, taskIndex: i, taskCount: n, partialDir: dir });
        expect(r.skipped).toBe(false);
      }
      const report = await mergePartialDir({ partialDir: dir });
      expect(JSON.stringify(report)).toBe(expected);
      // More chunks than tasks: every domain is spread over several tasks once n > 1.
      if (n === 5) expect(readdirSync(dir).filter((f) => f.endsWith('.bimixps')).length).toBeGreaterThan(corpus.domains.length);
    });
  }

  it('handles more tasks than chunks (empty tasks) and another chunk size', async () => {
    const dir = path.join(work, 'sparse');
    const big = 1 << 30;
    const r = [];
    for (let i = 0; i < 12; i++) r.push(await countTask({ domains: corpus.domains, chunkBytes: big, threads: 1, taskIndex: i, taskCount: 12, partialDir: dir }));
    expect(r.filter((x) => x.manifest.partials.length === 0).length).toBeGreaterThan(0);
    expect(JSON.stringify(await mergePartialDir({ partialDir: dir }))).toBe(expected);
  });

  it('is unchanged by the thread count of the tasks', async () => {
    const dir = path.join(work, 'threads');
    for (let i = 0; i < 3; i++) await countTask({ domains: corpus.domains, chunkBytes: corpus.chunkBytes, threads: 1 + (i % 2), taskIndex: i, taskCount: 3, partialDir: dir });
    expect(JSON.stringify(await mergePartialDir({ partialDir: dir, threads: 1 }))).toBe(expected);
  });

  it('resumes: a second run skips finished tasks and redoes only a task without a manifest', async () => {
    const dir = path.join(work, 'n3');
    const before = readFileSync(path.join(dir, 'task-00001.manifest.json'), 'utf8');
    const again = [];
    for (let i = 0; i < 3; i++) again.push(await countTask({ domains: corpus.domains, chunkBytes: corpus.chunkBytes, threads: 2, taskIndex: i, taskCount: 3, partialDir: dir }));
    expect(again.map((r) => r.skipped)).toEqual([true, true, true]);
    expect(readFileSync(path.join(dir, 'task-00001.manifest.json'), 'utf8')).toBe(before);
    // A crash before the manifest: the partials may be there, the manifest is not.
    rmSync(path.join(dir, 'task-00002.manifest.json'));
    const logs: string[] = [];
    const redo = [];
    for (let i = 0; i < 3; i++) {
      redo.push(await countTask({ domains: corpus.domains, chunkBytes: corpus.chunkBytes, threads: 2, taskIndex: i, taskCount: 3, partialDir: dir, onLog: (l) => logs.push(l) }));
    }
    expect(redo.map((r) => r.skipped)).toEqual([true, true, false]);
    expect(logs.filter((l) => l.includes('skipped'))).toHaveLength(2);
    expect(JSON.stringify(await mergePartialDir({ partialDir: dir }))).toBe(expected);
  });

  it.skipIf(!existsSync(MAIN))('through the CLI: count x2 + merge --out is byte-equal to analyze --out', () => {
    const dir = path.join(work, 'cli');
    // Per-domain read options differ, so use a config file like a user would.
    const config = path.join(corpus.dir, 'bimix.json');
    const cfg = { domains: Object.fromEntries(corpus.domains.map((d) => [d.name, { globs: [path.relative(corpus.dir, d.globs[0]!)], ...d.read }])) };
    writeFileSync(config, JSON.stringify(cfg));
    const run = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', cwd: work });
    const common = ['--config', config, '--chunk-size', '65536', '--threads', '2'];
    const a = run('analyze', ...common, '--out', path.join(work, 'analyze.json'), '--quiet');
    expect(a.status, a.stderr).toBe(0);
    for (const i of ['0', '1']) {
      const c = run('count', ...common, '--task-index', i, '--task-count', '2', '--partial-dir', dir, '--quiet');
      expect(c.status, c.stderr).toBe(0);
    }
    const env = { ...process.env, SLURM_ARRAY_TASK_ID: '1' };
    const again = spawnSync(process.execPath, [MAIN, 'count', ...common, '--task-count', '2', '--partial-dir', dir], { encoding: 'utf8', cwd: work, env });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/task 1\/2: already finished .*skipped/);
    const m = run('merge', '--partial-dir', dir, '--out', path.join(work, 'merge.json'), '--json');
    expect(m.status, m.stderr).toBe(0);
    expect(readFileSync(path.join(work, 'merge.json'), 'utf8')).toBe(readFileSync(path.join(work, 'analyze.json'), 'utf8'));
    expect(m.stdout).toBe(readFileSync(path.join(work, 'analyze.json'), 'utf8'));
  });
});
