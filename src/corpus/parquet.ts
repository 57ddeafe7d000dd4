/**
 * Parquet token files: a list-of-integer column, each row one document. The
 * planner reads the footer (row groups and their value counts); workers decode
 * whole row groups with hyparquet and hand the ids to the native counter.
 *
 * Positions: a file's position space is its column's value slots (one per id,
 * plus one per empty or null row), known from the footer alone. Row group g
 * owns slots [first_g, first_g + slots_g) and is decoded by the chunk holding
 * first_g, so any chunking counts every row group exactly once.
 */
import { closeSync, readSync } from 'node:fs';
import { openRegularFile } from '../util/read-file.js';
import { parquetMetadataAsync, parquetRead, type AsyncBuffer, type FileMetaData, type SchemaElement } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { BimixError } from '../errors.js';

/** One row group of the token column. */
export interface ParquetRowGroup {
  rowStart: number;
  rows: number;
  /** First value slot (position) of the group and how many it holds. */
  first: number;
  slots: number;
}

/** Where the tokens of a Parquet file are. */
export interface ParquetLayout {
  column: string;
  dtype: 'i32' | 'i64';
  bytes: number;
  mtimeMs: number;
  slots: number;
  rowGroups: ParquetRowGroup[];
  metadata: FileMetaData;
}

/** A synchronous file reader in hyparquet's AsyncBuffer shape (reads only what is sliced). */
function fileBuffer(file: string): { buf: AsyncBuffer; close: () => void; bytes: number; mtimeMs: number } {
  // Non-blocking, regular files only: a FIFO named .parquet must not hang the run.
  const { fd, stat: st } = openRegularFile(file);
  const buf: AsyncBuffer = {
    byteLength: st.size,
    slice(start: number, end?: number): ArrayBuffer {
      const stop = Math.min(end ?? st.size, st.size);
      const out = new Uint8Array(Math.max(0, stop - start));
      let got = 0;
      while (got < out.length) {
        const n = readSync(fd, out, got, out.length - got, start + got);
        if (n === 0) throw new BimixError('E_CHANGED', `changed while being read (ended at byte ${start + got}, expected ${stop})`, { file });
        got += n;
      }
      return out.buffer;
    },
  };
  return { buf, close: () => closeSync(fd), bytes: st.size, mtimeMs: st.mtimeMs };
}

const layouts = new Map<string, ParquetLayout>();

function fail(file: string, message: string): never {
  throw new BimixError('E_FORMAT', message, { file });
}

/** The integer leaf of `column` when it is a list (3-level LIST, or a legacy 2-level repeated field). */
function tokenLeaf(file: string, schema: SchemaElement[], column: string): 'INT32' | 'INT64' {
  // The flattened schema, depth first: each top-level field with its subtree.
  let i = 1;
  const subtree = (): SchemaElement[] => {
    const el = schema[i++]!;
    const out = [el];
    for (let k = 0; k < (el.num_children ?? 0); k++) out.push(...subtree());
    return out;
  };
  const names: string[] = [];
  let found: SchemaElement[] | undefined;
  for (let k = 0; k < (schema[0]?.num_children ?? 0) && i < schema.length; k++) {
    const t = subtree();
    names.push(t[0]!.name);
    if (t[0]!.name === column) found = t;
  }
  if (!found) fail(file, `Parquet without a column named ${column} (columns: ${names.join(', ')}); pass --column NAME`);
  const [head, ...rest] = found;
  const isList = head!.converted_type === 'LIST' || head!.logical_type?.type === 'LIST' || head!.repetition_type === 'REPEATED';
  const leaves = rest.filter((e) => !e.num_children);
  const leaf = head!.num_children ? leaves[0] : head;
  if (!isList || !leaf || leaves.length > 1 || rest.length > 2) {
    fail(file, `Parquet without a list column: ${column} is not a list of integers; re-export it as list<int32> or list<int64>`);
  }
  if (leaf.type !== 'INT32' && leaf.type !== 'INT64') {
    fail(file, `Parquet column ${column} holds lists of ${leaf.type ?? 'groups'}, not of integers`);
  }
  const unsigned64 = leaf.converted_type === 'UINT_64' || (leaf.logical_type?.type === 'INTEGER' && leaf.logical_type.bitWidth === 64 && !leaf.logical_type.isSigned);
  if (unsigned64) fail(file, `Parquet column ${column} holds uint64 values; token ids must fit int64 or uint32`);
  return leaf.type;
}

