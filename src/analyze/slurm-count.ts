/**
 * The map step of a multi-task run: task I of N counts its share of the global
 * chunk list (see src/exec/slurm/assign.ts) with the worker pool and leaves one partial per
 * domain plus a manifest. A task whose finished manifest matches the current
 * configuration is skipped, so a rerun after a crash only does what is missing.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { validateAnalyzeOptions, type AnalyzeOptions } from './options.js';
import { flattenChunks, planDomains, type DomainPlan } from './plan.js';
import { loadAddon } from '../engine/native.js';
import { BimixError, optionError } from '../errors.js';
import { withSchemaRef } from '../schemas/ids.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { TOOL } from '../version.js';
import { WorkerPool } from '../exec/pool.js';
import { RunCancel } from '../exec/cancel.js';
import { acquireLock } from '../exec/owner-lock.js';
import { createOwnedDir, keepOnExit, leftoverNote, removeOnExit, removeOwnedDir, sweepDeadOwners } from '../exec/temp-dirs.js';
import { debugPhase } from '../util/debug-phase.js';
import type { CountResult, MergeTask } from '../exec/protocol.js';
import { domainCountTask, type CountTaskSettings } from './count-task.js';
import { fanOut } from '../exec/fan-out.js';
import { assignTasks, globalChunks, taskRanges, type ChunkRange } from '../exec/slurm/assign.js';
import {
  configFingerprint,
  manifestName,
  MANIFEST_SCHEMA,
  partialMeta,
  partialName,
  partialPath,
  readManifest,
  type PartialConfig,
  type PartialEntry,
  type TaskManifest,
} from '../exec/slurm/partials.js';

export interface CountTaskOptions extends Pick<AnalyzeOptions, 'domains' | 'baseDir' | 'threads' | 'memoryBytes' | 'chunkBytes' | 'unigramsOnly' | 'simd' | 'signal'> {
  taskIndex: number;
  taskCount: number;
  partialDir: string;
  /** Folder for the task's spilled runs and per-thread partials (default: inside the partial folder). */
  tmpDir?: string;
  /** One line per event (domain counted, task skipped). */
  onLog?: (line: string) => void;
  /** Notes that are printed even when quiet (a dead holder's lock taken over). */
  onNote?: (line: string) => void;
}

export interface CountTaskOutcome {
  skipped: boolean;
  manifestPath: string;
  manifest: TaskManifest;
}

/** The configuration record of planned domains. */
function partialConfig(plans: DomainPlan[], chunkBytes: number, unigramsOnly: boolean, taskCount: number): PartialConfig {
  return {
    chunkBytes,
    unigramsOnly,
    taskCount,
    domains: plans.map((p) => ({ name: p.name, spec: p.spec, files: p.files.map((f) => ({ ...f })) })),
  };
}

/** Validates the task index and count. */
function validateTask(taskIndex: unknown, taskCount: unknown): void {
  if (!Number.isInteger(taskCount) || (taskCount as number) < 1 || (taskCount as number) > 1_000_000) {
    throw optionError('--tasks', 'a whole number from 1 to 1000000', taskCount);
  }
  if (!Number.isInteger(taskIndex) || (taskIndex as number) < 0 || (taskIndex as number) >= (taskCount as number)) {
    throw optionError('--task-index', `a whole number from 0 to ${(taskCount as number) - 1} (--tasks ${taskCount})`, taskIndex);
  }
}

/** True when `file` is a finished manifest of this task and configuration whose partials are all present at their recorded sizes. */
function isFinished(dir: string, file: string, fingerprint: string, taskIndex: number): TaskManifest | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const m = readManifest(file);
    if (m.fingerprint !== fingerprint || m.task.index !== taskIndex) return undefined;
    for (const p of m.partials) {
      const st = statSync(partialPath(dir, p.file), { throwIfNoEntry: false });
      if (!st || st.size !== p.bytes) return undefined;
    }
    return m;
  } catch {
    return undefined;
  }
}

