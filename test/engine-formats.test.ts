/**
 * Every format, counted by the native engine on random small shards with awkward
 * document structure, for several chunk sizes, accumulator ("thread") counts and
 * both SIMD paths, must equal the TypeScript reference exactly. Then analyze()
 * end to end on a small multi-format corpus.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mergeThroughFiles } from './native-merge.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../src/analyze/index.js';
import { readDolmaSidecar } from '../src/corpus/sidecar.js';
import type { DomainSpec } from '../src/corpus/types.js';
import { writeDatatrove, writeDolma, writeLlmc, writeMegatron, writeNpy, writeRaw } from '../src/corpus/writers.js';
import { loadAddon, type NativeSourceSpec } from '../src/engine/native.js';
import {
  closeRel,
  countDocuments,
  llmcStream,
  mergeCounts,
  randomDocs,
  randomStream,
  splitStream,
  TestRng,
  type RefCounts,
} from './reference.js';
import { expectDomainMatchesReference } from './expect-reference.js';

const addon = loadAddon();
const SIMDS = ['scalar', ...(addon.kernelInfo().available.includes('avx2') ? ['avx2'] : [])];
const CHUNKS = [1, 2, 3, 7, 64, Infinity];
const ACCUMULATORS = [1, 2, 3];

let dir: string;
beforeAll(() => {
  // tmpfs when available: partial files are fsynced on write.
  const base = existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
  dir = mkdtempSync(path.join(base, 'bimix-formats-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Shard {
  specs: NativeSourceSpec[];
  ref: RefCounts;
}

/** Ids above 2^16 exercise the wide path; kept moderate so dense per-id arrays stay small. */
const BIG = 65_539;
/** The largest token id the engine accepts (kMaxTokenId - 1). */
const MAX_ID = 2 ** 24 - 2;

const small = (extra: number[]) => [...[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], ...extra];

/** Multi-sequence Megatron documents: each document is 1-3 sequences, some empty. */
function megatronDocs(rng: TestRng, alphabet: number[]): { seqDocs: number[][][]; docs: number[][] } {
  const flat = randomDocs(rng, 40, alphabet);
  const seqDocs = flat.map((d) => {
    const parts: number[][] = [];
    const cuts = rng.int(3);
    let at = 0;
    for (let c = 0; c < cuts; c++) {
      const to = at + rng.int(d.length - at + 1);
      parts.push(d.slice(at, to));
      at = to;
    }
    parts.push(d.slice(at));
    return parts;
  });
  return { seqDocs, docs: flat };
}