/** Reads (once per process) the footer of a Parquet file and locates its token column. */
export async function parquetLayout(file: string, column: string): Promise<ParquetLayout> {
  const key = `${file}\0${column}`;
  const hit = layouts.get(key);
  if (hit) return hit;
  const f = fileBuffer(file);
  try {
    if (f.bytes === 0) throw new BimixError('E_EMPTY', 'empty file', { file });
    let metadata: FileMetaData;
    try {
      metadata = await parquetMetadataAsync(f.buf);
    } catch (e) {
      if (e instanceof BimixError) throw e;
      throw new BimixError('E_FORMAT', `corrupt Parquet footer: ${(e as Error).message}`, { file });
    }
    const leaf = tokenLeaf(file, metadata.schema, column);
    const rowGroups: ParquetRowGroup[] = [];
    let rowStart = 0;
    let first = 0;
    for (const [g, rg] of metadata.row_groups.entries()) {
      const chunk = rg.columns.find((c) => c.meta_data?.path_in_schema[0] === column);
      if (!chunk?.meta_data) fail(file, `row group ${g} has no data for column ${column}`);
      const slots = Number(chunk.meta_data.num_values);
      const rows = Number(rg.num_rows);
      if (!Number.isSafeInteger(slots) || slots < 0 || !Number.isSafeInteger(rows) || rows < 0) fail(file, `row group ${g}: corrupt counts`);
      rowGroups.push({ rowStart, rows, first, slots });
      rowStart += rows;
      first += slots;
    }
    const layout: ParquetLayout = { column, dtype: leaf === 'INT64' ? 'i64' : 'i32', bytes: f.bytes, mtimeMs: f.mtimeMs, slots: first, rowGroups, metadata };
    layouts.set(key, layout);
    return layout;
  } finally {
    f.close();
  }
}

/** One decoded row group: ids narrowed to 32 bits and document ends, in file positions. */
export interface DecodedRowGroup {
  first: number;
  tokens: Uint32Array;
  docEnds: Float64Array;
}

/**
 * Decodes row group `g`. Ids must be whole numbers in [0, limit); `vocab` (0: none)
 * says where the limit comes from. Null rows are empty documents.
 */
export async function decodeRowGroup(file: string, layout: ParquetLayout, g: number, limit: number, vocab: number): Promise<DecodedRowGroup> {
  const rg = layout.rowGroups[g]!;
  const f = fileBuffer(file);
  let rows: unknown[][] = [];
  try {
    await parquetRead({
      file: f.buf,
      metadata: layout.metadata,
      columns: [layout.column],
      rowStart: rg.rowStart,
      rowEnd: rg.rowStart + rg.rows,
      compressors,
      onComplete: (r) => {
        rows = r;
      },
    });
  } catch (e) {
    if (e instanceof BimixError) throw e;
    throw new BimixError('E_FORMAT', `cannot decode row group ${g}: ${(e as Error).message}`, { file });
  } finally {
    f.close();
  }
  if (rows.length !== rg.rows) throw new BimixError('E_FORMAT', `row group ${g} decoded to ${rows.length} rows, its header says ${rg.rows}`, { file });
  const tokens = new Uint32Array(rg.slots);
  const docEnds = new Float64Array(rows.length);
  let n = 0;
  for (let r = 0; r < rows.length; r++) {
    const list = rows[r]![0] as ArrayLike<number | bigint> | null | undefined;
    const len = list ? list.length : 0;
    if (n + len > tokens.length) throw new BimixError('E_FORMAT', `row group ${g} holds more values than its header's ${rg.slots}`, { file });
    for (let k = 0; k < len; k++) {
      const item = list![k];
      const v = item === null || item === undefined ? NaN : Number(item);
      if (!(v >= 0 && v < limit) || !Number.isInteger(v)) {
        const row = rg.rowStart + r;
        const why =
          Number.isNaN(v) ? 'a null token id' : v < 0 ? `negative token id ${v}` : vocab > 0 && v >= vocab ? `token id ${v} is outside the vocabulary (--vocab ${vocab})` : `token id ${v} exceeds the supported maximum ${limit - 1}`;
        throw new BimixError('E_TOKEN_RANGE', `${why} (row ${row}, item ${k})`, { file, row });
      }
      tokens[n++] = v;
    }
    docEnds[r] = rg.first + n;
  }
  return { first: rg.first, tokens: tokens.subarray(0, n), docEnds };
}