/** Counts the chunks of one domain given by global ranges into one partial file. */
async function countDomainShare(
  pool: WorkerPool,
  plan: DomainPlan,
  local: number[],
  cfg: CountTaskSettings,
  out: string,
  meta: string,
  cancel: RunCancel,
): Promise<void> {
  const chunks = flattenChunks(local.map((i) => plan.chunks[i]!));
  // The workers' counts stay in the addon under one name (sharing their tables, as in
  // analyze), and one merge task writes them as the task's partial file.
  const registered = `slurm-${process.pid}-${++shareSeq}`;
  try {
    await fanOut<CountResult>(pool, cancel, cfg.threads, local.length, (_t, claim) =>
      domainCountTask(plan, chunks, claim, cfg, cancel.slot, { out: '', meta, register: registered }),
    );
    debugPhase('task-merge');
    const merge: MergeTask = { kind: 'merge', inputs: [], registered, out, meta, reduce: false, cancel: cancel.slot };
    await cancel.settle([pool.run(merge)]);
  } finally {
    loadAddon().discardRegistered(registered);
  }
}

/** Makes the names a task's domain shares are registered under unique within the process. */
let shareSeq = 0;

/** Runs (or skips, when already finished) task `taskIndex` of `taskCount`. */
export async function countTask(o: CountTaskOptions): Promise<CountTaskOutcome> {
  validateTask(o.taskIndex, o.taskCount);
  if (!o.partialDir) throw optionError('--partial-dir', 'a folder', o.partialDir);
  const v = validateAnalyzeOptions({ ...o, proxy: o.unigramsOnly ? 'shannon' : 'conditional' });
  const cancel = new RunCancel(o.signal);
  try {
    return await countTaskValidated(o, v, cancel);
  } finally {
    cancel.dispose();
  }
}

async function countTaskValidated(o: CountTaskOptions, v: ReturnType<typeof validateAnalyzeOptions>, cancel: RunCancel): Promise<CountTaskOutcome> {
  const unigramsOnly = o.unigramsOnly ?? false;
  debugPhase('plan');
  const plans = await planDomains(o.domains, o.baseDir ?? process.cwd(), v.chunkBytes);
  const formatVersion = loadAddon().kernelInfo().partialFormatVersion;
  const config = partialConfig(plans, v.chunkBytes, unigramsOnly, o.taskCount);
  const fingerprint = configFingerprint(config, formatVersion);
  const all = globalChunks(plans, v.chunkBytes);
  const owner = assignTasks(all.map((c) => c.bytes), o.taskCount);
  const ranges = taskRanges(owner, o.taskIndex);

  cancel.check();
  const dir = path.resolve(o.partialDir);
  const manifestPath = path.join(dir, manifestName(o.taskIndex));
  const done = isFinished(dir, manifestPath, fingerprint, o.taskIndex);
  if (done) {
    o.onLog?.(`task ${o.taskIndex}/${o.taskCount}: already finished (${manifestPath}), skipped`);
    return { skipped: true, manifestPath, manifest: done };
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new BimixError('E_IO', `cannot create the partial folder: ${(e as Error).message}`, { file: dir });
  }
  // One process per task: a second run of the same task refuses (E_BUSY) instead of
  // deleting the first one's temporary folder; a dead holder's lock is taken over.
  const lockFile = path.join(dir, `${manifestName(o.taskIndex).replace(/\.manifest\.json$/, '')}.lock`);
  const lock = acquireLock(lockFile, `task ${o.taskIndex} of ${o.taskCount} in ${dir}`);
  removeOnExit(lockFile);
  try {
    if (lock.tookOverFrom) o.onNote?.(`bimix: note: task ${o.taskIndex}: took over the lock of pid ${lock.tookOverFrom.pid}, which no longer exists; removing its temporary files`);
    return await countLocked(o, v, cancel, { plans, formatVersion, config, fingerprint, all, ranges, dir, manifestPath, unigramsOnly });
  } finally {
    lock.release();
    keepOnExit(lockFile);
  }
}

