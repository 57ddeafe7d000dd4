/** A small generated multi-domain corpus for the map/merge tests (several formats, several files per domain). */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateMarkovDocs } from '../src/corpus/markov.js';
import { writeLlmc, writeMegatron, writeNpy, writeRaw } from '../src/corpus/writers.js';
import type { DomainSpec } from '../src/corpus/types.js';

export interface SmallCorpus {
  dir: string;
  domains: DomainSpec[];
  /** Chunk size giving several chunks per file. */
  chunkBytes: number;
}

/** Writes four domains of ~`tokens` tokens each into a fresh temp folder. */
export function smallCorpus(tokens = 40_000, seed = 1): SmallCorpus {
  const dir = mkdtempSync(path.join(tmpdir(), 'bimix-slurm-corpus-'));
  const docs = (k: number, successors: number) => generateMarkovDocs({ vocab: 300, firstId: 1, successors, seed: seed * 100 + k, meanDocLength: 150 }, tokens);
  const split = <T>(a: T[], parts: number): T[][] => Array.from({ length: parts }, (_, i) => a.slice(Math.floor((i * a.length) / parts), Math.floor(((i + 1) * a.length) / parts)));
  for (const d of ['web', 'code', 'forum', 'papers']) mkdirSync(path.join(dir, d));
  split(docs(1, 40), 3).forEach((p, i) => writeMegatron(path.join(dir, 'web', `web-${i}`), p));
  split(docs(2, 6), 2).forEach((p, i) => writeLlmc(path.join(dir, 'code', `code-${i}.bin`), p));
  split(docs(3, 80), 2).forEach((p, i) => writeRaw(path.join(dir, 'forum', `forum-${i}.bin`), p, { eos: 0 }));
  writeNpy(path.join(dir, 'papers', 'papers-0.npy'), docs(4, 20), { eos: 0 });
  const domains: DomainSpec[] = [
    { name: 'web', globs: [path.join(dir, 'web', '*.bin')], read: { format: 'auto' } },
    { name: 'code', globs: [path.join(dir, 'code', '*.bin')], read: { format: 'auto' } },
    { name: 'forum', globs: [path.join(dir, 'forum', '*.bin')], read: { format: 'raw', eos: 0 } },
    { name: 'papers', globs: [path.join(dir, 'papers', '*.npy')], read: { format: 'auto', eos: 0 } },
  ];
  return { dir, domains, chunkBytes: 8192 };
}
