/** Talking to Slurm: MaxArraySize, sbatch submission and following jobs to their end. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { BimixError } from '../../errors.js';
import { DEFAULT_MAX_ARRAY_SIZE, type SlurmPlan } from './sbatch.js';

/** Runs a Slurm tool; a missing tool or a non-zero exit is an E_SLURM error with its stderr. */
function slurmTool(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) throw new BimixError('E_SLURM', `cannot run ${cmd}: ${r.error.message} (is Slurm installed and on PATH?)`);
  if (r.status !== 0) throw new BimixError('E_SLURM', `${cmd} ${args.join(' ')} failed (exit ${r.status}): ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

/** The cluster's MaxArraySize from `scontrol show config`, or Slurm's default when it cannot be read. */
export function maxArraySize(): number {
  try {
    const m = /^MaxArraySize\s*=\s*(\d+)/m.exec(slurmTool('scontrol', ['show', 'config']));
    return m ? Number(m[1]) : DEFAULT_MAX_ARRAY_SIZE;
  } catch {
    return DEFAULT_MAX_ARRAY_SIZE;
  }
}

export interface Submitted {
  arrayJobs: string[];
  mergeJob: string;
}

function parsable(out: string): string {
  const id = out.trim().split(';')[0]!;
  if (!/^\d+$/.test(id)) throw new BimixError('E_SLURM', `sbatch --parsable printed ${JSON.stringify(out.trim())}, expected a job id`);
  return id;
}

/** Writes the scripts and submits the arrays, then the merge job depending on all of them. */
export function submit(plan: SlurmPlan): Submitted {
  mkdirSync(plan.logDir, { recursive: true });
  for (const a of plan.arrays) writeFileSync(a.file, a.text, { mode: 0o755 });
  writeFileSync(plan.merge.file, plan.merge.text, { mode: 0o755 });
  const arrayJobs = plan.arrays.map((a) => parsable(slurmTool('sbatch', ['--parsable', a.file])));
  // kill-on-invalid-dep: a failed count task cancels the merge instead of leaving it pending forever.
  let mergeJob: string;
  try {
    mergeJob = parsable(slurmTool('sbatch', ['--parsable', `--dependency=afterok:${arrayJobs.join(':')}`, '--kill-on-invalid-dep=yes', plan.merge.file]));
  } catch (e) {
    const why = e instanceof BimixError ? e.detail : String(e);
    throw new BimixError(
      'E_SLURM',
      `${why}\nthe count arrays ${arrayJobs.join(', ')} are submitted; after they finish run ${plan.merge.file} (or \`bimix merge\`), or stop them with scancel ${arrayJobs.join(' ')}`,
    );
  }
  return { arrayJobs, mergeJob };
}

/** State and exit code of one job (or of each element of an array job). */
export interface JobState {
  id: string;
  state: string;
  exitCode: number;
  signal: number;
  reason: string;
}

/** Current states from `scontrol show job -o`; empty when the controller no longer knows the job. */
function jobStates(id: string): JobState[] {
  const r = spawnSync('scontrol', ['show', 'job', '-o', id], { encoding: 'utf8' });
  if (r.error) throw new BimixError('E_SLURM', `cannot run scontrol: ${r.error.message}`);
  if (r.status !== 0) {
    if (/Invalid job id/i.test(r.stderr)) return [];
    throw new BimixError('E_SLURM', `scontrol show job ${id} failed: ${r.stderr.trim()}`);
  }
  return r.stdout
    .split('\n')
    .filter((l) => l.includes('JobId='))
    .map((l) => {
      const field = (k: string) => new RegExp(`(?:^|\\s)${k}=(\\S*)`).exec(l)?.[1] ?? '';
      const array = field('ArrayJobId');
      const task = field('ArrayTaskId');
      const [code, sig] = field('ExitCode').split(':').map(Number);
      return { id: array && task ? `${array}_${task}` : field('JobId'), state: field('JobState'), exitCode: code ?? 0, signal: sig ?? 0, reason: field('Reason') };
    });
}

const ACTIVE = new Set(['PENDING', 'RUNNING', 'CONFIGURING', 'COMPLETING', 'SUSPENDED', 'REQUEUED', 'RESIZING', 'REQUEUE_HOLD', 'REQUEUE_FED', 'SIGNALING', 'STAGE_OUT', 'STOPPED']);

/** Polls until the merge job ends; returns its exit code (non-zero when it failed or never ran). */
export async function waitForMerge(s: Submitted, onLog: (line: string) => void, pollMs = 2000, signal?: AbortSignal): Promise<number> {
  let last = '';
  for (;;) {
    if (signal?.aborted) throw new BimixError('E_INTERRUPTED', `stopped waiting; the jobs keep running (scancel ${[...s.arrayJobs, s.mergeJob].join(' ')} to stop them)`);
    const counts = new Map<string, number>();
    const failed: string[] = [];
    for (const a of s.arrayJobs) {
      for (const j of jobStates(a)) {
        counts.set(j.state, (counts.get(j.state) ?? 0) + 1);
        if (!ACTIVE.has(j.state) && j.state !== 'COMPLETED') failed.push(`${j.id} ${j.state} exit ${j.exitCode}${j.signal ? ` signal ${j.signal}` : ''}`);
      }
    }
    const merge = jobStates(s.mergeJob)[0];
    const line = `count tasks: ${[...counts.entries()].map(([k, v]) => `${v} ${k.toLowerCase()}`).join(', ') || 'gone'}; merge ${s.mergeJob}: ${merge ? merge.state.toLowerCase() : 'gone'}`;
    if (line !== last) onLog(line);
    last = line;
    if (merge && !ACTIVE.has(merge.state)) {
      if (failed.length > 0) onLog(`failed count tasks: ${failed.join('; ')}`);
      if (merge.state === 'COMPLETED') return merge.exitCode;
      onLog(`merge job ${s.mergeJob} ended ${merge.state} (${merge.reason})`);
      return merge.exitCode !== 0 ? merge.exitCode : 1;
    }
    if (!merge) throw new BimixError('E_SLURM', `merge job ${s.mergeJob} is no longer known to slurmctld; check its log`);
    // The wait ends early when the signal aborts, so a stop is seen at once.
    await new Promise<void>((r) => {
      const t = setTimeout(done, pollMs);
      function done() {
        clearTimeout(t);
        signal?.removeEventListener('abort', done);
        r();
      }
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
