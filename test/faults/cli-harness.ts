/**
 * Spawns the built CLI for the fault-injection tests, with a private TMPDIR and
 * the debug phase markers on, and sends a signal when a given phase starts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_SPECS, writeZipfMarkov } from '../../src/corpus/zipf-markov.js';

export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/** A fresh folder for one test file (corpus, TMPDIR, outputs). */
export function workDir(tag: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `bimix-faults-${tag}-`));
}

/** Writes a u32 Zipf-Markov shard of `tokens` tokens (separator 128255); returns the analyze flags reading it. */
export function zipfShard(file: string, tokens: number, seed = 3): string[] {
  writeZipfMarkov(file, { ...BENCH_SPECS.u32, seed }, tokens);
  return ['--domain', `a=${file}`, '--format', 'raw', '--dtype', 'u32', '--eos', '128255'];
}

/** A private, empty TMPDIR under `dir`. */
export function privateTmp(dir: string, name = 'tmp'): string {
  const t = path.join(dir, name);
  mkdirSync(t, { recursive: true });
  return t;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  stdout: string;
  /** ms from the first signal sent to the process exit; undefined when none was sent. */
  latencyMs?: number;
  /** The last phase marker seen when the signal was sent. */
  phaseAtSignal?: string;
  pid: number;
}

export interface SignalPlan {
  /** Phase whose marker triggers the signal. */
  phase: string;
  signal: NodeJS.Signals;
  /** Wait this long after the marker (default 50 ms). */
  delayMs?: number;
  /** Send this signal again after this many ms (the second-signal case). */
  secondAfterMs?: number;
}

/** Lines of stderr that are not debug phase markers. */
export function userLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l !== '' && !l.startsWith('bimix: debug: '));
}

/** Starts the CLI; resolves when it exits, after signalling it as planned. */
export function runCli(args: string[], o: { tmp: string; plan?: SignalPlan; env?: Record<string, string>; onStart?: (c: ChildProcess) => void } ): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, TMPDIR: o.tmp, BIMIX_DEBUG_PHASES: '1', ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    o.onStart?.(child);
    let stderr = '';
    let stdout = '';
    let sentAt: number | undefined;
    let lastPhase: string | undefined;
    let phaseAtSignal: string | undefined;
    let armed = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      for (const m of stderr.matchAll(/^bimix: debug: phase (\S+)$/gm)) lastPhase = m[1];
      const plan = o.plan;
      if (!plan || armed || !new RegExp(`^bimix: debug: phase ${plan.phase}$`, 'm').test(stderr)) return;
      armed = true;
      setTimeout(() => {
        phaseAtSignal = lastPhase;
        sentAt = performance.now();
        child.kill(plan.signal);
        if (plan.secondAfterMs !== undefined) setTimeout(() => child.kill(plan.signal), plan.secondAfterMs);
      }, plan.delayMs ?? 50);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const latencyMs = sentAt !== undefined ? Math.round(performance.now() - sentAt) : undefined;
      resolve({ code, signal, stderr, stdout, pid: child.pid!, ...(latencyMs !== undefined ? { latencyMs } : {}), ...(phaseAtSignal ? { phaseAtSignal } : {}) });
    });
  });
}

/** The exit code a stop signal must give. */
export const EXIT_CODE: Record<string, number> = { SIGINT: 130, SIGHUP: 129, SIGTERM: 143 };
