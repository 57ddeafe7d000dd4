/**
 * SIGINT, SIGTERM and SIGHUP at every phase of a run: the CLI must stop within
 * 1 s, exit 128 + signal number with exactly one line on stderr, write no report
 * and leave its TMPDIR empty. Phases are found through BIMIX_DEBUG_PHASES markers.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EXIT_CODE, privateTmp, runCli, userLines, workDir, zipfShard, type RunResult, type SignalPlan } from './cli-harness.js';

let dir: string;
let big: string[];
let small: string[];
const measured: string[] = [];

beforeAll(() => {
  dir = workDir('signals');
  // Big enough that counting lasts a few seconds even with 2 threads; the sampled
  // cases use a smaller shard so their bootstrap phase comes soon.
  big = zipfShard(path.join(dir, 'big.bin'), 16_000_000, 3);
  small = zipfShard(path.join(dir, 'small.bin'), 4_000_000, 4);
});

afterAll(() => {
  if (measured.length > 0) console.log(`signal-to-exit latencies:\n${measured.join('\n')}`);
  rmSync(dir, { recursive: true, force: true });
});

/** Asserts the whole contract of an interrupted run. */
function expectInterrupted(r: RunResult, plan: SignalPlan, tmp: string, report: string, label: string): void {
  measured.push(`  ${label}: ${r.latencyMs} ms (signal sent during phase ${r.phaseAtSignal})`);
  expect(r.phaseAtSignal, 'the signal reached the intended phase').toBe(plan.phase);
  expect({ code: r.code, signal: r.signal }).toEqual({ code: EXIT_CODE[plan.signal], signal: null });
  expect(userLines(r.stderr)).toEqual([`bimix: interrupted (${plan.signal}); nothing written`]);
  expect(r.latencyMs).toBeLessThanOrEqual(1000);
  expect(existsSync(report), 'no report').toBe(false);
  expect(readdirSync(tmp), 'TMPDIR left empty').toEqual([]);
}

interface Case {
  label: string;
  args: () => string[];
  plan: SignalPlan;
}

const analyzeCases: Case[] = [
  { label: 'planning, SIGINT, 2 threads', args: () => [...big, '--threads', '2'], plan: { phase: 'plan', signal: 'SIGINT', delayMs: 0 } },
  { label: 'counting, SIGINT, 1 thread', args: () => [...big, '--threads', '1'], plan: { phase: 'count', signal: 'SIGINT' } },
  { label: 'counting, SIGTERM, 2 threads', args: () => [...big, '--threads', '2'], plan: { phase: 'count', signal: 'SIGTERM', delayMs: 300 } },
  { label: 'counting, SIGHUP, 2 threads', args: () => [...big, '--threads', '2'], plan: { phase: 'count', signal: 'SIGHUP', delayMs: 300 } },
  { label: 'in-memory reduce, SIGTERM, 2 threads', args: () => [...big, '--threads', '2'], plan: { phase: 'reduce', signal: 'SIGTERM', delayMs: 0 } },
  { label: 'spill merge, SIGINT, 2 threads, --memory 64MB', args: () => [...big, '--threads', '2', '--memory', '64MB'], plan: { phase: 'spill-merge', signal: 'SIGINT', delayMs: 20 } },
  { label: 'spill merge, SIGHUP, 1 thread, --memory 32MB', args: () => [...big, '--threads', '1', '--memory', '32MB'], plan: { phase: 'spill-merge', signal: 'SIGHUP', delayMs: 20 } },
  { label: 'sampled counting, SIGINT, 2 threads', args: () => [...small, '--threads', '2', '--sample', '0.5'], plan: { phase: 'count-sampled', signal: 'SIGINT', delayMs: 200 } },
  { label: 'sampled bootstrap, SIGTERM, 1 thread', args: () => [...small, '--threads', '1', '--sample', '0.5'], plan: { phase: 'bootstrap', signal: 'SIGTERM', delayMs: 20 } },
  { label: 'VNE, SIGINT, 2 threads', args: () => [...small, '--threads', '2', '--vne', '--vne-docs', '4096'], plan: { phase: 'vne', signal: 'SIGINT', delayMs: 20 } },
];

