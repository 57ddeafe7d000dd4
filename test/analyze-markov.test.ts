/**
 * On generated Markov domains (uniform over `successors` next tokens from every
 * state), the measured conditional entropy converges to ln(successors) with an
 * error that shrinks with corpus size; `bimix demo` runs; `bimix mix --from`
 * recomputes the report's mixture.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../src/analyze/index.js';
import { analyticConditional, generateMarkovDocs, type MarkovSpec } from '../src/corpus/markov.js';
import type { DomainSpec } from '../src/corpus/types.js';
import { writeDatatrove, writeMegatron } from '../src/corpus/writers.js';
import { countDocuments, entropies } from './reference.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bimix-markov-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CHAINS: (MarkovSpec & { name: string })[] = [
  { name: 'narrow', vocab: 64, firstId: 1, successors: 2, seed: 7, meanDocLength: 200 },
  { name: 'wide', vocab: 64, firstId: 1, successors: 12, seed: 8, meanDocLength: 50 },
];
const SIZES = [20_000, 400_000];

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'dist/cli/main.js'), ...args], { cwd: dir });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('conditional entropy converges to the analytic ln(successors)', () => {
  it('error shrinks with size and stays below 3 K / N (plug-in and Miller-Madow)', async () => {
    const errors = new Map<string, { plug: number[]; mm: number[] }>();
    for (const [si, size] of SIZES.entries()) {
      const domains: DomainSpec[] = [];
      for (const [ci, chain] of CHAINS.entries()) {
        const docs = generateMarkovDocs(chain, size);
        const sub = path.join(dir, `${chain.name}-${size}`);
        mkdirSync(sub);
        // Two formats, so the measurement does not depend on one reader.
        if (ci === 0) writeMegatron(path.join(sub, 'm'), docs.map((d) => Array.from(d)));
        else writeDatatrove(path.join(sub, 'x.ds'), docs);
        domains.push({ name: chain.name, globs: [`${chain.name}-${size}/*`], read: { format: 'auto' } });
        if (si === 0) {
          // The small corpus is also checked against the reference, exactly.
          const ref = entropies(countDocuments(docs));
          (chain as { ref?: unknown }).ref = ref;
        }
      }
      const report = await analyze({ domains, baseDir: dir, threads: 2, memoryBytes: 64 << 20, tmpDir: dir });
      for (const [ci, chain] of CHAINS.entries()) {
        const d = report.domains[ci]!;
        const truth = analyticConditional(chain);
        const K = d.bigrams.distinct;
        const N = d.bigrams.total;
        const plug = d.entropy.conditional - truth;
        const mm = d.millerMadow.conditional - truth;
        expect(K).toBeLessThanOrEqual(chain.vocab * chain.successors);
        const bound = (3 * K) / N;
        expect(Math.abs(plug), `${chain.name} N=${N} plug-in error ${plug} vs bound ${bound}`).toBeLessThan(bound);
        expect(Math.abs(mm), `${chain.name} N=${N} Miller-Madow error ${mm} vs bound ${bound}`).toBeLessThan(bound);
        const e = errors.get(chain.name) ?? { plug: [], mm: [] };
        e.plug.push(Math.abs(plug));
        e.mm.push(Math.abs(mm));
        errors.set(chain.name, e);
        const ref = (chain as { ref?: ReturnType<typeof entropies> }).ref;
        if (si === 0 && ref) {
          expect(Math.abs(d.entropy.conditional - ref.conditional)).toBeLessThan(1e-12 * ref.conditional);
          expect(Math.abs(d.millerMadow.conditional - ref.mmConditional)).toBeLessThan(1e-12 * ref.mmConditional);
        }
      }
    }
    for (const [name, e] of errors) {
      expect(e.plug[1]!, `${name} plug-in error shrinks`).toBeLessThan(e.plug[0]!);
      expect(e.mm[1]!, `${name} Miller-Madow error shrinks`).toBeLessThan(e.mm[0]!);
      // Plug-in underestimates (bias ~ -(K_joint - K_left) / 2N); Miller-Madow removes most of it.
      expect(e.mm[1]!, `${name} Miller-Madow beats plug-in at the larger size`).toBeLessThan(e.plug[1]!);
    }
  });
});

describe('CLI: demo and mix', () => {
  it('`bimix demo --dir` generates the sample corpus, prints the table and the mixture', async () => {
    const r = await cli(['demo', '--dir', path.join(dir, 'sample')]);
    expect(r.code, r.stderr).toBe(0);
    for (const name of ['web', 'code', 'books', 'papers', 'forum']) expect(r.stdout).toContain(name);
    expect(r.stdout).toMatch(/Mixture/);
    expect(r.stdout).toMatch(/%/);
  });

  it('`bimix mix --from report.json` recomputes the report mixture', async () => {
    const docs = CHAINS.map((c) => generateMarkovDocs(c, 5000));
    mkdirSync(path.join(dir, 'mixsrc'));
    writeDatatrove(path.join(dir, 'mixsrc', 'a.ds'), docs[0]!);
    writeDatatrove(path.join(dir, 'mixsrc', 'b.ds'), docs[1]!);
    const a = await cli(['analyze', '--domain', 'a=mixsrc/a.ds', '--domain', 'b=mixsrc/b.ds', '--threads', '1', '--quiet', '--out', 'report.json']);
    expect(a.code, a.stderr).toBe(0);
    const report = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8'));
    const m = await cli(['mix', '--from', 'report.json', '--json']);
    expect(m.code, m.stderr).toBe(0);
    expect(JSON.parse(m.stdout)).toEqual({ $schema: 'https://bimix.dev/schemas/mixture-v1.json', ...report.mixture });
    // A different temperature changes it; temperature 1 again restores it.
    const hot = await cli(['mix', '--from', 'report.json', '--json', '--temperature', '4']);
    const hotMix = JSON.parse(hot.stdout);
    expect(hotMix.proportions.a).not.toBe(report.mixture.proportions.a);
    expect(hotMix.proportions.a + hotMix.proportions.b).toBeCloseTo(1, 12);
  });
});
