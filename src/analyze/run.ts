/**
 * The run stage of analyze: counting fans out over the worker pool per domain, then each
 * domain's counts are reduced (in memory across workers, or through partial-state files).
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { loadAddon, type NativeReduction } from '../engine/native.js';
import { flattenChunks, type DomainPlan } from './plan.js';
import type { WorkerPool } from '../exec/pool.js';
import type { CountResult, MergeTask } from '../exec/protocol.js';
import { domainCountTask } from './count-task.js';
import { fanOut } from '../exec/fan-out.js';
import { decodeSubsamples, tableOf, type SubsampleTable } from '../stats/subsample.js';
import { sampleCountConfig, sampleReduceOptions, type SamplePlan } from './sampled.js';
import type { ProgressEvent } from './options.js';
import { RunCancel } from '../exec/cancel.js';
import { debugPhase } from '../util/debug-phase.js';

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
    const progress = new SharedArrayBuffer(16);
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
      const counted = await fanOut<CountResult>(pool, cancel, cfg.threads, plan.chunks.length, (t, claim) => {
        const out = inMemory ? '' : path.join(cfg.tmpDir, `d${di}-t${t}.bimixps`);
        if (!inMemory) outs.push(out);
        return domainCountTask(plan, chunks, claim, cfg, cancel.slot, {
          out,
          meta: JSON.stringify({ domain: plan.name, task: t }),
          progress,
          ...(registered !== undefined ? { register: registered } : {}),
          ...(cfg.sample ? { extraConfig: sampleCountConfig(cfg.sample) } : {}),
        });
      });
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

