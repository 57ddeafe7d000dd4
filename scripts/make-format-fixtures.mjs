#!/usr/bin/env node
// Writes the small Arrow IPC and Parquet fixtures of test/formats-arrow-parquet.test.ts
// into test/fixtures/formats/ (deterministic; rerun after changing this file).
// Needs the dev dependencies apache-arrow and hyparquet-writer, and the zstd CLI
// for the zstd-compressed Parquet file.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as arrow from 'apache-arrow';
import { parquetWriteBuffer } from 'hyparquet-writer';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'formats');

/** A seeded generator of documents: lengths 0..maxLen (with empty and one-token rows), ids below vocab. */
function documents(seed, count, vocab, maxLen = 40) {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s);
  const docs = [];
  for (let i = 0; i < count; i++) {
    const len = i % 7 === 0 ? 0 : i % 5 === 0 ? 1 : next() % maxLen;
    // Zipf-ish ids so that bigrams repeat.
    docs.push(Array.from({ length: len }, () => Math.floor((next() / 2 ** 32) ** 3 * vocab)));
  }
  return docs;
}

function listType(valueType, large = false) {
  const f = new arrow.Field('item', valueType, true);
  return large ? new arrow.LargeList(f) : new arrow.List(f);
}

/** A table of several record batches; `columns(docs)` gives the batch's columns. */
function table(batches, columns) {
  const parts = batches.map((docs) => new arrow.Table(columns(docs)));
  return parts.slice(1).reduce((t, p) => t.concat(p), parts[0]);
}

function write(rel, bytes) {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, bytes);
}

function hfColumns(docs, valueType = new arrow.Int32(), toValue = (x) => x) {
  return {
    text: arrow.vectorFromArray(docs.map((d) => `doc of ${d.length}`), new arrow.Utf8()),
    input_ids: arrow.vectorFromArray(docs.map((d) => d.map(toValue)), listType(valueType)),
    attention_mask: arrow.vectorFromArray(docs.map((d) => d.map(() => 1)), listType(new arrow.Int8())),
  };
}

const zstd = (bytes) => new Uint8Array(execFileSync('zstd', ['-q', '-c', '-3'], { input: bytes }));

rmSync(root, { recursive: true, force: true });
const batchesOf = (seed, n, vocab) => [0, 1, 2].map((k) => documents(seed + k, n + k * 3, vocab));

// Stream, int32 ids beside text and attention_mask, three batches, one null row.
const streamDocs = batchesOf(1, 20, 300);
const streamTable = table(streamDocs, (docs) => ({
  ...hfColumns(docs),
  input_ids: arrow.vectorFromArray(docs.map((d, i) => (i === 7 ? null : d)), listType(new arrow.Int32())),
}));
write('arrow/stream-i32.arrow', arrow.tableToIPC(streamTable, 'stream'));
// File format, int64 ids.
write('arrow/file-i64.arrow', arrow.tableToIPC(table(batchesOf(11, 25, 1000), (docs) => hfColumns(docs, new arrow.Int64(), BigInt)), 'file'));
// large_list<uint16>, stream, token column named "tokens".
write(
  'arrow/tokens-u16.arrow',
  arrow.tableToIPC(table(batchesOf(21, 15, 60000), (docs) => ({ tokens: arrow.vectorFromArray(docs, listType(new arrow.Uint16(), true)) })), 'stream'),
);
// File format, uint8 and int16 values.
write('arrow/file-u8.arrow', arrow.tableToIPC(table(batchesOf(31, 12, 256), (docs) => ({ input_ids: arrow.vectorFromArray(docs, listType(new arrow.Uint8())) })), 'file'));
write('arrow/stream-i16.arrow', arrow.tableToIPC(table(batchesOf(41, 12, 30000), (docs) => ({ input_ids: arrow.vectorFromArray(docs, listType(new arrow.Int16())) })), 'stream'));
// A negative id (int32) and a text-only table (no list column).
write('bad/negative.arrow', arrow.tableToIPC(new arrow.Table({ input_ids: arrow.vectorFromArray([[1, 2], [3, -4, 5]], listType(new arrow.Int32())) }), 'stream'));
// One batch with known int32 offsets [0, 3, 5]: the error tests patch them in place.
write('arrow/offsets-12345.arrow', arrow.tableToIPC(new arrow.Table({ input_ids: arrow.vectorFromArray([[1, 2, 3], [4, 5]], listType(new arrow.Int32())) }), 'stream'));
write('bad/text-only.arrow', arrow.tableToIPC(new arrow.Table({ text: arrow.vectorFromArray(['a', 'b'], new arrow.Utf8()) }), 'file'));