const CASES: [string, (dir: string, rng: TestRng) => Shard][] = [
  ...(['u16', 'u8', 'i16', 'i32'] as const).map(
    (dtype): [string, (d: string, r: TestRng) => Shard] => [
      `megatron ${dtype} (multi-sequence documents)`,
      (d, rng) => {
        const alphabet = small(dtype === 'u8' ? [255, 200] : dtype === 'i32' ? [BIG, 70000] : dtype === 'i16' ? [32767] : [65535, 50256]);
        const { seqDocs, docs } = megatronDocs(rng, alphabet);
        writeMegatron(path.join(d, `mega-${dtype}`), seqDocs, { dtype });
        return { specs: [{ path: path.join(d, `mega-${dtype}.bin`), format: 'auto', eos: -2 }], ref: countDocuments(docs) };
      },
    ],
  ),
  [
    'llm.c u16 (GPT-2, separator 50256 prepended)',
    (d, rng) => {
      const docs = randomDocs(rng, 50, small([50255, 50257, 65535]));
      docs.push([], []); // trailing empty documents: separators at the end
      writeLlmc(path.join(d, 'gpt2.bin'), docs);
      return { specs: [{ path: path.join(d, 'gpt2.bin'), format: 'auto', eos: -2 }], ref: countDocuments(llmcStream(docs, 50256).docs) };
    },
  ],
  [
    'llm.c u32 (Llama-3, separator 128000 prepended)',
    (d, rng) => {
      const docs = randomDocs(rng, 50, small([127999, 128001, BIG]));
      writeLlmc(path.join(d, 'llama3.bin'), docs, { wide: true });
      return { specs: [{ path: path.join(d, 'llama3.bin'), format: 'auto', eos: -2 }], ref: countDocuments(llmcStream(docs, 128000).docs) };
    },
  ],
  ...(['u16', 'u32'] as const).map((dtype): [string, (d: string, r: TestRng) => Shard] => [
    `raw ${dtype} with --eos`,
    (d, rng) => {
      const sep = dtype === 'u16' ? 50256 : 100000;
      // The separator is also in the alphabet: more separators, at random places.
      const stream = randomStream(rng, 60, small([sep, dtype === 'u16' ? 65535 : BIG]), sep);
      writeRaw(path.join(d, `raw-${dtype}.bin`), [stream], { dtype });
      return {
        specs: [{ path: path.join(d, `raw-${dtype}.bin`), format: 'raw', dtype, eos: sep }],
        ref: countDocuments(splitStream(stream, sep)),
      };
    },
  ]),
  [
    'raw u16 without --eos (one document per file; two files)',
    (d, rng) => {
      const a = randomDocs(rng, 1, small([]), 300)[0]!.concat([1, 2]);
      const b = randomDocs(rng, 1, small([65535]), 300)[0]!.concat([3]);
      writeRaw(path.join(d, 'plain-a.bin'), [a]);
      writeRaw(path.join(d, 'plain-b.bin'), [b]);
      return {
        specs: [
          { path: path.join(d, 'plain-a.bin'), format: 'raw', dtype: 'u16', eos: -1 },
          { path: path.join(d, 'plain-b.bin'), format: 'raw', dtype: 'u16', eos: -1 },
        ],
        ref: countDocuments([a, b]),
      };
    },
  ],
  [
    'raw u32 with --eos (two files: no bigram crosses a file)',
    (d, rng) => {
      const s1 = randomStream(rng, 30, small([BIG]), 9);
      const s2 = randomStream(rng, 30, small([BIG]), 9);
      s1[s1.length - 1] = 5; // the first file ends inside a document...
      s2[0] = 6; // ...and the second starts inside one
      writeRaw(path.join(d, 'r32-a.bin'), [s1], { dtype: 'u32' });
      writeRaw(path.join(d, 'r32-b.bin'), [s2], { dtype: 'u32' });
      return {
        specs: [
          { path: path.join(d, 'r32-a.bin'), format: 'raw', dtype: 'u32', eos: 9 },
          { path: path.join(d, 'r32-b.bin'), format: 'raw', dtype: 'u32', eos: 9 },
        ],
        ref: mergeCounts([countDocuments(splitStream(s1, 9)), countDocuments(splitStream(s2, 9))]),
      };
    },
  ],
  ...(['u16', 'u32', 'i32'] as const).map((dtype): [string, (d: string, r: TestRng) => Shard] => [
    `npy ${dtype} with --eos`,
    (d, rng) => {
      const sep = 3;
      const docs = [[], ...randomDocs(rng, 50, small(dtype === 'u16' ? [65535] : [BIG])), [], []];
      writeNpy(path.join(d, `arr-${dtype}.npy`), docs, { dtype, eos: sep });
      const stream = docs.flatMap((x) => [...x, sep]);
      return {
        specs: [{ path: path.join(d, `arr-${dtype}.npy`), format: 'auto', eos: sep }],
        ref: countDocuments(splitStream(stream, sep)),
      };
    },
  ]),
  ...(['u16', 'u32'] as const).map((dtype): [string, (d: string, r: TestRng) => Shard] => [
    `dolma ${dtype} raw memmap + csv.gz sidecar`,
    (d, rng) => {
      const docs = randomDocs(rng, 50, small(dtype === 'u16' ? [65535] : [BIG]));
      docs.unshift([]);
      docs.push([], [4]);
      writeDolma(path.join(d, `dolma-${dtype}`), docs, { dtype });
      return {
        specs: [
          {
            path: path.join(d, `dolma-${dtype}.npy`),
            format: 'raw',
            dtype,
            eos: -1,
            docEnds: readDolmaSidecar(path.join(d, `dolma-${dtype}.csv.gz`)),
          },
        ],
        ref: countDocuments(docs),
      };
    },
  ]),
  ...([false, true] as const).map((wide): [string, (d: string, r: TestRng) => Shard] => [
    `datatrove ${wide ? 'u32' : 'u16'} .ds + .ds.index`,
    (d, rng) => {
      const docs = [[], ...randomDocs(rng, 50, small(wide ? [BIG, 65536] : [65535])), []];
      const file = path.join(d, `dt-${wide ? 'u32' : 'u16'}.ds`);
      writeDatatrove(file, docs, { wide });
      return { specs: [{ path: file, format: 'auto', eos: -2 }], ref: countDocuments(docs) };
    },
  ]),
];

