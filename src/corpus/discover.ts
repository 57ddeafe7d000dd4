import { existsSync, lstatSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { BimixError } from '../errors.js';
import { HF_METADATA, hfDatasetShards, isHfDatasetFolder } from './hf-dataset.js';
import type { DomainSpec, SourceSpec } from './types.js';

const SIDECAR_SUFFIXES = ['.ds.index', '.ds.metadata', '.csv.gz'];

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** `dev:ino` of the file a path leads to (symlinks followed), or the path itself when it cannot be read. */
export function fileIdentity(p: string): string {
  try {
    const st = statSync(p);
    return `${st.dev}:${st.ino}`;
  } catch {
    return `path:${p}`;
  }
}

/**
 * Keeps one path per file: a `**` glob through symlinked folders, a symlink beside its
 * target and hard links name one file many times. The path without symlinks wins when
 * it is among them, else the first in sorted order; the result stays sorted.
 */
function dedupeByIdentity(sorted: string[]): string[] {
  const chosen = new Map<string, string>();
  for (const p of sorted) {
    const id = fileIdentity(p);
    const prev = chosen.get(id);
    if (prev === undefined || (!isCanonical(prev) && isCanonical(p))) chosen.set(id, p);
  }
  return [...chosen.values()].sort();
}

function isCanonical(p: string): boolean {
  try {
    return realpathSync(p) === p;
  } catch {
    return false;
  }
}

/** Why a literal path is not a token file: missing, or there but of the wrong kind. */
function whatIsThere(p: string): string {
  const st = lstatSync(p, { throwIfNoEntry: false });
  if (!st) return 'does not exist';
  if (st.isSymbolicLink() && !existsSync(p)) return 'is a dangling symbolic link';
  const target = statSync(p, { throwIfNoEntry: false });
  if (target?.isDirectory()) return 'is a directory';
  return 'is not a regular file';
}

/** Expands a domain's globs into its token files, sorted and de-duplicated, with sidecars attached. */
export async function discoverSources(domain: DomainSpec, baseDir: string): Promise<SourceSpec[]> {
  const found = new Set<string>();
  for (const pattern of domain.globs) {
    const abs = path.resolve(baseDir, pattern);
    // An existing file is taken literally even when its name has glob characters ("$(x)", "[1]").
    if (isFile(abs)) {
      found.add(abs);
      continue;
    }
    if (!isDynamicPattern(pattern)) {
      // A literal path: a file, or a Megatron prefix naming X.bin + X.idx.
      if (isFile(abs)) found.add(abs);
      else if (isHfDatasetFolder(abs)) for (const f of await hfDatasetShards(abs, domain.read.split, `domain ${domain.name}`)) found.add(f);
      else if (isFile(`${abs}.bin`) && isFile(`${abs}.idx`)) found.add(`${abs}.bin`);
      else {
        const why = whatIsThere(abs);
        throw new BimixError(why === 'does not exist' ? 'E_CONFIG' : 'E_IO', `domain ${domain.name}: ${pattern} ${why}`, { file: abs });
      }
      continue;
    }
    const matches = await glob(pattern, { cwd: baseDir, absolute: true, onlyFiles: true, expandDirectories: false });
    if (matches.length === 0) {
      throw new BimixError('E_CONFIG', `domain ${domain.name}: glob ${JSON.stringify(pattern)} matched no files (a folder name with ( ) [ ] { } * ? ! needs a backslash before them)`);
    }
    for (const m of matches) found.add(path.resolve(m));
  }
  const files = [...found].filter((f) => {
    if (SIDECAR_SUFFIXES.some((s) => f.endsWith(s))) return false;
    // A glob over a Hugging Face dataset folder matches its metadata too.
    if (HF_METADATA.includes(path.basename(f))) return false;
    // A Megatron .idx stands for its .bin.
    if (f.endsWith('.idx') && found.has(`${f.slice(0, -4)}.bin`)) return false;
    return true;
  });
  const mapped = files.map((f) => (f.endsWith('.idx') && isFile(`${f.slice(0, -4)}.bin`) ? `${f.slice(0, -4)}.bin` : f));
  const unique = dedupeByIdentity([...new Set(mapped)].sort());
  if (unique.length === 0) throw new BimixError('E_EMPTY', `domain ${domain.name} has no token files (only sidecars matched)`);
  return unique.map((p) => {
    const spec: SourceSpec = {
      path: p,
      format: domain.read.format,
      eos: domain.read.eos ?? -2,
    };
    if (domain.read.dtype) spec.dtype = domain.read.dtype;
    if (domain.read.column) spec.column = domain.read.column;
    const stem = p.replace(/\.(npy|bin)$/, '');
    if (stem !== p && existsSync(`${stem}.csv.gz`) && (domain.read.format === 'auto' || domain.read.format === 'raw' || domain.read.format === 'npy')) {
      spec.sidecar = `${stem}.csv.gz`;
    }
    return spec;
  });
}
