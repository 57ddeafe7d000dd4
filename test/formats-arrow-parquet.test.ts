/**
 * Arrow IPC (file, stream, Hugging Face dataset folders) and Parquet token files:
 * counts equal the TypeScript reference for any chunking, accumulator count,
 * thread count and SIMD path; bad inputs end with a stable error code.
 * Fixtures come from scripts/make-format-fixtures.mjs; the Arrow reference rows
 * are read with apache-arrow (independent of the native reader), the Parquet
 * ones from the JSON the fixture script wrote beside each file.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as arrow from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../src/analyze/index.js';
import type { DomainSpec } from '../src/corpus/types.js';
import { loadAddon, type NativeSourceSpec } from '../src/engine/native.js';
import { BimixError } from '../src/errors.js';
import { mergeThroughFiles } from './native-merge.js';
import { countDocuments, splitStream, type RefCounts } from './reference.js';
import { expectDomainMatchesReference } from './expect-reference.js';

const addon = loadAddon();
const FIX = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'formats');
const SIMDS = ['scalar', ...(addon.kernelInfo().available.includes('avx2') ? ['avx2'] : [])];
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bimix-arrow-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The rows of an Arrow file's list column, read with apache-arrow (null rows are empty). */
function arrowRows(rel: string, column = 'input_ids'): number[][] {
  const t = arrow.tableFromIPC(readFileSync(path.join(FIX, rel)));
  const rows: number[][] = [];
  for (const b of t.batches) {
    const v = b.getChild(column)!;
    for (let i = 0; i < v.length; i++) {
      const r = v.get(i);
      rows.push(r ? Array.from(r as ArrayLike<number | bigint>, Number) : []);
    }
  }
  return rows;
}

const parquetRows = (rel: string): number[][] =>
  (JSON.parse(readFileSync(path.join(FIX, rel.replace(/\.parquet$/, '.rows.json')), 'utf8')) as (number[] | null)[]).map((r) => r ?? []);

let run = 0;
/** Counts a source cut into chunks of `chunk` positions, dealt round-robin to `accs` accumulators. */
function countNative(spec: NativeSourceSpec, chunk: number, accs: number, simd: string) {
  const src = new addon.Source(spec);
  const n = src.info.tokens;
  const spill = path.join(dir, `spill-${run}`);
  mkdirSync(spill);
  const list = Array.from({ length: accs }, () => new addon.Accumulator({ memoryBytes: 64 << 20, spillDir: spill, simd, vocab: 0, unigramsOnly: false }));
  let k = 0;
  let chunkTokens = 0;
  for (let b = 0; b < n; b += chunk) chunkTokens += list[k++ % accs]!.add(src, b, Math.min(n, b + chunk)).tokens;
  const { red, dump } = mergeThroughFiles(addon, list, dir, run++);
  rmSync(spill, { recursive: true });
  const unigrams = new Map<number, number>();
  red.unigrams!.forEach((c, id) => c > 0 && unigrams.set(id, c));
  const bigrams = new Map<bigint, number>();
  dump.keys.forEach((key, i) => bigrams.set(key, dump.counts[i]!));
  return { tokens: red.tokens, documents: red.documents, chunkTokens, unigrams, bigrams };
}

function expectSame(got: ReturnType<typeof countNative>, ref: RefCounts, label: string): void {
  expect(got.tokens, label).toBe(ref.tokens);
  expect(got.chunkTokens, label).toBe(ref.tokens);
  expect(got.documents, label).toBe(ref.documents);
  expect(got.unigrams, label).toEqual(ref.unigrams);
  expect(got.bigrams, label).toEqual(ref.bigrams);
}

