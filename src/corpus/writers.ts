/**
 * Writers for every format bimix reads, used by the sample-corpus generator, the
 * tests and the benchmark. Documents are arrays of token ids.
 */
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tokenWidth } from './types.js';

type Docs = ArrayLike<number>[];

function concat(docs: Docs, sep: number | undefined, where: 'before' | 'after'): number[] {
  const out: number[] = [];
  for (const d of docs) {
    if (sep !== undefined && where === 'before') out.push(sep);
    for (let i = 0; i < d.length; i++) out.push(d[i]!);
    if (sep !== undefined && where === 'after') out.push(sep);
  }
  return out;
}

function typed(tokens: ArrayLike<number>, dtype: 'u8' | 'u16' | 'u32' | 'i16' | 'i32'): Uint8Array {
  const arr =
    dtype === 'u8'
      ? Uint8Array.from(tokens)
      : dtype === 'u16'
        ? Uint16Array.from(tokens)
        : dtype === 'i16'
          ? Int16Array.from(tokens)
          : dtype === 'i32'
            ? Int32Array.from(tokens)
            : Uint32Array.from(tokens);
  return new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
}

/** Raw headerless memmap (nanoGPT): documents followed by `eos` when given. */
export function writeRaw(file: string, docs: Docs, opts: { dtype?: 'u16' | 'u32'; eos?: number; eosWhere?: 'before' | 'after' } = {}): void {
  writeFileSync(file, typed(concat(docs, opts.eos, opts.eosWhere ?? 'after'), opts.dtype ?? 'u16'));
}

/** llm.c shard: 256 x int32 header (magic, version 1, count), documents each preceded by the BOS/EOT token. */
export function writeLlmc(file: string, docs: Docs, opts: { wide?: boolean; separator?: number } = {}): void {
  const wide = opts.wide ?? false;
  const sep = opts.separator ?? (wide ? 128000 : 50256);
  const tokens = concat(docs, sep, 'before');
  const header = new Int32Array(256);
  header[0] = wide ? 20240801 : 20240520;
  header[1] = wide ? 7 : 1;
  header[2] = tokens.length;
  const body = typed(tokens, wide ? 'u32' : 'u16');
  const out = new Uint8Array(1024 + body.length);
  out.set(new Uint8Array(header.buffer), 0);
  out.set(body, 1024);
  writeFileSync(file, out);
}

/** Megatron indexed dataset (prefix.bin + prefix.idx). Each document may be split into several sequences. */
export function writeMegatron(
  prefix: string,
  docs: ArrayLike<number>[][] | Docs,
  opts: { dtype?: 'u8' | 'u16' | 'i16' | 'i32' } = {},
): void {
  const dtype = opts.dtype ?? 'u16';
  const code = { u8: 1, i16: 3, i32: 4, u16: 8 }[dtype];
  const width = tokenWidth(dtype);
  const seqs: ArrayLike<number>[] = [];
  const docIdx: number[] = [0];
  for (const d of docs as unknown[]) {
    const parts = Array.isArray(d) && d.length > 0 && typeof d[0] !== 'number' ? (d as ArrayLike<number>[]) : [d as ArrayLike<number>];
    for (const p of parts) seqs.push(p);
    docIdx.push(seqs.length);
  }
  const all: number[] = [];
  for (const s of seqs) for (let i = 0; i < s.length; i++) all.push(s[i]!);
  writeFileSync(`${prefix}.bin`, typed(all, dtype));
  const S = seqs.length;
  const D = docIdx.length;
  const buf = Buffer.alloc(9 + 8 + 1 + 8 + 8 + S * 4 + S * 8 + D * 8);
  let o = 0;
  buf.write('MMIDIDX\0\0', o, 'binary');
  o += 9;
  buf.writeBigUInt64LE(1n, o);
  o += 8;
  buf.writeUInt8(code, o);
  o += 1;
  buf.writeBigUInt64LE(BigInt(S), o);
  o += 8;
  buf.writeBigUInt64LE(BigInt(D), o);
  o += 8;
  for (const s of seqs) {
    buf.writeInt32LE(s.length, o);
    o += 4;
  }
  let ptr = 0;
  for (const s of seqs) {
    buf.writeBigInt64LE(BigInt(ptr), o);
    o += 8;
    ptr += s.length * width;
  }
  for (const d of docIdx) {
    buf.writeBigInt64LE(BigInt(d), o);
    o += 8;
  }
  writeFileSync(`${prefix}.idx`, buf);
}

/** Real NumPy .npy (format 1.0), 1-D, documents separated by `eos` when given. */
export function writeNpy(file: string, docs: Docs, opts: { dtype?: 'u16' | 'u32' | 'i32'; eos?: number } = {}): void {
  const dtype = opts.dtype ?? 'u16';
  const tokens = concat(docs, opts.eos, 'after');
  const descr = { u16: '<u2', u32: '<u4', i32: '<i4' }[dtype];
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${tokens.length},), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.writeUInt8(0x93, 0);
  pre.write('NUMPY', 1, 'binary');
  pre.writeUInt8(1, 6);
  pre.writeUInt8(0, 7);
  pre.writeUInt16LE(header.length, 8);
  writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'), typed(tokens, dtype)]));
}

/** dolma-style memmap with a `X.csv.gz` sidecar of document spans (start,end,id,src,loc). */
export function writeDolma(stem: string, docs: Docs, opts: { dtype?: 'u16' | 'u32' } = {}): void {
  writeRaw(`${stem}.npy`, docs, { dtype: opts.dtype ?? 'u16' });
  const rows: string[] = [];
  let pos = 0;
  docs.forEach((d, i) => {
    rows.push(`${pos},${pos + d.length},doc-${i},generated,${i}`);
    pos += d.length;
  });
  writeFileSync(`${stem}.csv.gz`, gzipSync(`${rows.join('\n')}\n`));
}

/** datatrove tokenized file: X.ds tokens, X.ds.index u64 cumulative document ends, X.ds.metadata. */
export function writeDatatrove(file: string, docs: Docs, opts: { wide?: boolean } = {}): void {
  const tokens = concat(docs, undefined, 'after');
  writeFileSync(file, typed(tokens, opts.wide ? 'u32' : 'u16'));
  const ends = new BigUint64Array(docs.length);
  let pos = 0;
  docs.forEach((d, i) => {
    pos += d.length;
    ends[i] = BigInt(pos);
  });
  writeFileSync(`${file}.index`, new Uint8Array(ends.buffer));
  writeFileSync(`${file}.metadata`, `generated-tokenizer|${opts.wide ? 4 : 2}\n${tokens.length}\n`);
}
