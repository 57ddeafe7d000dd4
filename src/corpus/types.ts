/** Shared shapes of the corpus layer: what a domain is and how its files are read. */

import { FORMATS, type FormatName } from '../schemas/names.js';

/** Formats bimix reads. */
export { FORMATS, type FormatName };

/** Per-domain (or global) reading options. */
export interface ReadOptions {
  format: FormatName;
  /** Token width where the format does not say ('u16' default for raw). */
  dtype?: 'u8' | 'u16' | 'u32';
  /** Separator token id; undefined = the format's own (llm.c) or none. */
  eos?: number;
  /** Vocabulary size: ids >= vocab are errors. */
  vocab?: number;
  /** Arrow and Parquet: the token column (default input_ids). */
  column?: string;
  /** A Hugging Face DatasetDict folder: the split to read. */
  split?: string;
}

/** A domain as the user named it. */
export interface DomainSpec {
  name: string;
  globs: string[];
  read: ReadOptions;
}

/** One tokenized file (a Megatron dataset counts as one file, named by its .bin). */
export interface SourceSpec {
  path: string;
  format: FormatName;
  dtype?: string;
  /** -2: format default, -1: none, >= 0: separator. */
  eos: number;
  /** dolma-style `X.csv.gz` sidecar giving document spans. */
  sidecar?: string;
  /** Arrow and Parquet: the token column. */
  column?: string;
}

/** A file of a domain after probing. */
export interface FileEntry {
  path: string;
  format: string;
  dtype: string;
  bytes: number;
  mtimeMs: number;
  tokens: number;
}

/** A byte range of one file, in tokens: [begin, end). */
export interface Chunk {
  source: number;
  begin: number;
  end: number;
}

/**
 * Bytes per token position used to size chunks and progress: 1 for u8, 2 for u16/i16, else 4
 * (64-bit ids are narrowed to 32 bits when read, and chunk sizes follow the narrowed width).
 */
export function tokenWidth(dtype: string): number {
  return dtype === 'u8' ? 1 : dtype === 'u16' || dtype === 'i16' ? 2 : 4;
}