describe('Arrow IPC: native counts equal the reference for every chunking', () => {
  const cases: [string, string, string?][] = [
    ['stream, int32 beside text and attention_mask, a null row', 'arrow/stream-i32.arrow'],
    ['file format, int64', 'arrow/file-i64.arrow'],
    ['stream, large_list<uint16>, column "tokens"', 'arrow/tokens-u16.arrow', 'tokens'],
    ['file format, uint8', 'arrow/file-u8.arrow'],
    ['stream, int16', 'arrow/stream-i16.arrow'],
  ];
  for (const [name, rel, column] of cases) {
    it(name, () => {
      const rows = arrowRows(rel, column);
      expect(rows.some((r) => r.length === 0) && rows.some((r) => r.length === 1)).toBe(true);
      const ref = countDocuments(rows);
      const spec = { path: path.join(FIX, rel), ...(column ? { column } : {}) };
      const src = new addon.Source(spec);
      expect(src.info.format).toBe('arrow');
      expect(src.info.parts).toBe(3);
      expect(src.info.tokens).toBe(ref.tokens);
      for (const simd of SIMDS) for (const chunk of [1, 2, 7, 64, 1 << 20]) for (const accs of [1, 2, 3]) expectSame(countNative(spec, chunk, accs, simd), ref, `${simd} chunk ${chunk} accs ${accs}`);
    });
  }
  it('a separator id splits rows further (--eos)', () => {
    const rows = arrowRows('arrow/file-i64.arrow');
    const sep = 0;
    expect(rows.flat().includes(sep)).toBe(true);
    const ref = countDocuments(rows.flatMap((r) => splitStream(r, sep)));
    for (const chunk of [1, 3, 50]) expectSame(countNative({ path: path.join(FIX, 'arrow/file-i64.arrow'), eos: sep }, chunk, 2, SIMDS.at(-1)!), ref, `eos chunk ${chunk}`);
  });
  it('ids outside the vocabulary are E_TOKEN_RANGE at their byte offset (int32 and narrowed int64)', () => {
    for (const rel of ['arrow/stream-i32.arrow', 'arrow/file-i64.arrow']) {
      const src = new addon.Source({ path: path.join(FIX, rel) });
      const acc = new addon.Accumulator({ memoryBytes: 64 << 20, spillDir: dir, simd: 'scalar', vocab: 5, unigramsOnly: false });
      let err: { code?: string; offset?: number; message?: string } = {};
      try {
        acc.add(src, 0, src.info.tokens);
      } catch (e) {
        err = e as typeof err;
      }
      expect(err.code, rel).toBe('E_TOKEN_RANGE');
      expect(err.message).toMatch(/outside the vocabulary \(--vocab 5\)/);
      const bytes = readFileSync(path.join(FIX, rel));
      const width = rel.includes('i64') ? 8 : 4;
      const v = width === 8 ? Number(bytes.readBigInt64LE(err.offset!)) : bytes.readInt32LE(err.offset!);
      expect(v).toBeGreaterThanOrEqual(5);
    }
    const neg = new addon.Source({ path: path.join(FIX, 'bad/negative.arrow') });
    const acc = new addon.Accumulator({ memoryBytes: 64 << 20, spillDir: dir, simd: 'scalar', vocab: 0, unigramsOnly: false });
    expect(() => acc.add(neg, 0, neg.info.tokens)).toThrow(/negative token id -4/);
  });
  it('a pre-0.15 stream (no continuation markers) reads with --format arrow', () => {
    const spec = { path: path.join(FIX, 'arrow/legacy-stream.arrow'), format: 'arrow' };
    expectSame(countNative(spec, 2, 2, SIMDS[0]!), countDocuments([[1, 2, 3], [4, 5]]), 'legacy');
  });
  it('a null row that spans values is refused; a negative int8 id is E_TOKEN_RANGE', () => {
    const field = new arrow.Field('item', new arrow.Int8(), true);
    const child = arrow.makeData({ type: field.type, length: 4, nullCount: 0, data: Int8Array.of(1, 2, 3, -3) });
    const list = (nullBitmap?: Uint8Array) =>
      arrow.makeData({ type: new arrow.List(field), length: 2, nullCount: nullBitmap ? 1 : 0, ...(nullBitmap ? { nullBitmap } : {}), valueOffsets: Int32Array.of(0, 2, 4), child });
    const file = (name: string, data: arrow.Data) => {
      const p = path.join(dir, name);
      writeFileSync(p, arrow.tableToIPC(new arrow.Table({ input_ids: new arrow.Vector([data]) }), 'stream'));
      return p;
    };
    expect(() => new addon.Source({ path: file('null-span.arrow', list(Uint8Array.of(0b01))) })).toThrow(/null row 1 has a non-empty value range/);
    const src = new addon.Source({ path: file('neg8.arrow', list()) });
    expect(src.info.dtype).toBe('i8');
    const acc = new addon.Accumulator({ memoryBytes: 64 << 20, spillDir: dir, simd: 'scalar', vocab: 0, unigramsOnly: false });
    expect(() => acc.add(src, 0, 4)).toThrow(/negative token id -3/);
    expect(acc.add(src, 0, 3).tokens).toBe(3);
  });
  it('--format raw still forces raw on an Arrow file', () => {
    const src = new addon.Source({ path: path.join(FIX, 'arrow/file-u8.arrow'), format: 'raw', dtype: 'u8' });
    expect(src.info.format).toBe('raw');
  });
});

