/** The analyze options shared by `analyze`, `check`, `count` and `slurm`: parsing and validation. */
import type { Command } from 'commander';
import { checkWritableDir } from '../util/out-path.js';
import path from 'node:path';
import { readConfigFile, parseDomainArgs, validateReadOptions } from '../corpus/config.js';
import type { DomainSpec } from '../corpus/types.js';
import { BimixError, optionError } from '../errors.js';
import { MIN_CHUNK_BYTES } from '../corpus/chunks.js';
import { validateSample } from '../analyze/options.js';
import { collect, parseInteger, parseMemory, parseNumber, parseNumberMap, parseSize } from '../util/parse.js';
import os from 'node:os';
import { requirePath } from '../util/out-path.js';
import type { AnalyzeOptions } from '../analyze/index.js';
import type { Proxy } from '../stats/mixture.js';

/** Adds the corpus-selection and counting options to a command. */
export function addCorpusOptions(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'JSON config mapping domain names to globs and per-domain format options')
    .option('--domain <name=glob>', 'a domain and a glob of its shards (repeatable)', collect)
    .option('--format <format>', 'corpus format: auto|megatron|llmc|raw|npy|datatrove|arrow|parquet', 'auto')
    .option('--column <name>', 'Arrow/Parquet token column (default input_ids)')
    .option('--split <name>', 'split of a Hugging Face DatasetDict folder')
    .option('--dtype <dtype>', 'token width where the format does not say: u16|u32')
    .option('--eos <id>', 'separator token id delimiting documents')
    .option('--vocab <n>', 'vocabulary size; larger ids are errors')
    .option('--threads <n>', 'worker threads (default: one per core)')
    .option('--memory <size|percent>', 'memory budget for counting: a size (512MB, 8GB) or a share of physical memory (1%..100%; default 40%)')
    .option('--chunk-size <size>', 'bytes per work chunk (default 32MB)')
    .option('--unigrams-only', 'count unigrams only (Shannon entropy; much faster)')
    .option('--sample <fraction>', 'analyze a seeded sample of whole documents (0 < fraction <= 1): corpus estimates with jackknife intervals')
    .option('--seed <n>', 'seed of --sample', '0');
}

/** Adds `--tmp-dir`, the folder of spilled runs and other temporary files. */
export function addTmpDirOption(cmd: Command): Command {
  return cmd.option('--tmp-dir <dir>', 'folder for temporary files (spilled runs); must exist and be writable (default: TMPDIR)');
}

/** `--tmp-dir` validated before any work: an existing, writable folder, made absolute. */
export function tmpDirFromFlags(raw: string | undefined): { tmpDir?: string } {
  if (raw === undefined) return {};
  checkWritableDir('--tmp-dir', raw);
  return { tmpDir: path.resolve(raw) };
}

/** True when the user gave option `key` (command line or environment), not commander's default. */
export function userGave(cmd: Command, key: string): boolean {
  const source = cmd.getOptionValueSource(key);
  return source !== undefined && source !== 'default' && source !== 'implied';
}

/** Formats whose files declare their own token width, so `--dtype` would be ignored. */
const DECLARED_WIDTH = new Set(['megatron', 'llmc', 'npy', 'datatrove', 'arrow', 'parquet']);

/**
 * Refuses corpus options that the other options would make bimix ignore silently:
 * `--seed` without `--sample`, and `--dtype` with an explicit format whose files say their width.
 * `corpusFormat` is the corpus format as given (check splits it out of its `--format`).
 */
/** `count`, `merge` and `slurm` refuse `--sample`: sampled analysis runs on one machine. */
export function refuseSample(command: string, sample: unknown): void {
  if (sample !== undefined) throw new BimixError('E_USAGE', `--sample: not supported by ${command} (sampled analysis runs on one machine: bimix analyze --sample)`);
}

/** `--partial-dir` of `count` and `slurm`: required, and a usable path. */
export function partialDirFromFlags(raw: string | undefined): string {
  if (raw === undefined) throw new BimixError('E_USAGE', '--partial-dir: expected a folder, got nothing');
  requirePath('--partial-dir', raw);
  return raw;
}

export function refuseIgnoredCorpusOptions(cmd: Command, f: Pick<CorpusFlags, 'sample' | 'dtype' | 'config'>, corpusFormat: string | undefined): void {
  if (userGave(cmd, 'seed') && f.sample === undefined) throw new BimixError('E_USAGE', '--seed needs --sample (the seed chooses the sampled documents)');
  // With --config, domains may name their own format (raw among them), which --dtype then serves.
  if (f.dtype !== undefined && f.config === undefined && corpusFormat !== undefined && DECLARED_WIDTH.has(corpusFormat)) {
    throw new BimixError('E_USAGE', `--dtype needs --format raw or auto: ${corpusFormat} files declare their own token width`);
  }
}

/** Options that only matter when a corpus is counted (and the mixture computed from the counts). */
const COUNTING_KEYS = ['column', 'split', 'dtype', 'eos', 'vocab', 'threads', 'memory', 'chunkSize', 'unigramsOnly', 'tmpDir', 'base', 'proxy', 'temperature', 'min', 'max'];