interface EngineResult {
  tokens: number;
  documents: number;
  chunkTokens: number;
  chunkDocuments: number;
  unigrams: Map<number, number>;
  bigrams: Map<bigint, number>;
  bigramTotal: number;
  bigramDistinct: number;
  unigramDistinct: number;
}

let runNo = 0;
/** Counts `specs` cut into chunks of `chunk` tokens, dealt round-robin to `accs` accumulators. */
function countNative(specs: NativeSourceSpec[], chunk: number, accs: number, simd: string, extra: { memoryBytes?: number; batchTokens?: number } = {}): EngineResult {
  const sources = specs.map((s) => new addon.Source(s));
  const chunks: [number, number, number][] = [];
  sources.forEach((s, i) => {
    const n = s.info.tokens;
    const per = Number.isFinite(chunk) ? chunk : Math.max(1, n);
    for (let b = 0; b < n; b += per) chunks.push([i, b, Math.min(n, b + per)]);
  });
  const run = `${runNo++}`;
  const spill = path.join(dir, `spill-${run}`);
  mkdirSync(spill);
  const list = Array.from({ length: accs }, () =>
    new addon.Accumulator({
      memoryBytes: extra.memoryBytes ?? 64 << 20,
      spillDir: spill,
      simd,
      vocab: 0,
      unigramsOnly: false,
      ...(extra.batchTokens ? { batchTokens: extra.batchTokens } : {}),
    }),
  );
  for (const a of list) expect(a.kernel).toBe(simd);
  let chunkTokens = 0;
  let chunkDocuments = 0;
  chunks.forEach(([src, b, e], i) => {
    const st = list[i % accs]!.add(sources[src]!, b, e);
    chunkTokens += st.tokens;
    chunkDocuments += st.documents;
  });
  const { red, dump } = mergeThroughFiles(addon, list, dir, run);
  const unigrams = new Map<number, number>();
  red.unigrams!.forEach((c, id) => {
    if (c > 0) unigrams.set(id, c);
  });
  const bigrams = new Map<bigint, number>();
  dump.keys.forEach((k, i) => bigrams.set(k, dump.counts[i]!));
  rmSync(spill, { recursive: true });
  return {
    tokens: red.tokens,
    documents: red.documents,
    chunkTokens,
    chunkDocuments,
    unigrams,
    bigrams,
    bigramTotal: red.bigramTotal,
    bigramDistinct: red.bigramDistinct,
    unigramDistinct: red.unigramDistinct,
  };
}

/** Asserts that an engine result equals the reference exactly. */
function expectSameCounts(got: EngineResult, ref: RefCounts, label: string): void {
  const ctx = `(${label})`;
  expect(got.tokens, `tokens ${ctx}`).toBe(ref.tokens);
  expect(got.documents, `documents ${ctx}`).toBe(ref.documents);
  expect(got.chunkTokens, `per-chunk tokens ${ctx}`).toBe(ref.tokens);
  expect(got.chunkDocuments, `per-chunk documents ${ctx}`).toBe(ref.documents);
  expect(got.unigrams, `unigrams ${ctx}`).toEqual(ref.unigrams);
  expect(got.bigrams, `bigrams ${ctx}`).toEqual(ref.bigrams);
  let total = 0;
  for (const c of ref.bigrams.values()) total += c;
  expect(got.bigramTotal, `bigram total ${ctx}`).toBe(total);
  expect(got.bigramDistinct, `bigram distinct ${ctx}`).toBe(ref.bigrams.size);
  expect(got.unigramDistinct, `unigram distinct ${ctx}`).toBe(ref.unigrams.size);
}

