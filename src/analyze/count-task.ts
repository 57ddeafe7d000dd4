/**
 * The count task of one pool worker for one domain, as analyze and the Slurm count task both make it:
 * the domain's sources, the worker's share of the memory budget, and (exact counts) the name the
 * workers register their counts under, which also makes them share one set of tables in the addon.
 */
import type { CountTask } from '../exec/protocol.js';
import type { DomainPlan } from './plan.js';

export interface CountTaskSettings {
  threads: number;
  memoryBytes: number;
  simd: string;
  unigramsOnly: boolean;
  tmpDir: string;
}

export function domainCountTask(
  plan: DomainPlan,
  chunks: Float64Array,
  claim: SharedArrayBuffer,
  cfg: CountTaskSettings,
  cancel: number,
  o: { out: string; meta: string; register?: string; extraConfig?: Partial<CountTask['config']>; progress?: SharedArrayBuffer },
): CountTask {
  return {
    kind: 'count',
    sources: plan.sources,
    files: plan.files,
    docEnds: plan.docEnds,
    chunks,
    claim,
    ...(o.progress ? { progress: o.progress } : {}),
    config: {
      memoryBytes: Math.floor(cfg.memoryBytes / cfg.threads),
      spillDir: cfg.tmpDir,
      simd: cfg.simd,
      ...(o.register !== undefined ? { layout: o.register } : {}),
      vocab: plan.spec.read.vocab ?? 0,
      unigramsOnly: cfg.unigramsOnly,
      ...o.extraConfig,
      cancel,
    },
    out: o.out,
    meta: o.meta,
    ...(o.register !== undefined ? { register: o.register } : {}),
    cancel,
  };
}
