/**
 * Bad input: every case ends in an error with a stable code, the file it concerns
 * and the byte offset where known - natively, through the library, and from the
 * CLI (exit code 2, E_... and the file on stderr, no report written).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../src/analyze/index.js';
import { writeDatatrove, writeLlmc, writeMegatron, writeNpy, writeRaw } from '../src/corpus/writers.js';
import { loadAddon, type NativeSourceSpec } from '../src/engine/native.js';
import { BimixError } from '../src/errors.js';

const addon = loadAddon();
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let dir: string;
const p = (name: string) => path.join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bimix-errors-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface NativeErr {
  code: string;
  file?: string;
  offset?: number;
  message: string;
  error?: unknown;
}

function caught(fn: () => unknown): NativeErr {
  try {
    fn();
  } catch (e) {
    const x = e as NativeErr & { detail?: string };
    // The message as the kernel gave it (a BimixError's detail: without the file and offset prefix).
    return { code: x.code, file: x.file, offset: x.offset, message: x.detail ?? x.message, error: e };
  }
  throw new Error('expected an error');
}

/** Makes a FIFO at `file` (nothing ever writes to it: reading it would block forever). */
function fifo(file: string): void {
  execFileSync('mkfifo', [file]);
}

/** A float32 (rows x dims) .npy file holding `values`. */
function writeF32Npy(file: string, rows: number, dims: number, values: number[]): void {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${dims}), }`;
  header = header.padEnd(118, ' ') + '\n';
  const head = Buffer.concat([Buffer.from([0x93]), Buffer.from('NUMPY', 'latin1'), Buffer.from([1, 0]), Buffer.alloc(2), Buffer.from(header, 'latin1')]);
  head.writeUInt16LE(header.length, 8);
  writeFileSync(file, Buffer.concat([head, Buffer.from(new Float32Array(values).buffer)]));
}

/** A valid Megatron .idx for `docs` with fields patched afterwards. */
function idxBytes(docs: number[][], patch?: (b: Buffer) => void, dtype: 'u16' | 'i16' | 'i32' = 'u16'): void {
  writeMegatron(p('m'), docs, { dtype });
  if (patch) {
    const b = readFileSync(p('m.idx'));
    patch(b);
    writeFileSync(p('m.idx'), b);
  }
}
const HEADER = 9 + 8 + 1 + 8 + 8; // 34
/** writeNpy pads its 1.0 header to 128 bytes for these small shapes. */
const NPY_DATA = 128;

/** A one-batch Arrow stream of input_ids [[1, 2, 3], [4, 5]] with its int32 offsets [0, 3, 5] patched. */
function patchedArrow(patch: (offsets: Buffer) => void): Buffer {
  const b = Buffer.from(readFileSync(path.join(root, 'test/fixtures/formats/arrow/offsets-12345.arrow')));
  const at = b.indexOf(Buffer.from([0, 0, 0, 0, 3, 0, 0, 0, 5, 0, 0, 0]));
  if (at < 0) throw new Error('offsets not found in the fixture');
  patch(b.subarray(at, at + 12));
  return b;
}

// name, setup (writes files and returns the spec), expected code, file (basename), offset (or undefined), message pattern
type Row = [string, () => NativeSourceSpec, string, string, number | undefined, RegExp?];

const SOURCE_ROWS: Row[] = [
  ['raw u16 with an odd size', () => (writeFileSync(p('odd.bin'), Buffer.alloc(7)), { path: p('odd.bin'), format: 'raw', dtype: 'u16' }), 'E_TRUNCATED', 'odd.bin', 6, /multiple of the 2-byte/],
  ['raw u32 misaligned', () => (writeFileSync(p('mis.bin'), Buffer.alloc(10)), { path: p('mis.bin'), format: 'raw', dtype: 'u32' }), 'E_TRUNCATED', 'mis.bin', 8],
  ['empty raw file', () => (writeFileSync(p('empty.bin'), ''), { path: p('empty.bin'), format: 'raw' }), 'E_EMPTY', 'empty.bin', 0],
  ['empty file, auto-detected', () => (writeFileSync(p('empty2.bin'), ''), { path: p('empty2.bin') }), 'E_EMPTY', 'empty2.bin', 0],
  ['missing path', () => ({ path: p('nope.bin'), format: 'raw' }), 'E_IO', 'nope.bin', undefined],
  ['a directory as a shard', () => (mkdirSync(p('adir.bin'), { recursive: true }), { path: p('adir.bin'), format: 'raw' }), 'E_IO', 'adir.bin', undefined],
  // Megatron
  ['.idx with the wrong magic', () => (idxBytes([[1, 2]], (b) => b.write('XXIDIDX', 0, 'latin1')), { path: p('m.bin') , format: 'megatron' }), 'E_FORMAT', 'm.idx', 0, /magic/],
  ['legacy TNTIDX .idx', () => (idxBytes([[1, 2]], (b) => b.write('TNTIDX\0\0', 0, 'latin1')), { path: p('m.bin') }), 'E_FORMAT', 'm.idx', 0, /TNTIDX/],
  ['.idx version 2', () => (idxBytes([[1, 2]], (b) => b.writeBigUInt64LE(2n, 9)), { path: p('m.bin') }), 'E_FORMAT', 'm.idx', 9, /version 2/],
  ...[2, 5, 6, 7].map(
    (code): Row => [`.idx dtype code ${code}`, () => (idxBytes([[1, 2]], (b) => b.writeUInt8(code, 17)), { path: p('m.bin') }), 'E_FORMAT', 'm.idx', 17, new RegExp(`dtype code ${code}`)],
  ),
  ['.idx unknown dtype code 9', () => (idxBytes([[1, 2]], (b) => b.writeUInt8(9, 17)), { path: p('m.bin') }), 'E_FORMAT', 'm.idx', 17],
  ['.idx header declares more sequences than the file holds', () => (idxBytes([[1, 2]], (b) => b.writeBigUInt64LE(1000n, 18)), { path: p('m.bin') }), 'E_TRUNCATED', 'm.idx', undefined, /1000 sequences/],
  ['.idx with trailing bytes', () => (idxBytes([[1, 2]]), writeFileSync(p('m.idx'), Buffer.concat([readFileSync(p('m.idx')), Buffer.alloc(3)])), { path: p('m.bin') }), 'E_FORMAT', 'm.idx', undefined, /trailing/],
  ['.idx truncated header', () => (idxBytes([[1, 2]]), truncateSync(p('m.idx'), 20), { path: p('m.bin') }), 'E_TRUNCATED', 'm.idx', 20],
  // one sequence: lengths at 34, pointers at 38
  ['.idx pointer outside .bin', () => (idxBytes([[1, 2]], (b) => b.writeBigInt64LE(1000n, HEADER + 4)), { path: p('m.bin') }), 'E_FORMAT', 'm.idx', HEADER + 4, /outside \.bin/],
  ['.idx negative pointer', () => (idxBytes([[1, 2]], (b) => b.writeBigInt64LE(-8n, HEADER + 4)), { path: p('m.bin') }), 'E_FORMAT', 'm.idx', HEADER + 4],
  ['.idx sequence longer than .bin', () => (idxBytes([[1, 2]], (b) => b.writeInt32LE(50, HEADER)), { path: p('m.bin') }), 'E_FORMAT', 'm.idx', HEADER, /past the end of \.bin/],
  ['.bin larger than the index says', () => (idxBytes([[1, 2]]), writeFileSync(p('m.bin'), Buffer.alloc(10)), { path: p('m.bin') }), 'E_FORMAT', 'm.idx', undefined, /covers 4/],
  ['.idx document_indices not ending at S', () => (idxBytes([[1, 2], [3]], (b) => b.writeBigInt64LE(1n, b.length - 8)), { path: p('m.bin') }), 'E_FORMAT', 'm.idx', undefined],
  ['empty .idx', () => (idxBytes([[1, 2]]), writeFileSync(p('m.idx'), ''), { path: p('m.bin'), format: 'megatron' }), 'E_EMPTY', 'm.idx', 0],
  ['Megatron without its .bin', () => (idxBytes([[1, 2]]), rmSync(p('m.bin')), { path: p('m.idx') }), 'E_IO', 'm.bin', undefined],
  // auto-detection refuses what is not tokens, and never guesses raw for a Megatron pair
  ['empty .idx beside a .bin (auto)', () => (idxBytes([[1, 2]]), writeFileSync(p('m.idx'), ''), { path: p('m.bin') }), 'E_EMPTY', 'm.idx', 0],
  ['foreign .idx beside a .bin (auto)', () => (idxBytes([[1, 2]], (b) => b.write('XXIDIDX', 0, 'latin1')), { path: p('m.bin') }), 'E_FORMAT', 'm.idx', 0, /magic/],
  ['Megatron-named .bin without its .idx', () => (writeFileSync(p('web_text_document.bin'), Buffer.alloc(8)), { path: p('web_text_document.bin') }), 'E_FORMAT', 'web_text_document.bin', 0, /web_text_document\.idx is missing/],
  ['gzip named .bin', () => (writeFileSync(p('gz.bin'), Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0])), { path: p('gz.bin') }), 'E_FORMAT', 'gz.bin', 0, /gzip.*decompress or tokenize/],
  ['zstd frame', () => (writeFileSync(p('z.bin'), Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0])), { path: p('z.bin') }), 'E_FORMAT', 'z.bin', 0, /zstd/],
  ['bzip2 stream', () => (writeFileSync(p('b.bin'), Buffer.from('BZh91AY&SY')), { path: p('b.bin') }), 'E_FORMAT', 'b.bin', 0, /bzip2/],
  ['xz stream', () => (writeFileSync(p('x.bin'), Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0, 0, 4])), { path: p('x.bin') }), 'E_FORMAT', 'x.bin', 0, /xz/],
  ['webdataset tar', () => {
    const b = Buffer.alloc(1024);
    b.write('000000.input_ids.npy', 0, 'latin1');
    b.write('ustar\0' + '00', 257, 'latin1');
    writeFileSync(p('shard-000000.tar'), b);
    return { path: p('shard-000000.tar') };
  }, 'E_FORMAT', 'shard-000000.tar', 0, /tar archive/],
  ['JSONL named .bin', () => (writeFileSync(p('docs.bin'), '{"text": "hello"}\n{"text": "world"}\n'), { path: p('docs.bin') }), 'E_FORMAT', 'docs.bin', 0, /JSON\/JSONL/],
  ['plain text named .tokens', () => (writeFileSync(p('notes.tokens'), 'Call me Ishmael. Some years ago\n'), { path: p('notes.tokens') }), 'E_FORMAT', 'notes.tokens', 0, /plain text/],
  ['unknown extension', () => (writeFileSync(p('shard.dat'), Buffer.from([1, 0, 2, 0, 0, 0])), { path: p('shard.dat') }), 'E_FORMAT', 'shard.dat', 0, /cannot tell.*--format raw/],
  ['Parquet through the native reader', () => (writeFileSync(p('t.parquet'), Buffer.from('PAR1\0\0PAR1')), { path: p('t.parquet') }), 'E_USAGE', 't.parquet', undefined, /Parquet/],
  // Arrow IPC
  ['Arrow stream cut short', () => {
    const b = readFileSync(path.join(root, 'test/fixtures/formats/arrow/stream-i32.arrow'));
    writeFileSync(p('cut.arrow'), b.subarray(0, 900));
    return { path: p('cut.arrow') };
  }, 'E_TRUNCATED', 'cut.arrow', undefined, /past the end/],
  ['Arrow file without its closing magic', () => {
    const b = readFileSync(path.join(root, 'test/fixtures/formats/arrow/file-i64.arrow'));
    writeFileSync(p('cut2.arrow'), b.subarray(0, b.length - 3));
    return { path: p('cut2.arrow') };
  }, 'E_TRUNCATED', 'cut2.arrow', undefined, /ARROW1/],
  ['Arrow offsets that decrease', () => (writeFileSync(p('dec.arrow'), patchedArrow((o) => o.writeInt32LE(2, 8))), { path: p('dec.arrow') }), 'E_FORMAT', 'dec.arrow', undefined, /offsets decrease at row 1/],
  ['Arrow offsets past the values', () => (writeFileSync(p('past.arrow'), patchedArrow((o) => o.writeInt32LE(99, 8))), { path: p('past.arrow') }), 'E_FORMAT', 'past.arrow', undefined, /ends past the 5 values/],
  ['Arrow first offset negative', () => (writeFileSync(p('neg.arrow'), patchedArrow((o) => o.writeInt32LE(-1, 0))), { path: p('neg.arrow') }), 'E_FORMAT', 'neg.arrow', undefined, /first offset/],
  ['Arrow with ZSTD-compressed bodies', () => ({ path: path.join(root, 'test/fixtures/formats/bad/zstd-body.arrow') }), 'E_FORMAT', 'zstd-body.arrow', undefined, /compressed \(ZSTD\), which is not supported; rewrite the file uncompressed/],
  ['pre-0.15 Arrow stream under auto', () => ({ path: path.join(root, 'test/fixtures/formats/arrow/legacy-stream.arrow') }), 'E_FORMAT', 'legacy-stream.arrow', 0, /--format arrow/],
  ['Arrow column that is not a list', () => ({ path: path.join(root, 'test/fixtures/formats/bad/text-only.arrow'), column: 'text' }), 'E_FORMAT', 'text-only.arrow', undefined, /not a list/],
  ['Arrow without the token column', () => ({ path: path.join(root, 'test/fixtures/formats/arrow/stream-i32.arrow'), column: 'ids' }), 'E_FORMAT', 'stream-i32.arrow', undefined, /no column named ids \(columns: text, input_ids, attention_mask\)/],
  // llm.c
  ['llm.c count larger than the file', () => {
    writeLlmc(p('l.bin'), [[1, 2, 3]]);
    const b = readFileSync(p('l.bin'));
    b.writeInt32LE(100, 8);
    writeFileSync(p('l.bin'), b);
    return { path: p('l.bin') };
  }, 'E_TRUNCATED', 'l.bin', 1024 + 8, /100 tokens/],
  ['llm.c count smaller than the file', () => {
    writeLlmc(p('l.bin'), [[1, 2, 3]]);
    const b = readFileSync(p('l.bin'));
    b.writeInt32LE(2, 8);
    writeFileSync(p('l.bin'), b);
    return { path: p('l.bin') };
  }, 'E_FORMAT', 'l.bin', 1024 + 4],
  ['llm.c header shorter than 1024 bytes', () => (writeLlmc(p('l.bin'), [[1]]), truncateSync(p('l.bin'), 100), { path: p('l.bin') }), 'E_TRUNCATED', 'l.bin', 100],
  ['llm.c forced on a foreign file', () => (writeFileSync(p('f.bin'), Buffer.alloc(2048, 1)), { path: p('f.bin'), format: 'llmc' }), 'E_FORMAT', 'f.bin', 0, /magic/],
  ['llm.c negative count', () => {
    writeLlmc(p('l.bin'), [[1]]);
    const b = readFileSync(p('l.bin'));
    b.writeInt32LE(-1, 8);
    writeFileSync(p('l.bin'), b);
    return { path: p('l.bin') };
  }, 'E_FORMAT', 'l.bin', 8],
  // npy
  ['npy shape larger than the data', () => (writeNpy(p('a.npy'), [[1, 2, 3, 4]]), truncateSync(p('a.npy'), NPY_DATA + 4), { path: p('a.npy') }), 'E_TRUNCATED', 'a.npy', NPY_DATA + 4, /shape says 4/],
  ['npy with bytes after the array', () => (writeNpy(p('a.npy'), [[1, 2]]), writeFileSync(p('a.npy'), Buffer.concat([readFileSync(p('a.npy')), Buffer.alloc(2)])), { path: p('a.npy') }), 'E_FORMAT', 'a.npy', NPY_DATA + 4],
  ['npy float dtype', () => (writeNpy(p('a.npy'), [[1, 2]]), writeFileSync(p('a.npy'), readFileSync(p('a.npy'), 'latin1').replace('<u2', '<f2'), 'latin1'), { path: p('a.npy') }), 'E_FORMAT', 'a.npy', 10, /<f2/],
  ['npy 2-D array', () => (writeNpy(p('a.npy'), [[1, 2]]), writeFileSync(p('a.npy'), readFileSync(p('a.npy'), 'latin1').replace('(2,)', '(1,2)'), 'latin1'), { path: p('a.npy') }), 'E_FORMAT', 'a.npy', 10, /1-D/],
  ['npy version 9', () => (writeNpy(p('a.npy'), [[1, 2]]), writeFileSync(p('a.npy'), Buffer.from(readFileSync(p('a.npy')).map((v, i) => (i === 6 ? 9 : v)))), { path: p('a.npy') }), 'E_FORMAT', 'a.npy', 6],
  ['empty file forced as npy', () => (writeFileSync(p('e.npy'), ''), { path: p('e.npy'), format: 'npy' }), 'E_EMPTY', 'e.npy', 0],
  // datatrove
  ['datatrove index not a multiple of 8', () => (writeDatatrove(p('d.ds'), [[1, 2], [3]]), truncateSync(p('d.ds.index'), 12), { path: p('d.ds') }), 'E_TRUNCATED', 'd.ds.index', 8],
  ['datatrove index decreasing', () => {
    writeDatatrove(p('d.ds'), [[1, 2], [3]]);
    writeFileSync(p('d.ds.index'), new Uint8Array(new BigUint64Array([2n, 1n]).buffer));
    return { path: p('d.ds') };
  }, 'E_FORMAT', 'd.ds.index', 8],
  ['datatrove index past the tokens', () => {
    writeDatatrove(p('d.ds'), [[1, 2], [3]]);
    writeFileSync(p('d.ds.index'), new Uint8Array(new BigUint64Array([2n, 9n]).buffer));
    return { path: p('d.ds') };
  }, 'E_FORMAT', 'd.ds.index', 8, /past the 3 tokens/],
  ['datatrove without .ds.index (forced)', () => (writeFileSync(p('x.ds'), Buffer.alloc(4)), { path: p('x.ds'), format: 'datatrove' }), 'E_IO', 'x.ds.index', undefined],
  ['datatrove odd .ds size', () => (writeDatatrove(p('d.ds'), [[1, 2]]), writeFileSync(p('d.ds'), Buffer.alloc(5)), { path: p('d.ds') }), 'E_TRUNCATED', 'd.ds', 4],
  // Only regular files: FIFOs and devices are refused by name (and opening them cannot block).
  ['missing path says so', () => ({ path: p('nope2.bin'), format: 'raw' }), 'E_IO', 'nope2.bin', undefined, /^does not exist$/],
  ['a directory says so', () => (mkdirSync(p('adir2.bin'), { recursive: true }), { path: p('adir2.bin'), format: 'raw' }), 'E_IO', 'adir2.bin', undefined, /^is a directory$/],
  ['a FIFO as a shard', () => (fifo(p('pipe.bin')), { path: p('pipe.bin'), format: 'raw' }), 'E_IO', 'pipe.bin', undefined, /^not a regular file$/],
  ['a FIFO as a shard, auto-detected', () => (fifo(p('pipe2.bin')), { path: p('pipe2.bin') }), 'E_IO', 'pipe2.bin', undefined, /not a regular file/],
  ['a symlink to /dev/zero as a shard', () => (symlinkSync('/dev/zero', p('zero.bin')), { path: p('zero.bin'), format: 'raw' }), 'E_IO', 'zero.bin', undefined, /not a regular file/],
  ['a FIFO .idx beside a .bin', () => (writeFileSync(p('fi.bin'), Buffer.alloc(4)), fifo(p('fi.idx')), { path: p('fi.bin') }), 'E_IO', 'fi.idx', undefined, /not a regular file/],
  ['a FIFO .ds.index', () => (writeFileSync(p('fd.ds'), Buffer.alloc(4)), fifo(p('fd.ds.index')), { path: p('fd.ds') }), 'E_IO', 'fd.ds.index', undefined, /not a regular file/],
];

describe('bad shards: native Source errors carry code, file and offset', () => {
  for (const [name, setup, code, file, offset, pattern] of SOURCE_ROWS) {
    it(`${name} -> ${code}`, () => {
      const spec = setup();
      const e = caught(() => new addon.Source(spec));
      expect(e.code, e.message).toBe(code);
      expect(path.basename(e.file ?? '')).toBe(file);
      if (offset !== undefined) expect(e.offset, e.message).toBe(offset);
      if (pattern) expect(e.message).toMatch(pattern);
      // The addon throws the BimixError class it was handed at load: file and offset in the message.
      expect(e.error).toBeInstanceOf(BimixError);
      const full = (e.error as Error).message;
      expect(full).toContain(file);
      if (offset !== undefined) expect(full).toContain(`byte ${offset}`);
    });
  }
});

describe('token ids out of range: E_TOKEN_RANGE at the byte offset of the first bad token', () => {
  const acc = (vocab = 0) => new addon.Accumulator({ memoryBytes: 64 << 20, spillDir: dir, simd: 'scalar', vocab, unigramsOnly: false });
  const rows: [string, () => NativeSourceSpec, number, number, RegExp][] = [
    ['raw u16, id 150 >= --vocab 100', () => (writeRaw(p('v.bin'), [[1, 2, 3, 4, 5, 150, 7, 200]]), { path: p('v.bin'), format: 'raw' }), 100, 10, /150/],
    ['raw u32, id 100 >= --vocab 100', () => (writeRaw(p('v32.bin'), [[99, 100]], { dtype: 'u32' }), { path: p('v32.bin'), format: 'raw', dtype: 'u32' }), 100, 4, /100/],
    ['llm.c, offset includes the 1024-byte header', () => (writeLlmc(p('vl.bin'), [[1, 2, 60000]]), { path: p('vl.bin') }), 50257, 1024 + 6, /60000/],
    ['raw u32 id 2^24 - 1 without --vocab', () => (writeRaw(p('big.bin'), [[1, 2 ** 24 - 1]], { dtype: 'u32' }), { path: p('big.bin'), format: 'raw', dtype: 'u32' }), 0, 4, /maximum/],
    ['megatron i16 negative id', () => (writeMegatron(p('neg16'), [[1, 2], [3, -5, 4]], { dtype: 'i16' }), { path: p('neg16.bin') }), 0, 6, /negative token id -5/],
    ['megatron i32 negative id', () => (writeMegatron(p('neg32'), [[1, -1]], { dtype: 'i32' }), { path: p('neg32.bin') }), 0, 4, /negative token id -1/],
    ['npy i32 negative id', () => (writeNpy(p('neg.npy'), [[1, 2, -7]], { dtype: 'i32' }), { path: p('neg.npy') }), 0, NPY_DATA + 8, /-7/],
  ];
  for (const [name, setup, vocab, offset, pattern] of rows) {
    it(name, () => {
      const spec = setup();
      const src = new addon.Source(spec);
      // Whole file, and a chunk that starts after the first good tokens.
      for (const begin of [0, 1]) {
        const e = caught(() => acc(vocab).add(src, begin, src.info.tokens));
        expect(e.code).toBe('E_TOKEN_RANGE');
        expect(e.file).toBe(src.info.path);
        expect(e.offset).toBe(offset);
        expect(e.message).toMatch(pattern);
      }
    });
  }
  it('a chunk of good tokens before the bad one is fine', () => {
    writeRaw(p('v2.bin'), [[1, 2, 3, 150]]);
    const src = new addon.Source({ path: p('v2.bin'), format: 'raw' });
    expect(acc(100).add(src, 0, 3).tokens).toBe(3);
  });
});

describe('partial-state files: corruption is refused with E_STATE naming the file', () => {
  let good: string;
  beforeAll(() => {
    writeRaw(p('ps.bin'), [[1, 2, 3, 1, 2, 9, 4, 4, 4]], { eos: 9 });
    const a = new addon.Accumulator({ memoryBytes: 64 << 20, spillDir: dir, simd: 'scalar', vocab: 0, unigramsOnly: false });
    a.add(new addon.Source({ path: p('ps.bin'), format: 'raw', eos: 9 }), 0, 10);
    good = p('good.bimixps');
    a.writePartial(good, '{"x":1}');
  });
  const variants: [string, (b: Buffer) => Buffer, number | undefined, RegExp][] = [
    ['a flipped payload byte', (b) => (b[b.length - 2]! ^= 0x40, b), undefined, /checksum/],
    ['a flipped meta byte', (b) => (b[121]! ^= 1, b), undefined, /checksum/],
    ['a flipped header count', (b) => (b[16]! ^= 1, b), undefined, /header checksum/],
    ['truncated payload', (b) => b.subarray(0, b.length - 3), undefined, /truncated/],
    ['truncated header', (b) => b.subarray(0, 60), 60, /truncated/],
    ['trailing bytes', (b) => Buffer.concat([b, Buffer.alloc(4)]), undefined, /trailing/],
    ['wrong magic', (b) => (b.write('NOTBIMIX', 0, 'latin1'), b), 0, /magic/],
    ['another format version', (b) => (b.writeUInt32LE(99, 8), b), 8, /version 99/],
    ['an empty file', () => Buffer.alloc(0), 0, /empty/],
  ];
  for (const [name, mutate, offset, pattern] of variants) {
    it(name, () => {
      const f = p(`bad-${name.replace(/\W+/g, '-')}.bimixps`);
      writeFileSync(f, mutate(Buffer.from(readFileSync(good))));
      for (const call of [() => addon.readPartialInfo(f), () => addon.dumpBigrams(f), () => addon.mergePartials([good, f], { reduce: true })]) {
        const e = caught(call);
        expect(e.code).toBe('E_STATE');
        expect(e.file).toBe(f);
        if (offset !== undefined) expect(e.offset).toBe(offset);
        expect(e.message).toMatch(pattern);
      }
    });
  }
  it('the intact file still reads and merges', () => {
    expect(addon.readPartialInfo(good).tokens).toBe(8);
    expect(addon.mergePartials([good, good], { reduce: true })!.tokens).toBe(16);
  });
  it('a missing partial file is E_IO', () => {
    expect(caught(() => addon.mergePartials([p('missing.bimixps')], { reduce: true })).code).toBe('E_IO');
  });
});

describe('analyze() surfaces shard errors as BimixError', () => {
  it('a truncated shard in a domain', async () => {
    mkdirSync(p('lib'), { recursive: true });
    writeFileSync(p('lib/a.bin'), Buffer.alloc(5));
    const err = await analyze({ domains: [{ name: 'x', globs: ['lib/*.bin'], read: { format: 'raw' } }], baseDir: dir, threads: 1, memoryBytes: 64 << 20 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BimixError);
    expect(err).toMatchObject({ code: 'E_TRUNCATED', file: p('lib/a.bin'), offset: 4 });
  });
  it('duplicate domain names', async () => {
    writeRaw(p('ok.bin'), [[1, 2]]);
    const d = { name: 'x', globs: ['ok.bin'], read: { format: 'raw' as const } };
    await expect(analyze({ domains: [d, d], baseDir: dir, threads: 1, memoryBytes: 64 << 20 })).rejects.toMatchObject({ code: 'E_CONFIG' });
  });
  it('a token beyond --vocab, found inside a worker', async () => {
    writeRaw(p('vv.bin'), [[1, 2, 3, 500]]);
    const err = await analyze({ domains: [{ name: 'x', globs: ['vv.bin'], read: { format: 'raw', vocab: 100 } }], baseDir: dir, threads: 1, memoryBytes: 64 << 20 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_TOKEN_RANGE', offset: 6 });
    expect(String((err as Error).message)).toContain('vv.bin');
  });
});

function cli(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'dist/cli/main.js'), ...args], { cwd, env: { ...process.env, BIMIX_SIMD: 'scalar' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('CLI: bad domains, options and shards exit 2 with E_... and the file, and write no report', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = p('cli');
    mkdirSync(path.join(cwd, 'good'), { recursive: true });
    mkdirSync(path.join(cwd, 'bad'), { recursive: true });
    writeRaw(path.join(cwd, 'good/a.bin'), [[1, 2, 3, 4, 1, 2]]);
    writeFileSync(path.join(cwd, 'bad/t.bin'), Buffer.alloc(9));
    writeFileSync(path.join(cwd, 'empty-domains.json'), JSON.stringify({ domains: {} }));
    writeFileSync(path.join(cwd, 'no-globs.json'), JSON.stringify({ domains: { a: [] } }));
    writeFileSync(path.join(cwd, 'dup.json'), JSON.stringify({ domains: { good: 'good/*.bin' } }));
    writeFileSync(path.join(cwd, 'broken.json'), '{ "domains": ');
    mkdirSync(path.join(cwd, 'seps'), { recursive: true });
    writeRaw(path.join(cwd, 'seps/s.bin'), [[0, 0, 0, 0]]);
    writeF32Npy(path.join(cwd, 'nan.npy'), 2, 2, [1, 0, NaN, 1]);
    writeF32Npy(path.join(cwd, 'inf.npy'), 2, 2, [1, 0, 0, Infinity]);
    writeF32Npy(path.join(cwd, 'long.npy'), 2, 2, [1, 0, 0, 1, 5]);
    writeF32Npy(path.join(cwd, 'short.npy'), 2, 2, [1, 0, 0]);
    mkdirSync(path.join(cwd, 'bad2'), { recursive: true });
    writeFileSync(path.join(cwd, 'bad2/x.bin.gz'), gzipSync(Buffer.alloc(64)));
    const tar = Buffer.alloc(1024);
    tar.write('ustar\0' + '00', 257, 'latin1');
    writeFileSync(path.join(cwd, 'bad2/shard-0.tar'), tar);
    writeFileSync(path.join(cwd, 'bad2/docs.jsonl'), '{"input_ids": [1, 2, 3]}\n');
    writeFileSync(path.join(cwd, 'bad2/no-list.parquet'), readFileSync(path.join(root, 'test/fixtures/formats/bad/no-list.parquet')));
    writeFileSync(path.join(cwd, 'bad2/c4_text_document.bin'), Buffer.alloc(16));
  });
  const out = 'report.json';
  const rows: [string, string[], string, RegExp?][] = [
    ['missing literal path', ['--domain', 'a=missing/x.bin'], 'E_CONFIG', /missing\/x\.bin/],
    ['glob matching nothing', ['--domain', 'a=nothing/*.bin'], 'E_CONFIG', /nothing\/\*\.bin/],
    ['no domains at all', [], 'E_USAGE'],
    ['bad --domain syntax', ['--domain', 'noequals'], 'E_USAGE', /--domain/],
    ['duplicate names (config + --domain)', ['--config', 'dup.json', '--domain', 'good=good/a.bin'], 'E_CONFIG', /good/],
    ['config with empty domains', ['--config', 'empty-domains.json'], 'E_CONFIG', /empty-domains\.json/],
    ['config domain without globs', ['--config', 'no-globs.json'], 'E_CONFIG', /no-globs\.json/],
    ['config that is not JSON', ['--config', 'broken.json'], 'E_', /broken\.json/],
    ['missing config', ['--config', 'absent.json'], 'E_', /absent\.json/],
    ['--threads 0', ['--domain', 'g=good/*.bin', '--threads', '0'], 'E_USAGE', /--threads/],
    ['--base 3', ['--domain', 'g=good/*.bin', '--base', '3'], 'E_USAGE', /--base/],
    ['--memory abc', ['--domain', 'g=good/*.bin', '--memory', 'abc'], 'E_USAGE', /--memory/],
    ['--proxy nope', ['--domain', 'g=good/*.bin', '--proxy', 'nope'], 'E_USAGE', /--proxy/],
    ['--format nope', ['--domain', 'g=good/*.bin', '--format', 'nope'], 'E_USAGE', /--format/],
    ['truncated shard', ['--domain', 'b=bad/*.bin'], 'E_TRUNCATED', /bad\/t\.bin.*byte 8/],
    ['token beyond --vocab', ['--domain', 'g=good/*.bin', '--vocab', '3'], 'E_TOKEN_RANGE', /good\/a\.bin.*byte 4/],
    ['a domain of only separators', ['--domain', 'g=good/*.bin', '--domain', 's=seps/*.bin', '--eos', '0'], 'E_EMPTY', /domain s holds only separator tokens/],
    ['a directory as a literal domain path', ['--domain', 'g=good'], 'E_IO', /good is a directory/],
    ['--memory beyond any machine', ['--domain', 'g=good/*.bin', '--memory', '99999999TB'], 'E_USAGE', /--memory: expected a size below 8PB/],
    ['--memory 2PB', ['--domain', 'g=good/*.bin', '--memory', '2048TB'], 'E_USAGE', /--memory: expected at most 1PB/],
    ['--chunk-size below 64KB', ['--domain', 'g=good/*.bin', '--chunk-size', '1'], 'E_USAGE', /--chunk-size: expected at least 64KB \(65536 bytes\)/],
    ['--threads 5000', ['--domain', 'g=good/*.bin', '--threads', '5000'], 'E_USAGE', /--threads: expected a whole number from 1 to 1024/],
    ['NaN in embeddings', ['--domain', 'g=good/*.bin', '--embeddings', 'g=nan.npy'], 'E_DATA', /nan\.npy.*row 1, column 0 is NaN/],
    ['Inf in embeddings', ['--domain', 'g=good/*.bin', '--embeddings', 'g=inf.npy'], 'E_DATA', /inf\.npy.*row 1, column 1 is Infinity/],
    ['embeddings longer than their header says', ['--domain', 'g=good/*.bin', '--embeddings', 'g=long.npy'], 'E_FORMAT', /long\.npy.*needs 16 bytes of data, file has 20/],
    ['embeddings shorter than their header says', ['--domain', 'g=good/*.bin', '--embeddings', 'g=short.npy'], 'E_TRUNCATED', /short\.npy.*needs 16 bytes of data, file has 12/],
    ['gzip shard', ['--domain', 'z=bad2/x.bin.gz'], 'E_FORMAT', /x\.bin\.gz.*gzip/],
    ['webdataset tar shard', ['--domain', 'w=bad2/shard-0.tar'], 'E_FORMAT', /shard-0\.tar.*tar archive/],
    ['JSONL shard', ['--domain', 'j=bad2/docs.jsonl'], 'E_FORMAT', /docs\.jsonl.*JSON/],
    ['Parquet without a list column', ['--domain', 'p=bad2/no-list.parquet', '--column', 'text'], 'E_FORMAT', /no-list\.parquet.*Parquet without a list column/],
    ['Megatron .bin without its .idx', ['--domain', 'm=bad2/c4_text_document.bin'], 'E_FORMAT', /c4_text_document\.idx is missing/],
    ['DatasetDict without --split', ['--domain', `d=${path.join(root, 'test/fixtures/formats/hf/dict')}`], 'E_USAGE', /splits train, test: pass --split/],
  ];
  for (const [name, args, code, pattern] of rows) {
    it(name, async () => {
      rmSync(path.join(cwd, out), { force: true });
      const r = await cli(['analyze', ...args, '--threads', args.includes('--threads') ? args[args.indexOf('--threads') + 1]! : '1', '--quiet', '--out', out], cwd);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(code);
      expect(r.stderr).toMatch(/E_[A-Z_]+/);
      expect(r.stderr).not.toMatch(/internal error/);
      if (pattern) expect(r.stderr).toMatch(pattern);
      expect(r.stdout).toBe('');
      expect(existsSync(path.join(cwd, out))).toBe(false);
    });
  }
  it('the good domain works (control)', async () => {
    rmSync(path.join(cwd, out), { force: true });
    const r = await cli(['analyze', '--domain', 'g=good/*.bin', '--threads', '1', '--quiet', '--out', out], cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(path.join(cwd, out), 'utf8')).domains[0].tokens).toBe(6);
  });
});

describe('CLI: outputs, overlapping domains and commander errors are refused before any work (exit 2, one line)', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = p('cli-out');
    mkdirSync(path.join(cwd, 'web'), { recursive: true });
    mkdirSync(path.join(cwd, 'ro'), { recursive: true });
    writeRaw(path.join(cwd, 'web/a.bin'), [[1, 2, 3, 4, 1, 2]]);
    writeRaw(path.join(cwd, 'web/b.bin'), [[5, 6, 7]]);
    writeFileSync(path.join(cwd, 'cfg.json'), JSON.stringify({ domains: { web: 'web/a.bin' } }));
  });
  // name, arguments after `analyze`, code, message pattern
  const rows: [string, string[], string, RegExp][] = [
    ['--out naming an input shard', ['--domain', 'w=web/*.bin', '--out', 'web/a.bin'], 'E_USAGE', /--out names an input file \(.*web\/a\.bin\)/],
    ['--out naming an input through another spelling', ['--domain', 'w=web/*.bin', '--out', 'web/../web/./b.bin'], 'E_USAGE', /--out names an input file/],
    ['--out naming the config', ['--config', 'cfg.json', '--out', 'cfg.json'], 'E_USAGE', /--out names an input file \(cfg\.json\)/],
    ['an empty --out', ['--domain', 'w=web/*.bin', '--out', ''], 'E_USAGE', /--out: expected a file path, got ""/],
    ['--out in a missing folder', ['--domain', 'w=web/*.bin', '--out', 'nowhere/r.json'], 'E_IO', /--out: the folder .*nowhere does not exist/],
    ['--out naming a folder', ['--domain', 'w=web/*.bin', '--out', 'web'], 'E_USAGE', /--out: is a folder/],
    ['an empty --config', ['--config', ''], 'E_USAGE', /--config: expected a file path/],
    ['one file in two domains', ['--domain', 'w=web/*.bin', '--domain', 'x=web/b.bin'], 'E_USAGE', /web\/b\.bin: matched by domains w and x; a file may belong to one domain only/],
    ['an unknown option (commander)', ['--domain', 'w=web/*.bin', '--no-such-flag'], 'E_USAGE', /^bimix: error E_USAGE: unknown option '--no-such-flag'\n$/],
    ['an option without its argument (commander)', ['--domain', 'w=web/*.bin', '--threads'], 'E_USAGE', /^bimix: error E_USAGE: option '--threads <n>' argument missing\n$/],
    ['a stray argument (commander)', ['stray'], 'E_USAGE', /^bimix: error E_USAGE: too many arguments for 'analyze'/],
  ];
  for (const [name, args, code, pattern] of rows) {
    it(name, async () => {
      const before = readFileSync(path.join(cwd, 'web/a.bin'));
      const r = await cli(['analyze', '--threads', '1', '--quiet', ...args], cwd);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`bimix: error ${code}: `);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe('');
      expect(readFileSync(path.join(cwd, 'web/a.bin')).equals(before)).toBe(true);
    });
  }
  it('repeating a domain name to add globs is fine, and the file is counted once', async () => {
    const r = await cli(['analyze', '--threads', '1', '--quiet', '--json', '--domain', 'w=web/*.bin', '--domain', 'w=web/b.bin'], cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).domains[0].tokens).toBe(9);
  });
  it('commander errors of other commands take the same form', async () => {
    const r = await cli(['mix'], cwd);
    expect([r.code, r.stderr]).toEqual([2, "bimix: error E_USAGE: required option '--from <report.json>' not specified\n"]);
    const u = await cli(['nosuchcommand'], cwd);
    expect([u.code, u.stderr]).toEqual([2, "bimix: error E_USAGE: unknown command 'nosuchcommand'\n"]);
  });
});

describe('internal errors: one line, a stack only with BIMIX_DEBUG=1', () => {
  it('formats a bug without its stack unless asked', async () => {
    const { internalErrorLine, usageLine } = await import('../src/cli/run.js');
    const bug = new TypeError("Cannot read properties of undefined (reading 'sidecar')");
    expect(internalErrorLine(bug, {})).toBe("bimix: internal error: Cannot read properties of undefined (reading 'sidecar') (set BIMIX_DEBUG=1 for a stack trace)\n");
    const debug = internalErrorLine(bug, { BIMIX_DEBUG: '1' });
    expect(debug).toMatch(/^bimix: internal error: TypeError: Cannot read properties/);
    expect(debug).toMatch(/\n\s+at /);
    expect(internalErrorLine('plain', {})).toBe('bimix: internal error: plain (set BIMIX_DEBUG=1 for a stack trace)\n');
    expect(usageLine("error: unknown option '--x'\n")).toBe("bimix: error E_USAGE: unknown option '--x'\n");
  });
});

describe('absent is not zero: --unigrams-only (CLI)', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = p('cli-uni');
    mkdirSync(cwd, { recursive: true });
    writeRaw(path.join(cwd, 'a.bin'), [[1, 2, 3, 4, 1, 2], [3, 3, 4]], { eos: 0 });
    writeRaw(path.join(cwd, 'b.bin'), [[5, 6, 7, 8, 9]], { eos: 0 });
  });
  const domains = ['--domain', 'a=a.bin', '--domain', 'b=b.bin', '--eos', '0', '--threads', '1', '--quiet'];
  it('reports null bigram measures, "-" in the table, and the Shannon mixture', async () => {
    const r = await cli(['analyze', ...domains, '--unigrams-only', '--out', 'u.json'], cwd);
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(readFileSync(path.join(cwd, 'u.json'), 'utf8'));
    expect(rep.unigramsOnly).toBe(true);
    expect(rep.mixture.proxy).toBe('shannon');
    for (const d of rep.domains) {
      expect(d.entropy.joint).toBeNull();
      expect(d.entropy.conditional).toBeNull();
      expect(d.millerMadow.conditional).toBeNull();
      expect(d.bigrams).toEqual({ total: null, distinct: null });
      expect(d.entropy.shannon).toBeGreaterThan(0);
    }
    const row = r.stdout.split('\n').find((l) => l.startsWith('a '))!;
    expect(row.trim().split(/\s+/).slice(5, 11)).toEqual(['-', '-', expect.stringMatching(/^\d/), '-', '-', '-']);
  });
  const rows: [string, string[], string, RegExp][] = [
    ['--unigrams-only with a bigram proxy', ['analyze', ...domains, '--unigrams-only', '--proxy', 'conditional'], 'E_USAGE', /--proxy: expected shannon with --unigrams-only/],
    ['mix --from a unigrams-only report with --proxy conditional', ['mix', '--from', 'u.json', '--proxy', 'conditional'], 'E_USAGE', /--proxy conditional: the report was made with --unigrams-only and has no conditional entropy; use --proxy shannon/],
    ['mix --from a unigrams-only report with --proxy joint', ['mix', '--from', 'u.json', '--proxy', 'joint'], 'E_USAGE', /no joint entropy/],
    ['mix --from a report without VNE with --proxy vne', ['mix', '--from', 'u.json', '--proxy', 'vne'], 'E_USAGE', /--proxy vne: domain a has no vne entropy in this report \(analyze with --vne\)/],
  ];
  for (const [name, args, code, pattern] of rows) {
    it(`${name}: exit 2`, async () => {
      const r = await cli(args, cwd);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`bimix: error ${code}: `);
      expect(r.stderr).toMatch(pattern);
      expect(r.stdout).toBe('');
    });
  }
  it('mix --from a unigrams-only report uses Shannon by default; an old report with 0 bigram entropies is refused too', async () => {
    const r = await cli(['mix', '--from', 'u.json', '--json'], cwd);
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(r.stdout);
    expect(m.proxy).toBe('shannon');
    expect(m.proportions.a + m.proportions.b).toBeCloseTo(1, 12);
    const old = JSON.parse(readFileSync(path.join(cwd, 'u.json'), 'utf8'));
    for (const d of old.domains) Object.assign(d.entropy, { joint: 0, conditional: 0 });
    writeFileSync(path.join(cwd, 'old.json'), JSON.stringify(old));
    const o = await cli(['mix', '--from', 'old.json', '--proxy', 'conditional'], cwd);
    expect(o.code).toBe(2);
    expect(o.stderr).toMatch(/E_USAGE: --proxy conditional: the report was made with --unigrams-only/);
  });
});

describe('warnings for suspicious shapes (CLI): stderr and the report', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = p('cli-warn');
    mkdirSync(cwd, { recursive: true });
    // 1.2M tokens of raw u16 with ids 1..1000: a tokenized shard read without --eos is one document.
    const big = new Uint16Array(1_200_000);
    for (let i = 0; i < big.length; i++) big[i] = 1 + ((i * 7919) % 1000);
    writeFileSync(path.join(cwd, 'big.bin'), big);
    writeRaw(path.join(cwd, 'small.bin'), [[1, 2, 3], [2, 3, 4]], { eos: 0 });
  });
  it('one document per 1.2M raw tokens warns "pass --eos?"; an ordinary run has no warnings field', async () => {
    const r = await cli(['analyze', '--domain', 'big=big.bin', '--threads', '1', '--quiet', '--out', 'w.json'], cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('bimix: warning: domain big: 1 document in 1200000 tokens (one per 1200000) of raw data, whose document boundaries come from --eos: no document boundaries: pass --eos?\n');
    const rep = JSON.parse(readFileSync(path.join(cwd, 'w.json'), 'utf8'));
    expect(rep.schema).toBe('bimix.analysis/1');
    expect(rep.warnings).toEqual([{ code: 'W_NO_DOCUMENT_BOUNDARIES', domain: 'big', message: expect.stringMatching(/^domain big: 1 document in 1200000 tokens/) }]);
    const ok = await cli(['analyze', '--domain', 'small=small.bin', '--eos', '0', '--threads', '1', '--quiet', '--json'], cwd);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toBe('');
    expect(JSON.parse(ok.stdout)).not.toHaveProperty('warnings');
  });
  it('a separator that never occurs and ids far below --vocab warn, with --quiet too', async () => {
    const r = await cli(['analyze', '--domain', 'small=small.bin', '--eos', '9', '--vocab', '60000', '--threads', '1', '--quiet', '--json'], cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).warnings.map((w: { code: string }) => w.code)).toEqual(['W_SPARSE_VOCABULARY', 'W_SEPARATOR_ABSENT']);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('bimix: warning: domain small: '))).toHaveLength(2);
  });
});