async function countLocked(
  o: CountTaskOptions,
  v: ReturnType<typeof validateAnalyzeOptions>,
  cancel: RunCancel,
  c: {
    plans: DomainPlan[];
    formatVersion: number;
    config: PartialConfig;
    fingerprint: string;
    all: ReturnType<typeof globalChunks>;
    ranges: ChunkRange[];
    dir: string;
    manifestPath: string;
    unigramsOnly: boolean;
  },
): Promise<CountTaskOutcome> {
  const { plans, formatVersion, config, fingerprint, all, ranges, dir, manifestPath, unigramsOnly } = c;
  // A stale manifest (other configuration, or partials gone) must not outlive the partials we are about to replace.
  rmSync(manifestPath, { force: true });

  // Group this task's chunks by domain: domain index -> local chunk indices and the global range.
  const byDomain = new Map<number, { local: number[]; range: ChunkRange }>();
  const firstOfDomain: number[] = [];
  for (const c of all) if (firstOfDomain[c.domainIndex] === undefined) firstOfDomain[c.domainIndex] = c.index;
  for (const [first, end] of ranges) {
    for (let g = first; g < end; g++) {
      const c = all[g]!;
      const e = byDomain.get(c.domainIndex) ?? { local: [], range: [g, g] as ChunkRange };
      e.local.push(g - firstOfDomain[c.domainIndex]!);
      e.range[1] = g + 1;
      byDomain.set(c.domainIndex, e);
    }
  }

  // Temporary folders of this task left by a crash (a killed task cannot clean up);
  // the task lock makes them nobody else's.
  const tmpPrefix = `.tmp-${manifestName(o.taskIndex)}-`;
  for (const n of readdirSync(dir)) if (n.startsWith(tmpPrefix)) rmSync(path.join(dir, n), { recursive: true, force: true });
  const tmpDir = createOwnedDir(dir, tmpPrefix, 'task folder');
  // Spilled runs and per-thread partials may go to node-local scratch; the merged partial stays
  // in the task folder so that its final rename never crosses file systems.
  let scratch = tmpDir;
  if (o.tmpDir !== undefined) {
    try {
      const note = leftoverNote(sweepDeadOwners(o.tmpDir));
      if (note) o.onNote?.(note);
      scratch = createOwnedDir(o.tmpDir);
    } catch (e) {
      removeOwnedDir(tmpDir);
      throw e;
    }
  }
  // Tasks without chunks (more tasks than chunks) start no workers.
  // No more workers than the largest share has chunks.
  const threads = Math.min(v.threads, Math.max(1, ...[...byDomain.values()].map((d) => d.local.length)));
  const pool = byDomain.size > 0 ? new WorkerPool(threads) : undefined;
  const addon = loadAddon();
  const partials: PartialEntry[] = [];
  try {
    for (const [di, share] of [...byDomain.entries()].sort((a, b) => a[0] - b[0])) {
      cancel.check();
      debugPhase('task-count');
      const plan = plans[di]!;
      const name = partialName(o.taskIndex, di);
      const tmpOut = path.join(tmpDir, name);
      const meta = partialMeta(fingerprint, o.taskIndex, di);
      await countDomainShare(pool!, plan, share.local, { ...v, threads, unigramsOnly, tmpDir: scratch }, tmpOut, meta, cancel);
      cancel.check();
      const info = addon.readPartialInfo(tmpOut);
      const final = path.join(dir, name);
      renameSync(tmpOut, final);
      const entry: PartialEntry = {
        domain: plan.name,
        domainIndex: di,
        file: name,
        bytes: statSync(final).size,
        chunks: share.range,
        tokens: info.tokens,
        documents: info.documents,
        bigramTotal: info.bigramTotal,
      };
      partials.push(entry);
      o.onLog?.(`task ${o.taskIndex}/${o.taskCount}: ${plan.name}: ${share.local.length} chunks, ${info.tokens} tokens -> ${final}`);
    }
  } finally {
    await pool?.close();
    if (scratch !== tmpDir) removeOwnedDir(scratch);
    removeOwnedDir(tmpDir);
  }
  cancel.check();
  const manifest: TaskManifest = {
    schema: MANIFEST_SCHEMA,
    tool: { ...TOOL },
    partialFormatVersion: formatVersion,
    fingerprint,
    task: { index: o.taskIndex, count: o.taskCount },
    config,
    chunks: { total: all.length, ranges },
    partials,
    finishedAt: new Date().toISOString(),
  };
  await writeFileAtomic(manifestPath, `${JSON.stringify(withSchemaRef('manifest', manifest), null, 2)}\n`);
  if (partials.length === 0) o.onLog?.(`task ${o.taskIndex}/${o.taskCount}: no chunks assigned (more tasks than chunks)`);
  o.onLog?.(`task ${o.taskIndex}/${o.taskCount}: finished -> ${manifestPath}`);
  return { skipped: false, manifestPath, manifest };
}
