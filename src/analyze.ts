/** `analyze`: exact per-domain statistics and the entropy-driven mixture. */
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BimixError, optionError } from './errors.js';
import { loadAddon, type NativeReduction } from './engine/native.js';
import { flattenChunks, planDomains, planInputFiles, DEFAULT_CHUNK_BYTES, type DomainPlan } from './corpus/plan.js';
import { refuseOutputAmongInputs } from './util/out-path.js';
import type { DomainSpec } from './corpus/types.js';
import { WorkerPool, defaultThreads } from './exec/pool.js';
import type { CountResult, CountTask, EmbedResult, EmbedTask, MergeTask } from './exec/protocol.js';
import { mergeBottomK } from './exec/count-step.js';
import { readEmbeddingsNpy, vneFromVectors } from './stats/vne.js';
import { entropiesFromCounts, type EntropySet } from './stats/entropy.js';
import { decodeSubsamples, tableOf, type SubsampleTable } from './stats/subsample.js';
import { corpusEstimateOf, reductionOf, sampleCountConfig, sampleReduceOptions, mixtureIntervals, mixtureWarnings, sampleSizeWarnings, sampleTable, SAMPLE_GROUPS, SAMPLE_HALVINGS, type SamplePlan } from './sampled.js';
import { mixtureFromEntropies, PROXIES, type Proxy } from './stats/mixture.js';
import { ANALYSIS_SCHEMA, type AnalysisReport, type DomainReport, type Interval } from './report.js';
import { domainWarnings, type ReportWarning } from './report-warnings.js';
import { TOOL } from './version.js';
import { RunCancel } from './exec/cancel.js';
import { createOwnedDir, leftoverNote, removeOwnedDir, sweepDeadOwners } from './exec/temp-dirs.js';
import { debugPhase } from './util/debug-phase.js';

/** Progress of one domain, as reported while counting. */
export interface ProgressEvent {
  domain: string;
  domainIndex: number;
  domains: number;
  tokensDone: number;
  tokensTotal: number;
  bytesDone: number;
  elapsedMs: number;
}

export interface AnalyzeOptions {
  domains: DomainSpec[];
  /** Folder relative globs resolve against (default: cwd). */
  baseDir?: string;
  threads?: number;
  /** Memory budget for counting tables, in bytes (all threads together). */
  memoryBytes?: number;
  chunkBytes?: number;
  base?: 'e' | '2';
  proxy?: Proxy;
  temperature?: number;
  min?: Record<string, number>;
  max?: Record<string, number>;
  /** Force a SIMD variant ("scalar", "avx2"); default from BIMIX_SIMD or the CPU. */
  simd?: string;
  unigramsOnly?: boolean;
  /**
   * Sampled mode: analyze a deterministic, seeded sample of whole documents (each kept
   * with probability `fraction`) and report estimates of the whole corpus's entropies
   * with jackknife intervals.
   */
  sample?: { fraction: number; seed: number };
  /**
   * The VNE proxy: embed `samples` windows of `window` tokens per domain (defaults 2048 and
   * 512), their starts sampled uniformly over token positions with `seed`, in `dims`
   * dimensions (default 256). On when the proxy is "vne".
   */
  vne?: boolean | { dims?: number; samples?: number; window?: number; seed?: number };
  /** Per-domain float32 N x d .npy embeddings from a real model, used for VNE instead. */
  embeddings?: Record<string, string>;
  /** Folder for temporary partial files and spills (default: the OS temp folder). */
  tmpDir?: string;
  onProgress?: (p: ProgressEvent) => void;
  /** Notes (such as leftovers of dead runs removed from the temporary folder); default: none. */
  onNote?: (line: string) => void;
  /** Aborting stops the run within a fraction of a second with E_INTERRUPTED; temporary files are removed. */
  signal?: AbortSignal;
  /**
   * Files the caller will write, by option name (e.g. `{ '--out': 'report.json' }`): one that
   * is also an input is refused (E_USAGE) after planning, before any counting.
   */
  outputs?: Record<string, string>;
}

