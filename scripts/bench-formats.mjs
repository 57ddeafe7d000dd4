#!/usr/bin/env node
// Single-thread counting throughput of the same tokens stored as Megatron (u16
// and i32), as a Hugging Face-style Arrow stream (list<int32> and list<int64>,
// 1000 rows per record batch) and as Parquet (list<int32>, snappy): the native
// count over the whole file for the mapped formats, and the worker's decode +
// count path for Parquet. Needs `npm run build` and the dev dependencies.
//
//   nice -n 10 node scripts/bench-formats.mjs [millionTokens=50] [parquetMillionTokens=10]
//
// Each measurement uses a fresh accumulator whose buffers are allocated before
// the clock starts (a one-token add), so the numbers are counting throughput.
//
// Prints one line per format: Mtokens per CPU second (best of 3) and its ratio to Megatron u16.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as arrow from 'apache-arrow';
import { parquetWriteBuffer } from 'hyparquet-writer';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { loadAddon } = await import(path.join(root, 'dist', 'engine', 'native.js'));
const { runCountTask } = await import(path.join(root, 'dist', 'exec', 'count-step.js'));
const { probeSource } = await import(path.join(root, 'dist', 'analyze', 'plan.js'));
const addon = loadAddon();
const note = (m) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${m}\n`);

const N = Math.round(Number(process.argv[2] ?? 50) * 1e6);
const NP = Math.round(Number(process.argv[3] ?? 10) * 1e6);
const VOCAB = 50000;
const dir = mkdtempSync(path.join(process.env.TMPDIR ?? os.tmpdir(), 'bimix-bench-formats-'));

// Zipf-like ids (so tables grow as in real text) in documents of 1..2000 tokens.
let s = 12345;
const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const tokens = new Uint16Array(N);
for (let i = 0; i < N; i++) tokens[i] = Math.floor(rnd() ** 3 * VOCAB);
const ends = [];
for (let e = 0; e < N; ) ends.push((e = Math.min(N, e + 1 + Math.floor(rnd() * 2000))));

function writeMegatron(prefix, dtypeCode, width) {
  const data = width === 2 ? tokens : Int32Array.from(tokens);
  writeFileSync(`${prefix}.bin`, new Uint8Array(data.buffer, 0, N * width));
  const S = ends.length;
  const head = Buffer.alloc(34);
  head.write('MMIDIDX\0\0', 0, 'latin1');
  head.writeBigUInt64LE(1n, 9);
  head.writeUInt8(dtypeCode, 17);
  head.writeBigUInt64LE(BigInt(S), 18);
  head.writeBigUInt64LE(BigInt(S + 1), 26);
  const lens = new Int32Array(S);
  const ptrs = new BigInt64Array(S);
  const docs = new BigInt64Array(S + 1);
  let prev = 0;
  ends.forEach((e, k) => {
    lens[k] = e - prev;
    ptrs[k] = BigInt(prev * width);
    docs[k + 1] = BigInt(k + 1);
    prev = e;
  });
  writeFileSync(`${prefix}.idx`, Buffer.concat([head, Buffer.from(lens.buffer), Buffer.from(ptrs.buffer), Buffer.from(docs.buffer)]));
  return `${prefix}.bin`;
}

function writeArrow(file, wide) {
  const field = new arrow.Field('item', wide ? new arrow.Int64() : new arrow.Int32(), true);
  const type = new arrow.List(field);
  const batches = [];
  for (let r = 0; r < ends.length; r += 1000) {
    const rows = ends.slice(r, r + 1000);
    const first = r === 0 ? 0 : ends[r - 1];
    const offsets = Int32Array.from([0, ...rows.map((e) => e - first)]);
    const slice = tokens.subarray(first, rows.at(-1));
    const values = wide ? BigInt64Array.from(slice, BigInt) : Int32Array.from(slice);
    const child = arrow.makeData({ type: field.type, length: values.length, nullCount: 0, data: values });
    batches.push(arrow.makeData({ type, length: rows.length, nullCount: 0, valueOffsets: offsets, child }));
  }
  writeFileSync(file, arrow.tableToIPC(new arrow.Table({ input_ids: new arrow.Vector(batches) }), 'stream'));
  return file;
}

function writeParquet(file) {
  const rows = [];
  let prev = 0;
  for (const e of ends) {
    if (prev >= NP) break;
    rows.push(Array.from(tokens.subarray(prev, Math.min(e, NP))));
    prev = e;
  }
  const schema = [
    { name: 'root', num_children: 1 },
    { name: 'input_ids', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    { name: 'element', type: 'INT32', repetition_type: 'REQUIRED' },
  ];
  writeFileSync(file, new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 'input_ids', data: rows }], schema, codec: 'SNAPPY', rowGroupSize: 1000 })));
  return { file, tokens: Math.min(prev, NP) };
}

// CPU seconds of this process since `t0` (one thread counts; on a shared machine
// CPU time is steadier than wall time).
const cpuSeconds = (t0) => {
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1e6;
};

const config = { memoryBytes: 512 << 20, spillDir: dir, simd: 'auto', vocab: VOCAB, unigramsOnly: false };

function timeNative(file) {
  const src = new addon.Source({ path: file });
  let best = Infinity;
  for (let k = 0; k < 3; k++) {
    const acc = new addon.Accumulator(config);
    acc.add(src, 0, 1); // allocates the scatter buffer and tables outside the timing
    const t0 = process.cpuUsage();
    for (let b = 1; b < src.info.tokens; b += 16 << 20) acc.add(src, b, Math.min(src.info.tokens, b + (16 << 20))).tokens;
    best = Math.min(best, cpuSeconds(t0));
    note(`${src.info.format} ${src.info.dtype}: ${(best * 1e3).toFixed(0)} ms`);
  }
  return { seconds: best, tokens: src.info.tokens - 1, format: src.info.format, dtype: src.info.dtype };
}

async function timeParquet(file) {
  const spec = { path: file, format: 'auto', eos: -2 };
  const entry = await probeSource(spec);
  let best = Infinity;
  let counted = 0;
  for (let k = 0; k < 3; k++) {
    const t0 = process.cpuUsage();
    const r = await runCountTask({ kind: 'count', sources: [spec], chunks: Float64Array.from([0, 0, entry.tokens]), config, out: path.join(dir, 'pq.bimixps'), meta: '{}', register: `bench-${k}` });
    best = Math.min(best, cpuSeconds(t0));
    addon.discardRegistered(`bench-${k}`);
    counted = r.tokens;
    note(`parquet: ${(best * 1e3).toFixed(0)} ms`);
  }
  return { seconds: best, tokens: counted, format: 'parquet', dtype: entry.dtype };
}

try {
  const rows = [];
  note('files written; timing');
  rows.push(['megatron u16', timeNative(writeMegatron(path.join(dir, 'm16'), 8, 2))]);
  rows.push(['megatron i32', timeNative(writeMegatron(path.join(dir, 'm32'), 4, 4))]);
  rows.push(['arrow stream list<int32>', timeNative(writeArrow(path.join(dir, 'a32.arrow'), false))]);
  rows.push(['arrow stream list<int64>', timeNative(writeArrow(path.join(dir, 'a64.arrow'), true))]);
  note('mapped formats timed; writing Parquet');
  const pq = writeParquet(path.join(dir, 'p.parquet'));
  note('Parquet written');
  rows.push(['parquet list<int32> snappy', await timeParquet(pq.file)]);
  const base = rows[0][1].tokens / rows[0][1].seconds;
  console.log(`${(N / 1e6).toFixed(0)}M tokens (${ends.length} documents), Parquet ${(pq.tokens / 1e6).toFixed(0)}M; one thread, CPU time, best of 3`);
  for (const [name, r] of rows) {
    const rate = r.tokens / r.seconds;
    console.log(`${name.padEnd(28)} ${(rate / 1e6).toFixed(1).padStart(7)} Mtokens/s  ${(rate / base).toFixed(2)}x megatron u16  (${r.format} ${r.dtype}, ${r.tokens} tokens, ${r.seconds.toFixed(3)} s)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