describe('native counts equal the TypeScript reference, for every format', () => {
  CASES.forEach(([name, make], ci) => {
    it(name, () => {
      for (let seed = 1; seed <= 2; seed++) {
        const sub = path.join(dir, `case-${ci}-${seed}`);
        mkdirSync(sub);
        const shard = make(sub, new TestRng(1000 * ci + seed));
        expect(shard.ref.tokens).toBeGreaterThan(0);
        for (const simd of SIMDS) {
          for (const chunk of CHUNKS) {
            for (const accs of ACCUMULATORS) {
              expectSameCounts(countNative(shard.specs, chunk, accs, simd), shard.ref, `seed ${seed}, ${simd}, chunk ${chunk}, ${accs} accumulators`);
            }
          }
        }
        // Tiny batches exercise the batch loop inside one chunk.
        expectSameCounts(countNative(shard.specs, Infinity, 1, SIMDS.at(-1)!, { batchTokens: 5 }), shard.ref, `seed ${seed}, batchTokens 5`);
      }
    });
  });

  it('the largest accepted id (2^24 - 2) counts exactly; 2^24 - 1 is out of range', () => {
    const sep = MAX_ID - 1;
    const stream = [MAX_ID, MAX_ID, 0, sep, MAX_ID, 1, MAX_ID, sep, sep, 2, MAX_ID];
    const file = path.join(dir, 'max-id.bin');
    writeRaw(file, [stream], { dtype: 'u32' });
    const specs = [{ path: file, format: 'raw', dtype: 'u32', eos: sep }];
    const ref = countDocuments(splitStream(stream, sep));
    for (const simd of SIMDS) {
      for (const chunk of simd === 'scalar' ? [3, Infinity] : [Infinity]) expectSameCounts(countNative(specs, chunk, 1, simd), ref, `${simd}, chunk ${chunk}`);
    }
    writeRaw(file, [[1, MAX_ID + 1]], { dtype: 'u32' });
    const acc = new addon.Accumulator({ memoryBytes: 64 << 20, spillDir: dir, simd: 'scalar', vocab: 0, unigramsOnly: false });
    expect(() => acc.add(new addon.Source({ path: file, format: 'raw', dtype: 'u32', eos: -1 }), 0, 2)).toThrow(
      expect.objectContaining({ code: 'E_TOKEN_RANGE', offset: 4 }),
    );
  });

  it('the reference itself follows the contract on a hand-made stream', () => {
    // sep 0: [0 0 1 2 0 3 0 0 4 4 0] -> documents [1 2] [3] [4 4]
    const docs = splitStream([0, 0, 1, 2, 0, 3, 0, 0, 4, 4, 0], 0);
    const r = countDocuments(docs);
    expect(r.tokens).toBe(5);
    expect(r.documents).toBe(3);
    expect([...r.bigrams.entries()]).toEqual([
      [(1n << 32n) | 2n, 1],
      [(4n << 32n) | 4n, 1],
    ]);
    expect(llmcStream([[1], [], [2, 3]], 9).docs.filter((d) => d.length > 0)).toEqual([[1], [2, 3]]);
  });
});

