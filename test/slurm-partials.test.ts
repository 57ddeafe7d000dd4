import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countTask } from '../src/analyze/slurm-count.js';
import { mergePartialDir, validatePartials } from '../src/analyze/slurm-merge.js';
import type { TaskManifest } from '../src/exec/slurm/partials.js';
import { smallCorpus, type SmallCorpus } from './slurm-corpus.js';

// The pool runs dist/exec/worker.js: run `npx tsc -p .` first.
describe('partial validation before merge', () => {
  let corpus: SmallCorpus;
  const work = mkdtempSync(path.join(tmpdir(), 'bimix-slurm-partials-'));
  const good = path.join(work, 'good');
  let n = 0;

  /** A fresh copy of the good folder to damage. */
  function copy(): string {
    const dir = path.join(work, `case-${n++}`);
    cpSync(good, dir, { recursive: true });
    return dir;
  }
  const manifestOf = (dir: string, i: number) => path.join(dir, `task-0000${i}.manifest.json`);
  const readM = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as TaskManifest;
  const editM = (file: string, f: (m: TaskManifest) => void) => {
    const m = readM(file);
    f(m);
    writeFileSync(file, JSON.stringify(m));
  };
  const count = (dir: string, i: number, extra: Partial<Parameters<typeof countTask>[0]> = {}) =>
    countTask({ domains: corpus.domains, chunkBytes: corpus.chunkBytes, threads: 2, taskIndex: i, taskCount: 3, partialDir: dir, ...extra });

  beforeAll(async () => {
    corpus = smallCorpus(20_000, 2);
    for (let i = 0; i < 3; i++) await count(good, i);
  });
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    rmSync(corpus.dir, { recursive: true, force: true });
  });

  it('accepts the finished folder', () => {
    const v = validatePartials(good);
    expect(v.manifests.map((m) => m.task.index)).toEqual([0, 1, 2]);
    expect(v.inputs).toHaveLength(corpus.domains.length);
    for (const i of v.inputs) expect(i.length).toBeGreaterThan(0);
  });

  // Each case damages a copy and names the exact message the merge must give.
  const cases: [string, (dir: string) => void | Promise<void>, RegExp][] = [
    ['a folder that does not exist', (dir) => rmSync(dir, { recursive: true, force: true }), /cannot read the partial folder/],
    ['a folder without manifests', (dir) => [0, 1, 2].forEach((i) => rmSync(manifestOf(dir, i))), /no task manifests \(task-NNNNN\.manifest\.json\) in .*: run `bimix count` first/],
    ['a missing task', (dir) => rmSync(manifestOf(dir, 1)), /no usable manifest for 1 of 3 tasks .*task-00001\.manifest\.json/],
    ['a duplicated task', (dir) => copyFileSync(manifestOf(dir, 2), path.join(dir, 'task-2.manifest.json')), /task-2\.manifest\.json: duplicate of task 2 \(also task-00002\.manifest\.json\)|task-00002\.manifest\.json: duplicate of task 2 \(also task-2\.manifest\.json\)/],
    [
      'a truncated partial',
      (dir) => {
        const m = readM(manifestOf(dir, 0));
        truncateSync(path.join(dir, m.partials[0]!.file), 100);
      },
      /task-00000\.d000\.bimixps \(task 0, domain web\): truncated: 100 bytes, the manifest says \d+/,
    ],
    [
      'a corrupt partial of the recorded size',
      (dir) => {
        const m = readM(manifestOf(dir, 0));
        const file = path.join(dir, m.partials[0]!.file);
        const buf = readFileSync(file);
        buf[buf.length - 9] ^= 0xff;
        writeFileSync(file, buf);
      },
      /task-00000\.d000\.bimixps \(task 0, domain web\): .*(checksum|corrupt|truncated)/i,
    ],
    ['a missing partial', (dir) => rmSync(path.join(dir, readM(manifestOf(dir, 2)).partials[0]!.file)), /task-00002\.d\d{3}\.bimixps \(task 2, domain \w+\): missing partial/],
    [
      'a partial of another task (duplicated file)',
      (dir) => editM(manifestOf(dir, 1), (m) => {
        const other = readM(manifestOf(dir, 0)).partials.find((p) => p.domainIndex === m.partials[0]!.domainIndex);
        if (!other) throw new Error('test corpus must put one domain in tasks 0 and 1');
        m.partials[0]!.file = other.file;
        m.partials[0]!.bytes = other.bytes;
      }),
      /task-00000\.d\d{3}\.bimixps \(task 1, domain \w+\): the file belongs to another task or run|chunk \d+ is outside its domain or counted twice/,
    ],
    ['another tool partial format', (dir) => editM(manifestOf(dir, 2), (m) => void (m.partialFormatVersion = 999)), /task-00002\.manifest\.json: written in partial format v999 by bimix .*; this bimix reads v\d+/],
    ['an edited manifest', (dir) => editM(manifestOf(dir, 2), (m) => void (m.config.chunkBytes = 1)), /task-00002\.manifest\.json: fingerprint does not match its configuration/],
    [
      'a task from another configuration (chunk size)',
      async (dir) => void (await count(dir, 1, { chunkBytes: corpus.chunkBytes * 2 })),
      /task-00001\.manifest\.json: from another configuration \(chunk size \d+ instead of \d+\)[^]*no usable manifest for 1 of 3 tasks/,
    ],
    [
      'a task from another configuration (task count)',
      async (dir) => void (await countTask({ domains: corpus.domains, chunkBytes: corpus.chunkBytes, threads: 1, taskIndex: 3, taskCount: 4, partialDir: dir })),
      /task-00003\.manifest\.json: from another configuration \(task count 4 instead of 3\)/,
    ],
    [
      'a task over changed files',
      async (dir) => {
        const f = corpus.domains[3]!;
        // Same files, other read options: the fingerprint changes.
        await countTask({ domains: corpus.domains.map((d) => (d === f ? { ...d, read: { ...d.read, vocab: 5000 } } : d)), chunkBytes: corpus.chunkBytes, threads: 1, taskIndex: 0, taskCount: 3, partialDir: dir });
      },
      /task-00000\.manifest\.json: from another configuration \(domain papers: globs or read options .*"vocab":5000/,
    ],
    [
      // Last: it touches a corpus file.
      'a task counted after a file changed',
      async (dir) => {
        const file = readM(manifestOf(dir, 2)).config.domains[2]!.files[0]!.path;
        utimesSync(file, new Date(), new Date(Date.now() + 5000));
        await count(dir, 2);
      },
      /task-00002\.manifest\.json: from another configuration \(domain forum: file .*forum-0\.bin differs \(\d+ bytes, mtime \d+ instead of \d+ bytes, mtime \d+\)\)/,
    ],
  ];

  for (const [name, damage, message] of cases) {
    it(`refuses ${name}, naming it`, async () => {
      const dir = copy();
      await damage(dir);
      let err: { code?: string; message?: string } = {};
      try {
        await mergePartialDir({ partialDir: dir });
      } catch (e) {
        err = e as typeof err;
      }
      expect(err.code, String(err.message)).toBe('E_STATE');
      expect(err.message).toMatch(message);
      if (process.env.SHOW_ERRORS) console.log(err.message);
    });
  }
});
