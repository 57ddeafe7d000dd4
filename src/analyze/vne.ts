/** The VNE proxy of analyze: seeded window embeddings per domain (or user embeddings) and their von Neumann entropy. */
import { optionError } from '../errors.js';
import type { WorkerPool } from '../exec/pool.js';
import type { EmbedResult, EmbedTask } from '../exec/protocol.js';
import { mergeBottomK } from '../exec/count-step.js';
import { fanOut } from '../exec/fan-out.js';
import { RunCancel } from '../exec/cancel.js';
import { readEmbeddingsNpy, vneFromVectors } from '../stats/vne.js';
import { debugPhase } from '../util/debug-phase.js';
import { flattenChunks, type DomainPlan } from './plan.js';

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
    const chunks = flattenChunks(plan.chunks);
    const results = await fanOut<EmbedResult>(pool, cancel, threads, plan.chunks.length, (_t, claim): EmbedTask => ({
      kind: 'embed',
      sources: plan.sources,
      files: plan.files,
      docEnds: plan.docEnds,
      chunks,
      claim,
      seed: s.seed,
      dims: s.dims,
      samples: s.samples,
      window: s.window,
      cancel: cancel.slot,
    }));
    let kept: EmbedResult = { hashes: new BigUint64Array(0), vectors: new Float64Array(0) };
    for (const r of results) kept = mergeBottomK(kept, r, s.dims, s.samples);
    out.push({ value: vneFromVectors(kept.vectors, kept.hashes.length, s.dims), samples: kept.hashes.length });
  }
  return out;
}