describe('analyze(): Arrow, Hugging Face folders and Parquet against the reference; bit-identical across threads and chunk sizes', () => {
  const refs = new Map<string, RefCounts>();
  const domains: DomainSpec[] = [
    { name: 'stream', globs: ['arrow/stream-i32.arrow'], read: { format: 'auto' } },
    { name: 'file64', globs: ['arrow/file-i64.arrow'], read: { format: 'auto' } },
    { name: 'dataset', globs: ['hf/dataset'], read: { format: 'auto' } },
    { name: 'train', globs: ['hf/dict'], read: { format: 'auto', split: 'train' } },
    { name: 'pq', globs: ['parquet/snappy-i32.parquet', 'parquet/zstd-i32.parquet'], read: { format: 'auto' } },
    { name: 'pq64', globs: ['parquet/snappy-i64.parquet'], read: { format: 'parquet' } },
  ];
  beforeAll(() => {
    const shards = (d: string) => [0, 1].map((k) => arrowRows(`${d}/data-0000${k}-of-00002.arrow`)).flat();
    refs.set('stream', countDocuments(arrowRows('arrow/stream-i32.arrow')));
    refs.set('file64', countDocuments(arrowRows('arrow/file-i64.arrow')));
    refs.set('dataset', countDocuments(shards('hf/dataset')));
    refs.set('train', countDocuments(shards('hf/dict/train')));
    refs.set('pq', countDocuments([...parquetRows('parquet/snappy-i32.parquet'), ...parquetRows('parquet/zstd-i32.parquet')]));
    refs.set('pq64', countDocuments(parquetRows('parquet/snappy-i64.parquet')));
  });
  const go = (o: { threads: number; chunkBytes?: number }) => analyze({ domains, baseDir: FIX, memoryBytes: 64 << 20, tmpDir: dir, simd: SIMDS.at(-1)!, ...o });

  it('counts and entropies equal the reference; the report is the same for any threads and chunk size', async () => {
    const base = await go({ threads: 1 });
    expect(base.domains.map((d) => d.files.map((f) => f.format).join())).toEqual(['arrow', 'arrow', 'arrow,arrow', 'arrow,arrow', 'parquet,parquet', 'parquet']);
    for (const d of base.domains) expectDomainMatchesReference(d, refs.get(d.name)!);
    const json = JSON.stringify(base);
    for (const o of [{ threads: 2 }, { threads: 2, chunkBytes: 8 }, { threads: 1, chunkBytes: 100 }, { threads: 2, chunkBytes: 4 }]) {
      expect(JSON.stringify(await go(o)), JSON.stringify(o)).toBe(json);
    }
  });
});

describe('bad Arrow, Parquet and dataset inputs end with a stable code through analyze()', () => {
  const rows: [string, DomainSpec['read'], string, string, RegExp][] = [
    ['Parquet without the column', { format: 'auto' }, 'bad/no-list.parquet', 'E_FORMAT', /Parquet without a column named input_ids \(columns: text\)/],
    ['Parquet column that is not a list', { format: 'auto', column: 'text' }, 'bad/no-list.parquet', 'E_FORMAT', /Parquet without a list column/],
    ['Parquet id beyond --vocab', { format: 'auto', vocab: 10 }, 'parquet/zstd-i32.parquet', 'E_TOKEN_RANGE', /outside the vocabulary \(--vocab 10\) \(row \d+, item \d+\)/],
    ['Arrow int64 id beyond --vocab', { format: 'auto', vocab: 10 }, 'arrow/file-i64.arrow', 'E_TOKEN_RANGE', /outside the vocabulary \(--vocab 10\)/],
    ['Arrow negative id', { format: 'auto' }, 'bad/negative.arrow', 'E_TOKEN_RANGE', /negative token id -4/],
    ['DatasetDict without a split', { format: 'auto' }, 'hf/dict', 'E_USAGE', /splits train, test: pass --split NAME/],
    ['DatasetDict with an unknown split', { format: 'auto', split: 'dev' }, 'hf/dict', 'E_USAGE', /--split dev is not among/],
  ];
  for (const [name, read, rel, code, pattern] of rows) {
    it(`${name} -> ${code}`, async () => {
      const err = await analyze({ domains: [{ name: 'x', globs: [rel], read }], baseDir: FIX, threads: 1, memoryBytes: 64 << 20, tmpDir: dir }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(BimixError);
      expect((err as BimixError).code).toBe(code);
      expect((err as BimixError).message).toMatch(pattern);
    });
  }
});