/** Most worker threads a run may ask for (a run never starts more than it has chunks). */
export const MAX_THREADS = 1024;

/** Largest memory budget accepted: far beyond any machine, far below where byte counts stop being exact doubles. */
export const MAX_MEMORY_BYTES = 2 ** 50;

/** Workers worth starting: no more than the largest domain has chunks. */
export function usefulThreads(threads: number, plans: Pick<DomainPlan, 'chunks'>[]): number {
  return Math.max(1, Math.min(threads, Math.max(0, ...plans.map((p) => p.chunks.length))));
}

/** The default memory budget: 40% of physical memory. */
export function defaultMemoryBytes(): number {
  return Math.floor(os.totalmem() * 0.4);
}

function validate(o: AnalyzeOptions): Required<Pick<AnalyzeOptions, 'threads' | 'memoryBytes' | 'chunkBytes' | 'base' | 'proxy' | 'temperature' | 'simd'>> {
  const threads = o.threads ?? defaultThreads();
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) throw optionError('--threads', `a whole number from 1 to ${MAX_THREADS}`, threads);
  const memoryBytes = o.memoryBytes ?? defaultMemoryBytes();
  if (!Number.isFinite(memoryBytes) || memoryBytes < threads * 8 * 1024 * 1024) {
    throw optionError('--memory', `at least 8MB per thread (${threads * 8}MB for ${threads} threads)`, memoryBytes);
  }
  if (memoryBytes > MAX_MEMORY_BYTES) throw optionError('--memory', 'at most 1PB (1125899906842624 bytes)', memoryBytes);
  const chunkBytes = o.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1) throw optionError('chunkBytes', 'a positive whole number', chunkBytes);
  const base = o.base ?? 'e';
  if (base !== 'e' && base !== '2') throw optionError('--base', 'e|2', base);
  // --unigrams-only alone selects the one entropy it measures.
  const proxy = o.proxy ?? (o.unigramsOnly ? 'shannon' : 'conditional');
  if (!PROXIES.includes(proxy)) throw optionError('--proxy', PROXIES.join('|'), proxy);
  const temperature = o.temperature ?? 1;
  if (!(temperature > 0)) throw optionError('--temperature', 'a number > 0', temperature);
  if (o.unigramsOnly && proxy !== 'shannon') throw optionError('--proxy', 'shannon with --unigrams-only', proxy);
  if (o.sample) {
    const { fraction, seed } = o.sample;
    if (!(fraction > 0 && fraction <= 1)) throw optionError('--sample', 'a fraction in (0, 1]', fraction);
    if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 32 - 1) throw optionError('--seed', 'a whole number from 0 to 4294967295', seed);
    if (o.unigramsOnly) throw new BimixError('E_USAGE', '--sample does not combine with --unigrams-only');
  }
  const simd = o.simd ?? process.env.BIMIX_SIMD ?? 'auto';
  if (!['auto', 'scalar', 'avx2'].includes(simd)) throw optionError('BIMIX_SIMD', 'auto|scalar|avx2', simd);
  return { threads, memoryBytes, chunkBytes, base, proxy, temperature, simd };
}

