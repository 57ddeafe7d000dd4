/**
 * The reduce step of a multi-task run: validates every task's manifest and
 * partials, merges each domain's partials exactly in the worker pool, and builds
 * the report with the same builder `analyze` uses, so the result is identical.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { validateAnalyzeOptions, type AnalyzeOptions } from './options.js';
import { buildReport } from './report.js';
import type { DomainPlan } from './plan.js';
import { loadAddon, type NativeReduction } from '../engine/native.js';
import { BimixError, isBimixError } from '../errors.js';
import type { AnalysisReport } from '../report.js';
import { defaultThreads, WorkerPool } from '../exec/pool.js';
import type { MergeTask } from '../exec/protocol.js';
import { RunCancel } from '../exec/cancel.js';
import { debugPhase } from '../util/debug-phase.js';
import { assignTasks, globalChunks, taskRanges } from '../exec/slurm/assign.js';
import { configFingerprint, describeConfigDifference, listManifests, partialMeta, partialPath, readManifest, type TaskManifest } from '../exec/slurm/partials.js';

export interface MergeOptions extends Pick<AnalyzeOptions, 'base' | 'proxy' | 'temperature' | 'min' | 'max' | 'threads' | 'signal'> {
  partialDir: string;
}

/** Manifests that passed validation, with the shared configuration. */
export interface ValidatedPartials {
  manifests: TaskManifest[];
  /** Absolute paths of the partials of each domain, in task order. */
  inputs: string[][];
}

const MAX_LISTED = 20;

function fail(dir: string, problems: string[]): never {
  const shown = problems.slice(0, MAX_LISTED).map((p) => `  - ${p}`);
  if (problems.length > MAX_LISTED) shown.push(`  - ... and ${problems.length - MAX_LISTED} more`);
  throw new BimixError('E_STATE', `the partials in ${dir} cannot be merged:\n${shown.join('\n')}`);
}

/**
 * Checks that the folder holds exactly one finished task per index of one
 * configuration, in this build's partial format, covering every chunk once,
 * with every partial present, whole and belonging to its task.
 */
