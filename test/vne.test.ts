/**
 * The VNE proxy: the eigenvalue solver against a Jacobi reference, the entropy of
 * known spectra, user embeddings from .npy, and analyze() reporting a VNE that does
 * not depend on the thread count or the chunking.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../src/analyze/index.js';
import { generateMarkovDocs } from '../src/corpus/markov.js';
import { writeRaw } from '../src/corpus/writers.js';
import { Rng } from '../src/corpus/rng.js';
import { readEmbeddingsNpy, tridiagonalEigenvalues, vneFromVectors } from '../src/stats/vne.js';
import { symmetricEigenvalues } from './jacobi-reference.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bimix-vne-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function npyF32(file: string, rows: number, dims: number, data: Float32Array, descr = '<f4'): void {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${rows}, ${dims}), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.writeUInt8(0x93, 0);
  pre.write('NUMPY', 1, 'binary');
  pre.writeUInt8(1, 6);
  pre.writeUInt16LE(header.length, 8);
  writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

describe('eigenvalues', () => {
  it('Householder + QL agrees with cyclic Jacobi on random symmetric matrices', () => {
    const rng = new Rng(3);
    for (const n of [1, 2, 3, 8, 33, 64]) {
      const a = new Float64Array(n * n);
      for (let i = 0; i < n; i++)
        for (let j = i; j < n; j++) {
          const x = rng.next() * 2 - 1;
          a[i * n + j] = x;
          a[j * n + i] = x;
        }
      const fast = tridiagonalEigenvalues(a, n).sort((x, y) => x - y);
      const ref = symmetricEigenvalues(a, n).sort((x, y) => x - y);
      fast.forEach((v, i) => expect(Math.abs(v - ref[i]!)).toBeLessThan(1e-9));
    }
  });
});

describe('vneFromVectors', () => {
  it('is ln d for d orthonormal directions and 0 for one repeated direction', () => {
    const d = 16;
    const eye = new Float64Array(d * d);
    for (let i = 0; i < d; i++) eye[i * d + i] = 3; // rows are normalised first
    expect(vneFromVectors(eye, d, d)).toBeCloseTo(Math.log(d), 12);
    const same = new Float64Array(5 * d).map((_, i) => (i % d === 2 ? 1 : 0));
    expect(vneFromVectors(same, 5, d)).toBeCloseTo(0, 12);
  });

  it('reads float32 N x d embeddings from .npy and refuses other dtypes', () => {
    const d = 4;
    const data = new Float32Array([1, 0, 0, 0, 0, 1, 0, 0]);
    const file = path.join(dir, 'emb.npy');
    npyF32(file, 2, d, data);
    const e = readEmbeddingsNpy(file);
    expect([e.rows, e.dims]).toEqual([2, 4]);
    expect(vneFromVectors(e.vectors, e.rows, e.dims)).toBeCloseTo(Math.log(2), 12);
    const bad = path.join(dir, 'bad.npy');
    npyF32(bad, 2, d, data, '<f8');
    expect(() => readEmbeddingsNpy(bad)).toThrow(expect.objectContaining({ code: 'E_FORMAT' }));
  });
});

describe('analyze with the VNE proxy', () => {
  it('reports a VNE within [0, ln min(N, d)] that is the same for 1 and 2 threads and any chunking', async () => {
    const docs = generateMarkovDocs({ vocab: 200, firstId: 1, successors: 8, seed: 5, meanDocLength: 60 }, 60_000);
    writeRaw(path.join(dir, 'web.bin'), docs, { eos: 0 });
    const domains = [{ name: 'web', globs: [path.join(dir, 'web.bin')], read: { format: 'raw' as const, eos: 0 } }];
    const vne = { dims: 32, samples: 300, window: 64 };
    const a = await analyze({ domains, threads: 1, proxy: 'vne', vne });
    const b = await analyze({ domains, threads: 2, chunkBytes: 4096, proxy: 'vne', vne });
    const v = a.domains[0]!.entropy.vne!;
    expect(v).toBeGreaterThan(0);
    expect(v).toBeLessThanOrEqual(Math.log(32) + 1e-12);
    expect(b.domains[0]!.entropy.vne).toBe(v);
    expect(a.mixture.proxy).toBe('vne');
  });
});

describe('VNE over fixed-length windows', () => {
  it('the same text cut into short or long documents gets the same VNE (content, not length)', async () => {
    const spec = { vocab: 300, firstId: 1, successors: 12, seed: 9 };
    const short = generateMarkovDocs({ ...spec, meanDocLength: 20 }, 80_000);
    const long = generateMarkovDocs({ ...spec, meanDocLength: 4000 }, 80_000);
    writeRaw(path.join(dir, 'short.bin'), short, { eos: 0 });
    writeRaw(path.join(dir, 'long.bin'), long, { eos: 0 });
    const domains = ['short', 'long'].map((name) => ({ name, globs: [path.join(dir, `${name}.bin`)], read: { format: 'raw' as const, eos: 0 } }));
    const r = await analyze({ domains, threads: 1, proxy: 'vne', vne: { dims: 64, samples: 400, window: 128 } });
    const [s, l] = r.domains.map((d) => d.entropy.vne!);
    expect(Math.abs(s! - l!) / l!).toBeLessThan(0.03);
    expect(r.vne).toEqual({ window: 128, dims: 64, seed: 0, target: 400, samples: { short: 400, long: 400 } });
    expect(r.warnings ?? []).toEqual([]);
  });

  it('records how many windows each domain had and warns when one has fewer than the target', async () => {
    writeRaw(path.join(dir, 'tiny.bin'), generateMarkovDocs({ vocab: 50, firstId: 1, successors: 4, seed: 3, meanDocLength: 30 }, 700), { eos: 0 });
    const domains = [{ name: 'tiny', globs: [path.join(dir, 'tiny.bin')], read: { format: 'raw' as const, eos: 0 } }];
    const r = await analyze({ domains, threads: 1, vne: { dims: 16, samples: 1000, window: 512 } });
    const positions = r.domains[0]!.files[0]!.tokens - 512 + 1;
    expect(r.vne!.samples.tiny).toBe(positions);
    expect(r.warnings).toEqual([{ code: 'W_VNE_FEW_WINDOWS', domain: 'tiny', message: `VNE of tiny comes from ${positions} windows of 512 tokens, fewer than the 1000 of the target: it is not comparable with the other domains' (the domain is too small; lower --vne-samples for all)` }]);
  });
});
