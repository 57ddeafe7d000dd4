/**
 * Ownership of temporary folders and count-task locks: leftovers of killed runs
 * are removed by the next run (with a note), live owners are never disturbed,
 * a second run of the same count task refuses with E_BUSY naming the holder, and
 * an unwritable TMPDIR is a clean E_IO.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { acquireLock } from '../../src/exec/owner-lock.js';
import { sweepDeadOwners } from '../../src/exec/temp-dirs.js';
import { isBimixError } from '../../src/errors.js';
import { CLI, privateTmp, runCli, userLines, workDir, zipfShard } from './cli-harness.js';

let dir: string;
let big: string[];
let tiny: string[];

beforeAll(() => {
  dir = workDir('locks');
  big = zipfShard(path.join(dir, 'big.bin'), 16_000_000, 5);
  tiny = zipfShard(path.join(dir, 'tiny.bin'), 200_000, 6);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The pid of a process that has exited (so it is known dead). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('owner records', () => {
  test('the sweep removes folders of dead pids only', async () => {
    const root = privateTmp(dir, 'sweep');
    const dead = deadPid();
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      const deadDir = path.join(root, `bimix-${dead}-abc123`);
      const liveDir = path.join(root, `bimix-${sleeper.pid}-def456`);
      const other = path.join(root, 'bimix-notapid');
      const foreign = path.join(root, `bimix-${dead}-fff000`);
      for (const d of [deadDir, liveDir, other, foreign]) mkdirSync(d);
      writeFileSync(path.join(deadDir, 'spill-1.bimixps'), 'x');
      // A record from another host is never judged here.
      writeFileSync(path.join(foreign, '.owner'), JSON.stringify({ pid: dead, host: `not-${os.hostname()}`, started: 0 }));
      const removed = sweepDeadOwners(root);
      expect(removed.map((r) => r.dir)).toEqual([deadDir]);
      expect(readdirSync(root).sort()).toEqual([path.basename(liveDir), 'bimix-notapid', path.basename(foreign)].sort());
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  test('a lock held by a live process is E_BUSY naming its pid; a dead holder is taken over', () => {
    const root = privateTmp(dir, 'lock');
    const file = path.join(root, 'task-00000.lock');
    const held = acquireLock(file, 'task 0');
    try {
      // Our own live pid holds it: a second acquisition must refuse.
      let err: unknown;
      try {
        acquireLock(file, 'task 0');
      } catch (e) {
        err = e;
      }
      expect(isBimixError(err) && err.code).toBe('E_BUSY');
      expect((err as Error).message).toContain(`pid ${process.pid}`);
    } finally {
      held.release();
    }
    expect(existsSync(file)).toBe(false);
    const dead = deadPid();
    writeFileSync(file, JSON.stringify({ pid: dead, host: os.hostname(), started: 1 }));
    const taken = acquireLock(file, 'task 0');
    expect(taken.tookOverFrom?.pid).toBe(dead);
    taken.release();
    expect(existsSync(file)).toBe(false);
  });
});

describe('the CLI and leftovers', () => {
  test('SIGKILL leaves a folder; the next run removes it with one note', async () => {
    const tmp = privateTmp(dir, 'tmp-kill');
    const killed = await runCli(['analyze', ...big, '--threads', '2', '--memory', '32MB', '--quiet'], { tmp, plan: { phase: 'count', signal: 'SIGKILL', delayMs: 500 } });
    expect(killed.signal).toBe('SIGKILL');
    const left = readdirSync(tmp);
    expect(left).toEqual([expect.stringMatching(new RegExp(`^bimix-${killed.pid}-`))]);
    const next = await runCli(['analyze', ...tiny, '--threads', '1', '--quiet', '--json'], { tmp });
    expect(next.code, next.stderr).toBe(0);
    const notes = userLines(next.stderr);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(new RegExp(`^bimix: note: removed 1 temporary folder left by runs that no longer exist \\(pid ${killed.pid}\\): `));
    expect(readdirSync(tmp)).toEqual([]);
  });

  test('an unwritable TMPDIR is E_IO without a stack trace', async () => {
    if (process.getuid?.() === 0) {
      // root writes anywhere: point TMPDIR below a regular file instead.
      const file = path.join(dir, 'not-a-folder');
      writeFileSync(file, '');
      const r = await runCli(['analyze', ...tiny, '--threads', '1', '--quiet'], { tmp: path.join(file, 'tmp') });
      expect(r.code).toBe(2);
      expect(userLines(r.stderr)).toEqual([expect.stringMatching(/^bimix: error E_IO: .*cannot create a temporary folder in .*not-a-folder\/tmp \(ENOTDIR\); set TMPDIR to a writable folder$/)]);
      return;
    }
    const ro = privateTmp(dir, 'readonly');
    chmodSync(ro, 0o555);
    const r = await runCli(['analyze', ...tiny, '--threads', '1', '--quiet'], { tmp: ro });
    chmodSync(ro, 0o755);
    expect(r.code).toBe(2);
    expect(userLines(r.stderr)).toEqual([expect.stringMatching(/^bimix: error E_IO: .*cannot create a temporary folder in .* \(EACCES\)/)]);
  });

  test('two runs of the same count task: the second refuses with E_BUSY naming the first', async () => {
    const tmp = privateTmp(dir, 'tmp-busy');
    const parts = path.join(dir, 'parts-busy');
    const args = ['count', ...big, '--threads', '1', '--task-index', '0', '--task-count', '1', '--partial-dir', parts, '--quiet'];
    let second: Promise<{ code: number | null; stderr: string }> | undefined;
    let firstPid = 0;
    const first = runCli(args, {
      tmp,
      onStart: (c) => {
        firstPid = c.pid!;
        c.stderr!.on('data', (d: Buffer) => {
          if (second || !d.toString().includes('phase task-count')) return;
          second = new Promise((resolve) => {
            const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, TMPDIR: tmp }, encoding: 'utf8' });
            resolve({ code: r.status, stderr: r.stderr });
            c.kill('SIGINT');
          });
        });
      },
    });
    const r1 = await first;
    const r2 = await second!;
    expect(r2.code).toBe(2);
    expect(userLines(r2.stderr)).toEqual([expect.stringMatching(new RegExp(`^bimix: error E_BUSY: .*task 0 of 1 in .* is being run by pid ${firstPid} \\(lock .*task-00000\\.lock\\)`))]);
    // The refused run touched nothing of the first: it still finishes its interruption cleanly.
    expect(r1.code).toBe(130);
    expect(readdirSync(parts).filter((n) => n.startsWith('.tmp-') || n.endsWith('.lock'))).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
  });

  test('a count task killed with SIGKILL: the next run takes its lock over with a note', async () => {
    const tmp = privateTmp(dir, 'tmp-takeover');
    const parts = path.join(dir, 'parts-takeover');
    const args = ['count', ...tiny, '--threads', '1', '--task-index', '0', '--task-count', '1', '--partial-dir', parts, '--quiet'];
    const killed = await runCli(['count', ...big, '--threads', '1', '--task-index', '0', '--task-count', '1', '--partial-dir', parts, '--quiet'], {
      tmp,
      plan: { phase: 'task-count', signal: 'SIGKILL', delayMs: 200 },
    });
    expect(killed.signal).toBe('SIGKILL');
    expect(readdirSync(parts)).toContain('task-00000.lock');
    // Another corpus: the same task index of a new configuration.
    const next = await runCli(args, { tmp });
    expect(next.code, next.stderr).toBe(0);
    expect(userLines(next.stderr)).toEqual([`bimix: note: task 0: took over the lock of pid ${killed.pid}, which no longer exists; removing its temporary files`]);
    expect(readdirSync(parts).sort()).toEqual(['task-00000.d000.bimixps', 'task-00000.manifest.json']);
  });
});