describe('analyze() end to end on a small multi-format corpus', () => {
  let corpus: string;
  let domains: DomainSpec[];
  const refs = new Map<string, RefCounts>();

  beforeAll(() => {
    corpus = path.join(dir, 'corpus');
    const rng = new TestRng(4242);
    const sub = (n: string) => {
      mkdirSync(path.join(corpus, n), { recursive: true });
      return path.join(corpus, n);
    };
    // megatron: two datasets
    const m1 = megatronDocs(rng, small([65535]));
    const m2 = megatronDocs(rng, small([1000]));
    writeMegatron(path.join(sub('mega'), 'a'), m1.seqDocs);
    writeMegatron(path.join(sub('mega'), 'b'), m2.seqDocs);
    refs.set('mega', mergeCounts([countDocuments(m1.docs), countDocuments(m2.docs)]));
    // llm.c
    const l = randomDocs(rng, 80, small([50000]));
    writeLlmc(path.join(sub('llmc'), 'shard_000.bin'), l);
    refs.set('llmc', countDocuments(llmcStream(l, 50256).docs));
    // raw u32 with eos, two files
    const r1 = randomStream(rng, 60, small([BIG]), 11);
    const r2 = randomStream(rng, 60, small([BIG]), 11);
    writeRaw(path.join(sub('raw'), '0.bin'), [r1], { dtype: 'u32' });
    writeRaw(path.join(sub('raw'), '1.bin'), [r2], { dtype: 'u32' });
    refs.set('raw', mergeCounts([countDocuments(splitStream(r1, 11)), countDocuments(splitStream(r2, 11))]));
    // real npy
    const n = [[], ...randomDocs(rng, 60, small([]))];
    writeNpy(path.join(sub('npy'), 'x.npy'), n, { dtype: 'i32', eos: 12 });
    refs.set('npy', countDocuments(n));
    // dolma
    const dd = randomDocs(rng, 60, small([30000]));
    writeDolma(path.join(sub('dolma'), 'part-0'), dd);
    refs.set('dolma', countDocuments(dd));
    // datatrove
    const dt = randomDocs(rng, 60, small([70000]));
    writeDatatrove(path.join(sub('dt'), '000.ds'), dt, { wide: true });
    refs.set('dt', countDocuments(dt));
    domains = [
      { name: 'mega', globs: ['mega/*'], read: { format: 'auto' } },
      { name: 'llmc', globs: ['llmc/*.bin'], read: { format: 'auto' } },
      { name: 'raw', globs: ['raw/*.bin'], read: { format: 'raw', dtype: 'u32', eos: 11 } },
      { name: 'npy', globs: ['npy/x.npy'], read: { format: 'npy', eos: 12 } },
      { name: 'dolma', globs: ['dolma/*.npy'], read: { format: 'auto' } },
      { name: 'dt', globs: ['dt/*.ds'], read: { format: 'auto' } },
    ];
  });

  const run = (o: { threads: number; chunkBytes?: number; simd?: string }) =>
    analyze({ domains, baseDir: corpus, memoryBytes: 64 << 20, tmpDir: dir, ...o });

  it('report values equal the reference; bit-identical for 1 vs 2 threads and any chunk size; SIMD paths agree', async () => {
    const simd = SIMDS.at(-1)!;
    const base = await run({ threads: 1, simd });
    expect(base.domains.map((d) => d.name)).toEqual(['mega', 'llmc', 'raw', 'npy', 'dolma', 'dt']);
    for (const d of base.domains) expectDomainMatchesReference(d, refs.get(d.name)!);
    const json = JSON.stringify(base);
    for (const o of [{ threads: 2, simd }, { threads: 2, chunkBytes: 6, simd }, { threads: 1, chunkBytes: 64, simd }, { threads: 2, chunkBytes: 4, simd }]) {
      expect(JSON.stringify(await run(o)), JSON.stringify(o)).toBe(json);
    }
    // The other SIMD path: identical counts, entropies within 1e-12.
    const other = await run({ threads: 2, chunkBytes: 10, simd: 'scalar' });
    other.domains.forEach((d, i) => {
      const b = base.domains[i]!;
      expect({ ...d, entropy: 0, millerMadow: 0 }).toEqual({ ...b, entropy: 0, millerMadow: 0 });
      for (const k of ['shannon', 'joint', 'conditional'] as const) {
        expect(closeRel(d.entropy[k], b.entropy[k])).toBe(true);
        expect(closeRel(d.millerMadow[k], b.millerMadow[k])).toBe(true);
      }
    });
    for (const [k, v] of Object.entries(other.mixture.proportions)) expect(closeRel(v, base.mixture.proportions[k]!, 1e-11)).toBe(true);
  });
});