/**
 * With `--from REPORT` nothing is counted: a counting option the user gave would be ignored, so it is
 * refused, naming it (`baseline --from`, `check --from`).
 */
export function refuseCountingOptionsWithReport(cmd: Command): void {
  for (const o of cmd.options) {
    const key = o.attributeName();
    if (COUNTING_KEYS.includes(key) && userGave(cmd, key)) {
      throw new BimixError('E_USAGE', `${o.long} applies when a corpus is counted; with --from REPORT nothing is counted (drop ${o.long}, or give --config/--domain instead of --from)`);
    }
  }
}

/** Adds the mixture options. */
export function addMixtureOptions(cmd: Command): Command {
  return cmd
    .option('--base <base>', 'entropy unit: e (nats) or 2 (bits)', 'e')
    .option('--proxy <proxy>', 'entropy driving the mixture: conditional|shannon|joint|vne (default conditional; shannon with --unigrams-only)')
    .option('--temperature <t>', 'softmax temperature (1 = the paper)', '1')
    .option('--min <domain=r>', 'lower bound on a domain proportion (repeatable, or a=0.1,b=0.2)', collect)
    .option('--max <domain=r>', 'upper bound on a domain proportion (repeatable)', collect);
}

/** Raw commander values of the corpus and mixture options. */
export interface CorpusFlags {
  config?: string;
  domain?: string[];
  format?: string;
  dtype?: string;
  eos?: string;
  vocab?: string;
  column?: string;
  split?: string;
  threads?: string;
  memory?: string;
  chunkSize?: string;
  unigramsOnly?: boolean;
  sample?: string;
  seed?: string;
  base?: string;
  proxy?: string;
  temperature?: string;
  min?: string[];
  max?: string[];
}

/** Mixture options validated. */
export function mixtureFlags(f: CorpusFlags): Pick<AnalyzeOptions, 'proxy' | 'temperature' | 'min' | 'max' | 'base'> {
  const out: Pick<AnalyzeOptions, 'proxy' | 'temperature' | 'min' | 'max' | 'base'> = {};
  if (f.base !== undefined) {
    if (f.base !== 'e' && f.base !== '2') throw new BimixError('E_USAGE', `--base: expected e or 2, got ${JSON.stringify(f.base)}`);
    out.base = f.base;
  }
  if (f.proxy !== undefined) out.proxy = f.proxy as Proxy;
  if (f.temperature !== undefined) out.temperature = parseNumber('--temperature', f.temperature, { min: 0, exclusiveMin: true });
  if (f.min) out.min = Object.fromEntries(parseNumberMap('--min', f.min));
  if (f.max) out.max = Object.fromEntries(parseNumberMap('--max', f.max));
  return out;
}

/** Resolves domains from --config and --domain, and the counting options. */
export async function corpusFromFlags(f: CorpusFlags): Promise<Pick<AnalyzeOptions, 'domains' | 'threads' | 'memoryBytes' | 'chunkBytes' | 'unigramsOnly' | 'sample'>> {
  const read = validateReadOptions({ format: f.format, dtype: f.dtype, eos: f.eos, vocab: f.vocab, column: f.column, split: f.split }, undefined, '--');
  const domains: DomainSpec[] = [];
  requirePath('--config', f.config);
  if (f.config !== undefined) {
    const cfg = await readConfigFile(f.config, read);
    for (const d of cfg.domains) domains.push({ ...d, globs: d.globs.map((g) => (path.isAbsolute(g) ? g : path.join(cfg.baseDir, g))) });
  }
  if (f.domain) domains.push(...parseDomainArgs(f.domain, read).map((d) => ({ ...d, globs: d.globs.map((g) => (path.isAbsolute(g) ? g : path.resolve(g))) })));
  if (domains.length === 0) throw new BimixError('E_USAGE', 'no domains: give --domain NAME=GLOB (repeatable) or --config FILE');
  const names = new Set<string>();
  for (const d of domains) {
    if (names.has(d.name)) throw new BimixError('E_CONFIG', `domain ${d.name} is defined twice (config and --domain, or twice in the config)`);
    names.add(d.name);
  }
  const out: Pick<AnalyzeOptions, 'domains' | 'threads' | 'memoryBytes' | 'chunkBytes' | 'unigramsOnly' | 'sample'> = { domains };
  if (f.threads !== undefined) out.threads = parseInteger('--threads', f.threads, 1, 1024);
  if (f.memory !== undefined) out.memoryBytes = parseMemory('--memory', f.memory, os.totalmem());
  if (f.chunkSize !== undefined) {
    out.chunkBytes = parseSize('--chunk-size', f.chunkSize);
    if (out.chunkBytes < MIN_CHUNK_BYTES) throw optionError('--chunk-size', `at least 64KB (${MIN_CHUNK_BYTES} bytes)`, f.chunkSize);
  }
  if (f.unigramsOnly) out.unigramsOnly = true;
  if (f.sample !== undefined) {
    out.sample = validateSample({ fraction: parseNumber('--sample', f.sample), seed: parseNumber('--seed', f.seed ?? '0') });
  }
  return out;
}
