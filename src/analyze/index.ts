/**
 * The analyze pipeline, top to bottom: validate the options, plan the domains into chunks,
 * count and reduce them on the worker pool, embed for VNE when asked, build the report.
 * This file is also the room's public API.
 */
import os from 'node:os';
import { refuseOutputAmongInputs } from '../util/out-path.js';
import { WorkerPool } from '../exec/pool.js';
import { RunCancel } from '../exec/cancel.js';
import { createOwnedDir, leftoverNote, removeOwnedDir, sweepDeadOwners } from '../exec/temp-dirs.js';
import { debugPhase } from '../util/debug-phase.js';
import type { SubsampleTable } from '../stats/subsample.js';
import type { AnalysisReport } from '../report.js';
import { reductionOf, sampleTable } from './sampled.js';
import { usefulThreads, validateAnalyzeOptions, type AnalyzeOptions, type ValidatedOptions } from './options.js';
import { planDomains, planInputFiles } from './plan.js';
import { countDomains } from './run.js';
import { buildReport } from './report.js';
import { vneByDomain, type VneSettings } from './vne.js';

export { defaultMemoryBytes, usefulThreads, validateAnalyzeOptions, MAX_MEMORY_BYTES, MAX_THREADS, type AnalyzeOptions, type ProgressEvent, type ValidatedOptions } from './options.js';
export { planDomains, planInputFiles, probeSource, type DomainPlan } from './plan.js';
export { countDomains, type DomainCounts } from './run.js';
export { buildReport, domainReport, proxyEntropies, sampledDomainReport } from './report.js';
export { vneByDomain, type VneSettings } from './vne.js';

/** Analyzes every domain and returns the report (schema bimix.analysis/1). */
export async function analyze(options: AnalyzeOptions): Promise<AnalysisReport> {
  return (await run(options, false)).report;
}

/**
 * Counts the whole corpus and the sample `options.sample` in one pass: the full report, and
 * the sampled report exactly as `analyze` with that sample gives it (for baselines).
 */
export async function analyzeFullAndSampled(options: AnalyzeOptions & { sample: { fraction: number; seed: number } }): Promise<{ full: AnalysisReport; sampled: AnalysisReport }> {
  const r = await run(options, true);
  return { full: r.report, sampled: r.sampled! };
}

async function run(options: AnalyzeOptions, withFull: boolean): Promise<{ report: AnalysisReport; sampled?: AnalysisReport }> {
  const v = validateAnalyzeOptions(options);
  const cancel = new RunCancel(options.signal);
  try {
    return await analyzeValidated(options, v, cancel, withFull);
  } finally {
    cancel.dispose();
  }
}

async function analyzeValidated(
  options: AnalyzeOptions,
  v: ValidatedOptions,
  cancel: RunCancel,
  withFull: boolean,
): Promise<{ report: AnalysisReport; sampled?: AnalysisReport }> {
  debugPhase('plan');
  const plans = await planDomains(options.domains, options.baseDir ?? process.cwd(), v.chunkBytes);
  // Threads beyond the chunks of the largest domain would only sit idle.
  v.threads = usefulThreads(v.threads, plans);
  const inputs = [...planInputFiles(plans), ...Object.values(options.embeddings ?? {})];
  for (const [option, file] of Object.entries(options.outputs ?? {})) refuseOutputAmongInputs(option, file, inputs);
  cancel.check();
  const tmpRoot = options.tmpDir ?? os.tmpdir();
  const note = leftoverNote(sweepDeadOwners(tmpRoot));
  if (note) options.onNote?.(note);
  const tmpDir = createOwnedDir(tmpRoot);
  const pool = new WorkerPool(v.threads);
  try {
    const reductions = await countDomains(
      plans,
      pool,
      {
        threads: v.threads,
        memoryBytes: v.memoryBytes,
        simd: v.simd,
        unigramsOnly: options.unigramsOnly ?? false,
        tmpDir,
        ...(options.sample ? { sample: { ...options.sample, withFull } } : {}),
      },
      options.onProgress,
      cancel,
    );
    const wantVne = v.proxy === 'vne' || options.vne !== undefined && options.vne !== false || options.embeddings !== undefined;
    let vne: { value: number; samples: number }[] | undefined;
    let vneSettings: (VneSettings & { embeddings?: Record<string, string> }) | undefined;
    if (wantVne) {
      const s = typeof options.vne === 'object' ? options.vne : {};
      const settings: VneSettings = { dims: s.dims ?? 256, samples: s.samples ?? 2048, window: s.window ?? 512, seed: s.seed ?? 0 };
      vneSettings = { ...settings, ...(options.embeddings ? { embeddings: options.embeddings } : {}) };
      vne = await vneByDomain(plans, pool, v.threads, settings, options.embeddings ?? {}, cancel);
    }
    cancel.check();
    const o = { ...options, ...v, ...(vne ? { vneValues: vne.map((x) => x.value), vneSamples: vne.map((x) => x.samples), vneSettings } : {}) };
    if (!withFull || !options.sample) return { report: buildReport(plans, reductions, o) };
    const tables = reductions as SubsampleTable[];
    const plan = { ...options.sample, withFull };
    const { sample: _s, ...fullOptions } = o;
    return {
      report: buildReport(plans, tables.map((t) => reductionOf(t.whole[0]!)), fullOptions),
      sampled: buildReport(plans, tables.map((t) => sampleTable(t, plan)), o),
    };
  } finally {
    await pool.close();
    removeOwnedDir(tmpDir);
  }
}