describe('bimix analyze stops on a signal in every phase', () => {
  for (const c of analyzeCases) {
    test(c.label, async () => {
      const tmp = privateTmp(dir, `tmp-${analyzeCases.indexOf(c)}`);
      const report = path.join(dir, `report-${analyzeCases.indexOf(c)}.json`);
      const r = await runCli(['analyze', ...c.args(), '--quiet', '--out', report], { tmp, plan: c.plan });
      expectInterrupted(r, c.plan, tmp, report, `analyze ${c.label}`);
    });
  }

  test('a second signal exits at once and still removes the spill folder', async () => {
    const tmp = privateTmp(dir, 'tmp-second');
    const report = path.join(dir, 'report-second.json');
    const plan: SignalPlan = { phase: 'count', signal: 'SIGINT', delayMs: 300, secondAfterMs: 5 };
    const r = await runCli(['analyze', ...big, '--threads', '2', '--memory', '32MB', '--quiet', '--out', report], { tmp, plan });
    expectInterrupted(r, plan, tmp, report, 'analyze counting, SIGINT twice, 2 threads');
  });
});

describe('bimix count and merge stop on a signal', () => {
  test('count task: SIGTERM while counting leaves no temporary folder, lock or manifest', async () => {
    const tmp = privateTmp(dir, 'tmp-count');
    const parts = path.join(dir, 'parts-sig');
    const plan: SignalPlan = { phase: 'task-count', signal: 'SIGTERM', delayMs: 300 };
    const r = await runCli(['count', ...big, '--threads', '2', '--task-index', '0', '--task-count', '2', '--partial-dir', parts, '--quiet'], { tmp, plan });
    expectInterrupted(r, plan, tmp, path.join(parts, 'task-00000.manifest.json'), 'count task counting, SIGTERM, 2 threads');
    expect(readdirSync(parts).filter((n) => n.startsWith('.tmp-') || n.endsWith('.lock'))).toEqual([]);
  });

  test('count task: SIGINT while merging its partials', async () => {
    const tmp = privateTmp(dir, 'tmp-count-merge');
    const parts = path.join(dir, 'parts-sig-merge');
    const plan: SignalPlan = { phase: 'task-merge', signal: 'SIGINT', delayMs: 0 };
    const r = await runCli(['count', ...big, '--threads', '2', '--memory', '64MB', '--task-index', '0', '--task-count', '1', '--partial-dir', parts, '--quiet'], { tmp, plan });
    expectInterrupted(r, plan, tmp, path.join(parts, 'task-00000.manifest.json'), 'count task merge, SIGINT, 2 threads');
    expect(readdirSync(parts).filter((n) => n.startsWith('.tmp-') || n.endsWith('.lock'))).toEqual([]);
  });

  test('merge: SIGHUP while reducing the partials writes no report', async () => {
    const tmp = privateTmp(dir, 'tmp-merge');
    const parts = path.join(dir, 'parts-merge');
    const done = await runCli(['count', ...big, '--threads', '1', '--task-index', '0', '--task-count', '1', '--partial-dir', parts, '--quiet'], { tmp });
    expect(done.code, done.stderr).toBe(0);
    const report = path.join(dir, 'report-merge.json');
    const plan: SignalPlan = { phase: 'merge', signal: 'SIGHUP', delayMs: 0 };
    const r = await runCli(['merge', '--partial-dir', parts, '--out', report], { tmp, plan });
    expectInterrupted(r, plan, tmp, report, 'merge reduce, SIGHUP');
  });
});

describe('bimix fit stops on a signal while the main thread is busy fitting', () => {
  test('SIGTERM during a synchronous fit: the native watchdog exits in time, no law file', async () => {
    const tmp = privateTmp(dir, 'tmp-fit');
    const laws = privateTmp(dir, 'laws');
    const ex = (f: string) => fileURLToPath(new URL(`../../examples/laws/${f}`, import.meta.url));
    const plan: SignalPlan = { phase: 'fit', signal: 'SIGTERM', delayMs: 100 };
    const r = await runCli(['fit', '--losses', ex('losses.csv'), '--mixtures', ex('mixtures.csv'), '--law', 'all', '--out', path.join(laws, 'law.json'), '--quiet'], { tmp, plan });
    expectInterrupted(r, plan, tmp, path.join(laws, 'law.bimix.json'), 'fit --law all, SIGTERM');
    expect(readdirSync(laws)).toEqual([]);
  });
});