/** Counts every domain with a worker pool and reduces each to its exact statistics. */
export async function countDomains(
  plans: DomainPlan[],
  pool: WorkerPool,
  cfg: { threads: number; memoryBytes: number; simd: string; unigramsOnly: boolean; tmpDir: string; sample?: SamplePlan },
  onProgress?: (p: ProgressEvent) => void,
  cancel: RunCancel = new RunCancel(),
): Promise<DomainCounts[]> {
  const results: DomainCounts[] = [];
  for (let di = 0; di < plans.length; di++) {
    cancel.check();
    debugPhase(cfg.sample ? 'count-sampled' : 'count');
    const plan = plans[di]!;
    const chunks = flattenChunks(plan.chunks);
    const claim = new SharedArrayBuffer(4);
    const progress = new SharedArrayBuffer(16);
    const tasks = Math.max(1, Math.min(cfg.threads, plan.chunks.length));
    const started = Date.now();
    const progressView = new BigInt64Array(progress);
    const tick = () =>
      onProgress?.({
        domain: plan.name,
        domainIndex: di,
        domains: plans.length,
        tokensDone: Number(Atomics.load(progressView, 0)),
        tokensTotal: plan.tokenPositions,
        bytesDone: Number(Atomics.load(progressView, 1)),
        elapsedMs: Date.now() - started,
      });
    const timer = onProgress ? setInterval(tick, 250) : undefined;
    const outs: string[] = [];
    // Exact counts stay in memory between the count and merge tasks, registered in
    // the addon under one name per domain; the sampled mode's grouped counts go
    // through partial-state files.
    const inMemory = !cfg.sample;
    const registered = inMemory ? `domain-${process.pid}-${++registrySeq}` : undefined;
    try {
      const runs: Promise<CountResult>[] = [];
      for (let t = 0; t < tasks; t++) {
        const out = inMemory ? '' : path.join(cfg.tmpDir, `d${di}-t${t}.bimixps`);
        if (!inMemory) outs.push(out);
        const task: CountTask = {
          kind: 'count',
          sources: plan.sources,
          files: plan.files,
          docEnds: plan.docEnds,
          chunks,
          claim,
          progress,
          config: {
            memoryBytes: Math.floor(cfg.memoryBytes / cfg.threads),
            spillDir: cfg.tmpDir,
            simd: cfg.simd,
            ...(registered !== undefined ? { layout: registered } : {}),
            vocab: plan.spec.read.vocab ?? 0,
            unigramsOnly: cfg.unigramsOnly,
            ...(cfg.sample ? sampleCountConfig(cfg.sample) : {}),
            cancel: cancel.slot,
          },
          out,
          meta: JSON.stringify({ domain: plan.name, task: t }),
          ...(registered !== undefined ? { register: registered } : {}),
          cancel: cancel.slot,
        };
        runs.push(pool.run<CountResult>(task));
      }
      const counted = await cancel.settle(runs);
      if (registered !== undefined) {
        results.push(await reduceInMemory(pool, registered, cfg.threads, counted.some((c) => (c.spills ?? 0) > 0), cancel));
      } else {
        debugPhase(cfg.sample ? 'bootstrap' : 'merge');
        const merge: MergeTask = {
          kind: 'merge',
          inputs: outs,
          reduce: true,
          ...(cfg.sample ? { grouped: sampleReduceOptions(cfg.sample) } : {}),
          cancel: cancel.slot,
        };
        const merged = (await cancel.settle([pool.run<NativeReduction | Float64Array>(merge)]))[0]!;
        results.push(merged instanceof Float64Array ? tableOf(decodeSubsamples(merged)) : merged);
      }
      tick();
    } finally {
      if (timer) clearInterval(timer);
      if (registered !== undefined) loadAddon().discardRegistered(registered);
      for (const o of outs) rmSync(o, { force: true });
    }
  }
  return results;
}

/** Makes the names domains' counts are registered under unique within the process. */
let registrySeq = 0;

/**
 * Reduces the counts registered under a domain's name with one native call, on
 * `threads` native threads (through partial-state files when a worker spilled).
 */
async function reduceInMemory(pool: WorkerPool, name: string, threads: number, spilled: boolean, cancel: RunCancel): Promise<NativeReduction> {
  debugPhase(spilled ? 'spill-merge' : 'reduce');
  const task: MergeTask = { kind: 'merge', inputs: [], registered: name, threads, reduce: true, cancel: cancel.slot };
  return (await cancel.settle([pool.run<NativeReduction>(task)]))[0]!;
}

/** What counting a domain yields: an exact reduction, or (sampled mode) the histograms of its subsamples. */
export type DomainCounts = NativeReduction | SubsampleTable;