export function validatePartials(partialDir: string): ValidatedPartials {
  const dir = path.resolve(partialDir);
  const names = listManifests(dir);
  if (names.length === 0) throw new BimixError('E_STATE', `no task manifests (task-NNNNN.manifest.json) in ${dir}: run \`bimix count\` first`);
  const addon = loadAddon();
  const formatVersion = addon.kernelInfo().partialFormatVersion;
  const problems: string[] = [];
  const read: { name: string; m: TaskManifest }[] = [];
  for (const name of names) {
    try {
      const m = readManifest(path.join(dir, name));
      if (m.partialFormatVersion !== formatVersion) {
        problems.push(`${name}: written in partial format v${m.partialFormatVersion} by ${m.tool.name} ${m.tool.version}; this bimix reads v${formatVersion} (recount with this version)`);
        continue;
      }
      const expected = configFingerprint(m.config, m.partialFormatVersion);
      if (m.fingerprint !== expected) {
        problems.push(`${name}: fingerprint does not match its configuration (edited or corrupt manifest)`);
        continue;
      }
      read.push({ name, m });
    } catch (e) {
      if (!isBimixError(e)) throw e;
      problems.push(`${name}: ${e.detail}`);
    }
  }
  if (read.length === 0) fail(dir, problems);

  // The configuration most manifests agree on is the reference; the others are foreign.
  const groups = new Map<string, { name: string; m: TaskManifest }[]>();
  for (const r of read) groups.set(r.m.fingerprint, [...(groups.get(r.m.fingerprint) ?? []), r]);
  const ranked = [...groups.values()].sort((a, b) => b.length - a.length || a[0]!.name.localeCompare(b[0]!.name));
  const ref = ranked[0]!;
  const cfg = ref[0]!.m.config;
  for (const g of ranked.slice(1)) {
    for (const r of g) problems.push(`${r.name}: from another configuration (${describeConfigDifference(cfg, r.m.config)})`);
  }

  // One manifest per task index.
  const N = cfg.taskCount;
  const byIndex = new Map<number, { name: string; m: TaskManifest }>();
  for (const r of ref) {
    const i = r.m.task.index;
    if (i < 0 || i >= N || r.m.task.count !== N) {
      problems.push(`${r.name}: task ${i} of ${r.m.task.count} does not fit a run of ${N} tasks`);
      continue;
    }
    const other = byIndex.get(i);
    if (other) problems.push(`${r.name}: duplicate of task ${i} (also ${other.name})`);
    else byIndex.set(i, r);
  }
  const missing: number[] = [];
  for (let i = 0; i < N; i++) if (!byIndex.has(i)) missing.push(i);
  if (missing.length > 0) {
    const list = missing.slice(0, MAX_LISTED).map((i) => `task-${String(i).padStart(5, '0')}.manifest.json`);
    problems.push(`no usable manifest for ${missing.length} of ${N} tasks (not run, unfinished, or refused above): ${list.join(', ')}${missing.length > MAX_LISTED ? ', ...' : ''}; rerun \`bimix count --task-index I\` (or \`bimix slurm\` again) for them`);
  }

  // Coverage: each task must cover exactly its deterministic share, and each partial its domain's part of it.
  const all = globalChunks(cfg.domains, cfg.chunkBytes);
  const owner = assignTasks(all.map((c) => c.bytes), N);
  const inputs: string[][] = cfg.domains.map(() => []);
  for (const [i, r] of [...byIndex.entries()].sort((a, b) => a[0] - b[0])) {
    const want = JSON.stringify(taskRanges(owner, i));
    if (JSON.stringify(r.m.chunks.ranges) !== want || r.m.chunks.total !== all.length) {
      problems.push(`${r.name}: covers chunks ${JSON.stringify(r.m.chunks.ranges)} of ${r.m.chunks.total}, expected ${want} of ${all.length}`);
      continue;
    }
    const covered = new Uint8Array(all.length);
    for (const p of r.m.partials) {
      const where = `${p.file} (task ${i}, domain ${p.domain})`;
      let file: string;
      try {
        file = partialPath(dir, p.file);
      } catch (e) {
        problems.push(`${r.name}: ${(e as BimixError).detail}`);
        continue;
      }
      if (p.domainIndex < 0 || p.domainIndex >= cfg.domains.length || cfg.domains[p.domainIndex]!.name !== p.domain) {
        problems.push(`${where}: names an unknown domain`);
        continue;
      }
      for (let g = p.chunks[0]; g < p.chunks[1]; g++) {
        if (g < 0 || g >= all.length || all[g]!.domainIndex !== p.domainIndex || covered[g]) {
          problems.push(`${where}: chunk ${g} is outside its domain or counted twice`);
          break;
        }
        covered[g] = 1;
      }
      const st = statSync(file, { throwIfNoEntry: false });
      if (!st) {
        problems.push(`${where}: missing partial ${file}`);
        continue;
      }
      if (st.size !== p.bytes) {
        problems.push(`${where}: ${st.size < p.bytes ? 'truncated' : 'changed'}: ${st.size} bytes, the manifest says ${p.bytes}`);
        continue;
      }
      try {
        const info = addon.readPartialInfo(file);
        if (info.meta !== partialMeta(r.m.fingerprint, i, p.domainIndex)) {
          problems.push(`${where}: the file belongs to another task or run (a copy or duplicate?): meta ${info.meta}`);
          continue;
        }
        if (info.tokens !== p.tokens || info.documents !== p.documents || info.bigramTotal !== p.bigramTotal) {
          problems.push(`${where}: counts differ from the manifest`);
          continue;
        }
      } catch (e) {
        if (!isBimixError(e)) throw e;
        problems.push(`${where}: ${e.detail}`);
        continue;
      }
      inputs[p.domainIndex]!.push(file);
    }
    for (const [a, b] of taskRanges(owner, i)) {
      for (let g = a; g < b; g++) {
        if (!covered[g]) {
          problems.push(`${r.name}: chunk ${g} of domain ${cfg.domains[all[g]!.domainIndex]!.name} is in no partial`);
          break;
        }
      }
    }
  }
  if (problems.length > 0) fail(dir, problems);
  return { manifests: [...byIndex.values()].map((r) => r.m), inputs };
}

/** Merges the partials of a finished multi-task run into the analysis report. */
export async function mergePartialDir(o: MergeOptions): Promise<AnalysisReport> {
  if (o.proxy === 'vne') throw new BimixError('E_USAGE', '--proxy vne is not available with count/merge: partials carry counts, not the embedding sample VNE needs; use bimix analyze');
  debugPhase('merge-validate');
  const checked = validatePartials(o.partialDir);
  const cfg = checked.manifests[0]!.config;
  const v = validateAnalyzeOptions({
    domains: [],
    threads: o.threads ?? Math.min(defaultThreads(), cfg.domains.length),
    ...(o.base !== undefined ? { base: o.base } : {}),
    ...(o.proxy !== undefined ? { proxy: o.proxy } : cfg.unigramsOnly ? { proxy: 'shannon' as const } : {}),
    ...(o.temperature !== undefined ? { temperature: o.temperature } : {}),
    ...(cfg.unigramsOnly ? { unigramsOnly: true } : {}),
  });
  const cancel = new RunCancel(o.signal);
  let reductions: NativeReduction[];
  try {
    cancel.check();
    debugPhase('merge');
    const pool = new WorkerPool(v.threads);
    try {
      reductions = await cancel.settle(
        checked.inputs.map((inputs) => {
          const task: MergeTask = { kind: 'merge', inputs, reduce: true, cancel: cancel.slot };
          return pool.run<NativeReduction>(task);
        }),
      );
    } finally {
      await pool.close();
    }
  } finally {
    cancel.dispose();
  }
  const plans: Pick<DomainPlan, 'name' | 'files' | 'spec'>[] = cfg.domains.map((d) => ({ name: d.name, spec: d.spec, files: d.files }));
  return buildReport(plans, reductions, {
    base: v.base,
    proxy: v.proxy,
    temperature: v.temperature,
    ...(o.min ? { min: o.min } : {}),
    ...(o.max ? { max: o.max } : {}),
    ...(cfg.unigramsOnly ? { unigramsOnly: true } : {}),
  });
}
