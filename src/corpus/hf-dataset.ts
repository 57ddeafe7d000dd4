/**
 * Hugging Face `datasets` folders written by `save_to_disk`: a dataset folder
 * (state.json and/or dataset_info.json beside data-*.arrow shards), or a
 * DatasetDict folder (dataset_dict.json naming one dataset folder per split).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { BimixError } from '../errors.js';
import { readJsonFile } from '../util/json-file.js';

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The metadata files `datasets` writes beside its Arrow shards (never token files themselves). */
export const HF_METADATA = ['state.json', 'dataset_info.json', 'dataset_dict.json'];

/** True when `dir` is a dataset or DatasetDict folder. */
export function isHfDatasetFolder(dir: string): boolean {
  return isDir(dir) && HF_METADATA.some((f) => existsSync(path.join(dir, f)));
}

/** The Arrow shards of a dataset folder, in dataset order; `split` picks a DatasetDict's split. */
export async function hfDatasetShards(dir: string, split: string | undefined, where: string): Promise<string[]> {
  const dictFile = path.join(dir, 'dataset_dict.json');
  if (existsSync(dictFile)) {
    const doc = (await readJsonFile(dictFile)) as { splits?: unknown };
    const splits = Array.isArray(doc?.splits) ? doc.splits.filter((s): s is string => typeof s === 'string') : [];
    if (splits.length === 0) throw new BimixError('E_FORMAT', 'dataset_dict.json lists no splits', { file: dictFile });
    const pick = split ?? (splits.length === 1 ? splits[0] : undefined);
    if (pick === undefined) throw new BimixError('E_USAGE', `${where}: ${dir} is a DatasetDict with splits ${splits.join(', ')}: pass --split NAME`);
    if (!splits.includes(pick)) throw new BimixError('E_USAGE', `${where}: --split ${pick} is not among the splits of ${dir} (${splits.join(', ')})`);
    return hfDatasetShards(path.join(dir, pick), undefined, where);
  }
  const stateFile = path.join(dir, 'state.json');
  if (existsSync(stateFile)) {
    const state = (await readJsonFile(stateFile)) as { _data_files?: unknown };
    const files = Array.isArray(state?._data_files) ? state._data_files : undefined;
    if (!files || files.length === 0) throw new BimixError('E_FORMAT', 'state.json lists no _data_files', { file: stateFile });
    return files.map((f, i) => {
      const name = (f as { filename?: unknown })?.filename;
      if (typeof name !== 'string' || name === '' || name.includes('/') || name.includes('\\')) {
        throw new BimixError('E_FORMAT', `_data_files[${i}] is not a file name in the folder`, { file: stateFile });
      }
      const file = path.join(dir, name);
      if (!existsSync(file)) throw new BimixError('E_IO', `shard listed in state.json is missing`, { file });
      return file;
    });
  }
  const shards = readdirSync(dir).filter((n) => /^data-\d+-of-\d+\.arrow$/.test(n)).sort();
  if (shards.length === 0) throw new BimixError('E_FORMAT', `dataset folder without state.json or data-*.arrow shards`, { file: dir });
  return shards.map((n) => path.join(dir, n));
}