/** The counts and entropies (nats) a domain's report entry is made of. */
interface DomainNumbers {
  tokens: number;
  documents: number;
  unigramDistinct: number;
  bigramTotal: number;
  bigramDistinct: number;
  plugIn: EntropySet;
  millerMadow: EntropySet;
}

function domainEntry(plan: Pick<DomainPlan, 'name' | 'files'>, n: DomainNumbers, base: 'e' | '2', unigramsOnly = false): DomainReport {
  const k = base === '2' ? 1 / Math.LN2 : 1;
  // Without bigram counts the bigram measures are absent (null), not zero.
  const scaled = (e: EntropySet) => ({ shannon: e.shannon * k, joint: unigramsOnly ? null : e.joint * k, conditional: unigramsOnly ? null : e.conditional * k });
  return {
    name: plan.name,
    files: plan.files.map((f) => ({ ...f })),
    tokens: n.tokens,
    documents: n.documents,
    unigrams: { distinct: n.unigramDistinct },
    bigrams: unigramsOnly ? { total: null, distinct: null } : { total: n.bigramTotal, distinct: n.bigramDistinct },
    entropy: scaled(n.plugIn),
    millerMadow: scaled(n.millerMadow),
  };
}

/**
 * Builds a sampled domain's entry: the sample's counts and plug-in entropies, and the
 * whole corpus's estimates with their jackknife intervals.
 */
export function sampledDomainReport(plan: Pick<DomainPlan, 'name' | 'files'>, table: SubsampleTable, base: 'e' | '2', fraction: number): DomainReport {
  return { ...domainReport(plan, reductionOf(table.whole[0]!), base), ...corpusEstimateOf(table, fraction, base) };
}

/** A sampled domain with its whole-corpus estimates in place of the sample's entropies. */
function withEstimates(d: DomainReport): DomainReport {
  return d.estimate ? { ...d, entropy: { ...d.entropy, shannon: d.estimate.shannon, joint: d.estimate.joint, conditional: d.estimate.conditional } } : d;
}

/** Builds a domain's report entry from its exact reduction. */
export function domainReport(plan: Pick<DomainPlan, 'name' | 'files'>, red: NativeReduction, base: 'e' | '2'): DomainReport {
  return domainEntry(plan, { ...red, ...entropiesFromCounts(red) }, base, red.unigramsOnly);
}

/**
 * Entropies in nats of the chosen proxy, per domain, from a report. A proxy the report
 * does not hold (a bigram entropy of a --unigrams-only report, VNE not computed) is a
 * usage error, never a zero.
 */
export function proxyEntropies(report: Pick<AnalysisReport, 'base' | 'domains' | 'unigramsOnly'>, proxy: Proxy): Record<string, number> {
  const toNats = report.base === '2' ? Math.LN2 : 1;
  const out: Record<string, number> = {};
  // Reports written before bigram entropies became null stored 0 for them: the flag tells.
  if (report.unigramsOnly && (proxy === 'joint' || proxy === 'conditional')) {
    throw new BimixError('E_USAGE', `--proxy ${proxy}: the report was made with --unigrams-only and has no ${proxy} entropy; use --proxy shannon`);
  }
  for (const d of report.domains) {
    const v = d.entropy[proxy];
    if (v === undefined || v === null) {
      throw new BimixError('E_USAGE', `--proxy ${proxy}: domain ${d.name} has no ${proxy} entropy in this report${proxy === 'vne' ? ' (analyze with --vne)' : ''}`);
    }
    out[d.name] = v * toNats;
  }
  return out;
}

/**
 * Assembles the report from plans and their exact reductions. Every executor
 * (analyze, Slurm merge) goes through here, so equal counts give equal reports.
 */