// A ZSTD-compressed IPC body (refused), and a pre-0.15 stream without continuation markers.
arrow.compressionRegistry.set(arrow.CompressionType.ZSTD, { encode: (b) => zstd(b), decode: () => { throw new Error('not needed'); } });
const small = () => new arrow.Table({ input_ids: arrow.vectorFromArray([[1, 2, 3], [4, 5]], listType(new arrow.Int32())) });
write('bad/zstd-body.arrow', arrow.RecordBatchStreamWriter.writeAll(small(), { compressionType: arrow.CompressionType.ZSTD }).toUint8Array(true));
write('arrow/legacy-stream.arrow', arrow.RecordBatchStreamWriter.writeAll(small(), { writeLegacyIpcFormat: true }).toUint8Array(true));

// A saved Hugging Face dataset: two stream shards, state.json, dataset_info.json.
function datasetDir(rel, seed, shards) {
  const files = [];
  for (let k = 0; k < shards; k++) {
    const name = `data-${String(k).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.arrow`;
    write(`${rel}/${name}`, arrow.tableToIPC(table(batchesOf(seed + 10 * k, 10, 500), (docs) => hfColumns(docs)), 'stream'));
    files.push({ filename: name });
  }
  write(`${rel}/state.json`, JSON.stringify({ _data_files: files, _fingerprint: `f${seed}`, _format_columns: null, _format_kwargs: {}, _format_type: null, _output_all_columns: false, _split: null }, null, 2));
  write(
    `${rel}/dataset_info.json`,
    JSON.stringify({ features: { text: { dtype: 'string', _type: 'Value' }, input_ids: { feature: { dtype: 'int32', _type: 'Value' }, _type: 'Sequence' } } }, null, 2),
  );
}
datasetDir('hf/dataset', 51, 2);
datasetDir('hf/dict/train', 61, 2);
datasetDir('hf/dict/test', 71, 1);
write('hf/dict/dataset_dict.json', JSON.stringify({ splits: ['train', 'test'] }));

// Parquet: list<int32> in several row groups, snappy and zstd; an int64 one; one without a list column.
function parquet(rel, docs, { codec = 'SNAPPY', type = 'INT32', rowGroupSize = 17 } = {}) {
  const schema = [
    { name: 'root', num_children: 2 },
    { name: 'id', type: 'INT32', repetition_type: 'REQUIRED' },
    { name: 'input_ids', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    { name: 'element', type, repetition_type: 'REQUIRED' },
  ];
  const data = type === 'INT64' ? docs.map((d) => d && d.map(BigInt)) : docs;
  const buf = parquetWriteBuffer({
    columnData: [
      { name: 'id', data: docs.map((_, i) => i) },
      { name: 'input_ids', data },
    ],
    schema,
    codec,
    compressors: { ZSTD: zstd },
    rowGroupSize,
  });
  write(rel, new Uint8Array(buf));
  // The rows as written, so tests compare with what went in, not with a reader.
  write(rel.replace(/\.parquet$/, '.rows.json'), JSON.stringify(docs));
}
const pqDocs = documents(81, 60, 400);
pqDocs[9] = null;
parquet('parquet/snappy-i32.parquet', pqDocs);
parquet('parquet/zstd-i32.parquet', documents(91, 50, 700), { codec: 'ZSTD', rowGroupSize: 13 });
parquet('parquet/snappy-i64.parquet', documents(101, 40, 900), { type: 'INT64', rowGroupSize: 11 });
write('bad/no-list.parquet', new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 'text', data: ['a', 'b'], type: 'STRING' }] })));
console.log(`fixtures written to ${root}`);
