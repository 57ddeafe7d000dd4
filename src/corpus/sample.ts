/**
 * The built-in sample corpus: five domains in five formats, each a Markov chain
 * with a known conditional entropy, generated once and deterministically.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyticConditional, generateMarkovDocs, type MarkovSpec } from './markov.js';
import { writeDatatrove, writeLlmc, writeMegatron, writeNpy, writeRaw } from './writers.js';

const SAMPLE_VERSION = 1;

interface SampleDomain {
  name: string;
  format: string;
  chain: MarkovSpec;
  shards: number;
}

const DOMAINS: SampleDomain[] = [
  { name: 'web', format: 'megatron (.bin/.idx, u16)', chain: { vocab: 1024, firstId: 1, successors: 96, seed: 11, meanDocLength: 300 }, shards: 2 },
  { name: 'code', format: 'llm.c (.bin, GPT-2 header)', chain: { vocab: 1024, firstId: 1, successors: 12, seed: 12, meanDocLength: 500 }, shards: 2 },
  { name: 'books', format: 'datatrove (.ds, u32)', chain: { vocab: 1024, firstId: 1, successors: 48, seed: 13, meanDocLength: 2000 }, shards: 1 },
  { name: 'papers', format: 'NumPy .npy (u16, eos 0)', chain: { vocab: 1024, firstId: 1, successors: 32, seed: 14, meanDocLength: 800 }, shards: 1 },
  { name: 'forum', format: 'nanoGPT raw memmap (u16, eos 0)', chain: { vocab: 1024, firstId: 1, successors: 160, seed: 15, meanDocLength: 120 }, shards: 2 },
];

/** Where the sample corpus is cached by default. */
export function defaultSampleDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'bimix', `sample-v${SAMPLE_VERSION}`);
}

export interface SampleCorpus {
  dir: string;
  config: string;
  domains: { name: string; format: string; analyticConditional: number; successors: number }[];
}

/** Generates the sample corpus into `dir` (once; reused when complete) and returns its config path. */
export function ensureSampleCorpus(dir = defaultSampleDir(), tokensPerDomain = 1_000_000): SampleCorpus {
  const marker = path.join(dir, 'COMPLETE');
  const info: SampleCorpus = {
    dir,
    config: path.join(dir, 'bimix.json'),
    domains: DOMAINS.map((d) => ({ name: d.name, format: d.format, analyticConditional: analyticConditional(d.chain), successors: d.chain.successors })),
  };
  if (existsSync(marker) && readFileSync(marker, 'utf8') === `${SAMPLE_VERSION}:${tokensPerDomain}`) return info;
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  for (const d of DOMAINS) {
    const docs = generateMarkovDocs(d.chain, tokensPerDomain);
    const per = Math.ceil(docs.length / d.shards);
    for (let s = 0; s < d.shards; s++) {
      const part = docs.slice(s * per, (s + 1) * per);
      const stem = path.join(tmp, d.name, `${d.name}-${String(s).padStart(5, '0')}`);
      mkdirSync(path.dirname(stem), { recursive: true });
      switch (d.name) {
        case 'web':
          writeMegatron(stem, part);
          break;
        case 'code':
          writeLlmc(`${stem}.bin`, part);
          break;
        case 'books':
          writeDatatrove(`${stem}.ds`, part, { wide: true });
          break;
        case 'papers':
          writeNpy(`${stem}.npy`, part, { eos: 0 });
          break;
        default:
          writeRaw(`${stem}.bin`, part, { eos: 0 });
      }
    }
  }
  const config = {
    domains: {
      web: { globs: ['web/*.bin'] },
      code: { globs: ['code/*.bin'] },
      books: { globs: ['books/*.ds'] },
      papers: { globs: ['papers/*.npy'], eos: 0 },
      forum: { globs: ['forum/*.bin'], format: 'raw', eos: 0 },
    },
  };
  writeFileSync(path.join(tmp, 'bimix.json'), `${JSON.stringify(config, null, 2)}\n`);
  writeFileSync(path.join(tmp, 'COMPLETE'), `${SAMPLE_VERSION}:${tokensPerDomain}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.dirname(dir), { recursive: true });
  renameSync(tmp, dir);
  return info;
}