export function buildReport(
  plans: Pick<DomainPlan, 'name' | 'files' | 'spec'>[],
  reductions: DomainCounts[],
  o: Pick<AnalyzeOptions, 'min' | 'max' | 'unigramsOnly' | 'sample'> & {
    base: 'e' | '2';
    proxy: Proxy;
    temperature: number;
    /** VNE per domain in nats, when computed, and the number of vectors behind each. */
    vneValues?: (number | undefined)[];
    vneSamples?: number[];
    vneSettings?: VneSettings & { embeddings?: Record<string, string> };
  },
): AnalysisReport {
  const warnings: ReportWarning[] = [];
  const domains = plans.map((p, i) => {
    const r = reductions[i]!;
    let d: DomainReport;
    if ('whole' in r) {
      if (!o.sample) throw new BimixError('E_STATE', 'sampled counts without sample options');
      d = sampledDomainReport(p, r, o.base, o.sample.fraction);
      warnings.push(...domainWarnings({ name: p.name, files: p.files, read: p.spec.read, tokens: d.tokens, documents: d.documents }));
    } else {
      // Separators alone carry no text: an entropy of 0 would win a mixture share.
      if (r.tokens === 0) throw new BimixError('E_EMPTY', `domain ${p.name} holds only separator tokens${r.separators >= 0 ? ` (${r.separators})` : ''}; nothing to measure`);
      d = domainReport(p, r, o.base);
      warnings.push(
        ...domainWarnings({
          name: p.name,
          files: p.files,
          read: p.spec.read,
          tokens: r.tokens,
          documents: r.documents,
          ...(r.separators >= 0 ? { separators: r.separators } : {}),
          unigramDistinct: r.unigramDistinct,
          ...(r.maxId !== undefined ? { maxId: r.maxId } : {}),
        }),
      );
    }
    const vne = o.vneValues?.[i];
    if (vne !== undefined) d.entropy.vne = o.base === '2' ? vne / Math.LN2 : vne;
    return d;
  });
  const mix = (entropies: Record<string, number>) =>
    mixtureFromEntropies(entropies, {
      proxy: o.proxy,
      temperature: o.temperature,
      ...(o.min ? { min: o.min } : {}),
      ...(o.max ? { max: o.max } : {}),
    });
  // Sampled mode mixes the whole corpus's estimates, not the sample's biased-low values.
  const sampled = o.sample !== undefined && reductions.every((r) => 'whole' in r);
  const mixture = mix(proxyEntropies({ base: o.base, domains: sampled ? domains.map(withEstimates) : domains, ...(o.unigramsOnly ? { unigramsOnly: true } : {}) }, o.proxy));
  let mixtureIv: Record<string, Interval> | undefined;
  if (sampled && o.proxy !== 'vne') {
    const tables = Object.fromEntries(plans.map((p, i) => [p.name, reductions[i] as SubsampleTable]));
    mixtureIv = mixtureIntervals(tables, o.sample!.fraction, o.proxy as 'conditional', mixture, mix);
  }
  warnings.push(...(sampled ? sampleSizeWarnings(domains) : []), ...(mixtureIv ? mixtureWarnings(mixtureIv) : []));
  let vneReport: AnalysisReport['vne'];
  if (o.vneSettings && o.vneSamples) {
    const s = o.vneSettings;
    const samples = Object.fromEntries(plans.map((p, i) => [p.name, o.vneSamples![i]!]));
    vneReport = { window: s.window, dims: s.dims, seed: s.seed, target: s.samples, samples };
    for (const p of plans) {
      if (s.embeddings?.[p.name] !== undefined) continue;
      if (samples[p.name]! < s.samples) {
        warnings.push({
          code: 'W_VNE_FEW_WINDOWS',
          domain: p.name,
          message: `VNE of ${p.name} comes from ${samples[p.name]} windows of ${s.window} tokens, fewer than the ${s.samples} of the target: it is not comparable with the other domains' (the domain is too small; lower --vne-samples for all)`,
        });
      }
    }
  }
  return {
    schema: ANALYSIS_SCHEMA,
    tool: { ...TOOL },
    base: o.base,
    options: {
      proxy: o.proxy,
      temperature: o.temperature,
      domains: plans.map((p) => ({ name: p.name, globs: p.spec.globs, ...p.spec.read })),
      ...(o.unigramsOnly ? { unigramsOnly: true } : {}),
      ...(o.vneSettings ? { vne: o.vneSettings } : {}),
    },
    ...(o.sample ? { sample: { fraction: o.sample.fraction, seed: o.sample.seed, groups: SAMPLE_GROUPS, halvings: SAMPLE_HALVINGS } } : {}),
    ...(o.unigramsOnly ? { unigramsOnly: true } : {}),
    domains,
    mixture,
    ...(mixtureIv ? { mixtureIntervals: mixtureIv } : {}),
    ...(vneReport ? { vne: vneReport } : {}),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

/** Validates options and fills defaults (threads, memory, chunk size, base, proxy, temperature, SIMD). */
export const validateAnalyzeOptions = validate;

/** How the VNE proxy samples and embeds: `samples` windows of `window` tokens per domain in `dims` dimensions. */
export interface VneSettings {
  dims: number;
  samples: number;
  window: number;
  seed: number;
}

/** The VNE of each domain (nats) and how many vectors it came from: user embeddings when given, else seeded windows. */
export async function vneByDomain(
  plans: DomainPlan[],
  pool: WorkerPool,
  threads: number,
  s: VneSettings,
  embeddings: Record<string, string>,
  cancel: RunCancel = new RunCancel(),
): Promise<{ value: number; samples: number }[]> {
  for (const name of Object.keys(embeddings)) {
    if (!plans.some((p) => p.name === name)) throw optionError('--embeddings', `a domain among ${plans.map((p) => p.name).join(', ')}`, name);
  }
  if (!Number.isInteger(s.dims) || s.dims < 1 || s.dims > 4096) throw optionError('--vne-dims', 'a whole number from 1 to 4096', s.dims);
  if (!Number.isInteger(s.samples) || s.samples < 2 || s.samples > 10_000_000) throw optionError('--vne-samples', 'a whole number from 2 to 10000000', s.samples);
  if (!Number.isInteger(s.window) || s.window < 1 || s.window > 1 << 24) throw optionError('--vne-window', 'a whole number of tokens from 1 to 16777216', s.window);
  const out: { value: number; samples: number }[] = [];
  for (const plan of plans) {
    cancel.check();
    debugPhase('vne');
    const file = embeddings[plan.name];
    if (file) {
      const e = readEmbeddingsNpy(file);
      out.push({ value: vneFromVectors(e.vectors, e.rows, e.dims), samples: e.rows });
      continue;
    }
    const claim = new SharedArrayBuffer(4);
    const chunks = flattenChunks(plan.chunks);
    const tasks = Math.max(1, Math.min(threads, plan.chunks.length));
    const runs: Promise<EmbedResult>[] = [];
    for (let t = 0; t < tasks; t++) {
      const task: EmbedTask = { kind: 'embed', sources: plan.sources, files: plan.files, docEnds: plan.docEnds, chunks, claim, seed: s.seed, dims: s.dims, samples: s.samples, window: s.window, cancel: cancel.slot };
      runs.push(pool.run<EmbedResult>(task));
    }
    let kept: EmbedResult = { hashes: new BigUint64Array(0), vectors: new Float64Array(0) };
    for (const r of await cancel.settle(runs)) kept = mergeBottomK(kept, r, s.dims, s.samples);
    out.push({ value: vneFromVectors(kept.vectors, kept.hashes.length, s.dims), samples: kept.hashes.length });
  }
  return out;
}

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
  const v = validate(options);
  const cancel = new RunCancel(options.signal);
  try {
    return await analyzeValidated(options, v, cancel, withFull);
  } finally {
    cancel.dispose();
  }
}

async function analyzeValidated(
  options: AnalyzeOptions,
  v: ReturnType<typeof validate>,
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
