/**
 * Hostile inputs: files truncated while mapped, FIFOs and devices where files are
 * expected, a gzip-bomb sidecar, 100,000 files, absurd chunk sizes and thread
 * counts. Every case must end quickly with exit 0 or 2 (E_...), never a signal
 * death or a hang, and a failed run writes no report.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
let dir: string;
const p = (n: string) => path.join(dir, n);

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  ms: number;
  maxThreads: number;
}

/** Runs the CLI with a hard timeout; `during` may act on the child while it runs. */
function cli(args: string[], o: { timeoutMs?: number; during?: (pid: number) => Promise<void> } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], { cwd: dir });
    let stderr = '';
    let maxThreads = 0;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const poll = setInterval(() => {
      try {
        const m = /Threads:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) maxThreads = Math.max(maxThreads, Number(m[1]));
      } catch {
        /* exited */
      }
    }, 20);
    const kill = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(poll);
      clearTimeout(kill);
      resolve({ code, signal, stderr, ms: Date.now() - t0, maxThreads });
    });
    if (o.during) void o.during(child.pid!);
  });
}

function expectRefused(r: Run, code: RegExp, maxMs = 15_000): void {
  expect(r.signal, r.stderr).toBeNull();
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(code);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.ms).toBeLessThan(maxMs);
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bimix-faults-inputs-'));
  const small = Buffer.alloc(2000);
  for (let i = 0; i < 1000; i++) small.writeUInt16LE((i * 37) % 100, i * 2);
  writeFileSync(p('good.bin'), small);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('FIFOs and devices are refused at once (no hang)', () => {
  const fifo = (n: string) => (execFileSync('mkfifo', [p(n)]), n);
  const out = 'r.json';
  const cases: [string, () => string[], RegExp][] = [
    ['shard', () => ['analyze', '--domain', `a=${fifo('pipe.bin')}`], /E_IO.*pipe\.bin.*not a regular file/],
    ['.idx', () => (writeFileSync(p('m.bin'), Buffer.alloc(4)), fifo('m.idx'), ['analyze', '--domain', 'a=m.bin']), /E_IO.*m\.idx.*not a regular file/],
    ['.ds.index', () => (writeFileSync(p('d.ds'), Buffer.alloc(4)), fifo('d.ds.index'), ['analyze', '--domain', 'a=d.ds']), /E_IO.*d\.ds\.index.*not a regular file/],
    ['sidecar', () => (writeFileSync(p('s.bin'), Buffer.alloc(4)), fifo('s.csv.gz'), ['analyze', '--domain', 'a=s.bin']), /E_IO.*s\.csv\.gz.*not a regular file/],
    ['config', () => ['analyze', '--config', fifo('c.json')], /E_IO.*c\.json.*not a regular file/],
    ['embeddings', () => ['analyze', '--domain', 'a=good.bin', '--embeddings', `a=${fifo('e.npy')}`], /E_IO.*e\.npy.*not a regular file/],
    ['losses CSV', () => ['fit', '--losses', fifo('l.csv')], /E_IO.*l\.csv.*not a regular file/],
    ['manifest', () => (mkdirSync(p('parts')), fifo('parts/task-00000.manifest.json'), ['merge', '--partial-dir', 'parts']), /E_(IO|STATE)/],
    ['config symlinked to /dev/zero', () => (symlinkSync('/dev/zero', p('z.json')), ['analyze', '--config', 'z.json']), /E_IO.*z\.json.*not a regular file/],
    ['embeddings symlinked to /dev/zero', () => (symlinkSync('/dev/zero', p('z.npy')), ['analyze', '--domain', 'a=good.bin', '--embeddings', 'a=z.npy']), /E_IO.*z\.npy.*not a regular file/],
    ['shard symlinked to /dev/zero', () => (symlinkSync('/dev/zero', p('z.bin')), ['analyze', '--domain', 'a=z.bin']), /E_IO.*z\.bin.*not a regular file/],
  ];
  for (const [name, args, pattern] of cases) {
    it(name, async () => {
      const r = await cli([...args(), '--out', out]);
      expectRefused(r, pattern);
      expect(existsSync(p(out))).toBe(false);
    });
  }
});

it('a gzip-bomb sidecar stops at the bound a small shard can need', async () => {
  writeFileSync(p('bomb.bin'), Buffer.alloc(1000));
  const member = gzipSync(Buffer.alloc(64 << 20));
  writeFileSync(p('bomb.csv.gz'), Buffer.concat(Array.from({ length: 32 }, () => member))); // 2 GB decompressed
  const r = await cli(['analyze', '--domain', 'a=bomb.bin', '--out', 'bomb.json']);
  expectRefused(r, /E_FORMAT.*bomb\.csv\.gz.*decompresses to more than/);
  expect(existsSync(p('bomb.json'))).toBe(false);
});

it('--chunk-size 1 is refused with the minimum named', async () => {
  expectRefused(await cli(['analyze', '--domain', 'a=good.bin', '--chunk-size', '1']), /E_USAGE.*--chunk-size.*65536 bytes/);
});

it('--threads 1000 on a small input starts only the threads it has chunks for', async () => {
  const r = await cli(['analyze', '--domain', 'a=good.bin', '--threads', '1000', '--quiet', '--out', 'many-threads.json']);
  expect(r.code, r.stderr).toBe(0);
  expect(r.maxThreads).toBeLessThan(40);
  expect(JSON.parse(readFileSync(p('many-threads.json'), 'utf8')).domains[0].tokens).toBe(1000);
});

describe('a shard truncated while it is being counted', () => {
  beforeAll(() => {
    const n = 100_000_000;
    const b = Buffer.allocUnsafe(2 * n);
    const u = new Uint16Array(b.buffer, b.byteOffset, n);
    let x = 1;
    for (let i = 0; i < n; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      u[i] = x % 30000;
    }
    writeFileSync(p('big.src'), b);
  });
  for (const [threads, chunk] of [['1', '1GB'], ['2', '8MB']] as const) {
    it(`${threads} thread(s), chunks of ${chunk}: E_CHANGED, exit 2, no report, no SIGBUS`, async () => {
      execFileSync('cp', [p('big.src'), p('t.bin')]);
      // Truncate once a worker has mapped the file too (planning keeps one mapping; a second means counting began).
      const during = async (pid: number) => {
        const mappings = () => {
          try {
            return readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n').filter((l) => l.endsWith('/t.bin')).length;
          } catch {
            return 0;
          }
        };
        const until = Date.now() + 30_000;
        while (Date.now() < until && mappings() < 2) await new Promise((r) => setTimeout(r, 5));
        truncateSync(p('t.bin'), 4096);
      };
      const r = await cli(['analyze', '--domain', 'a=t.bin', '--threads', threads, '--chunk-size', chunk, '--quiet', '--out', 't.json'], { during, timeoutMs: 60_000 });
      expectRefused(r, /E_(CHANGED|TRUNCATED).*t\.bin.*changed while being read/, 60_000);
      expect(existsSync(p('t.json'))).toBe(false);
    });
  }
});

it('100,000 files (more than the kernel allows mappings) are counted', async () => {
  mkdirSync(p('many'));
  const b = Buffer.alloc(16);
  for (let i = 0; i < 100_000; i++) {
    b.writeUInt16LE(i % 500, 0);
    b.writeUInt16LE((i * 7) % 500, 2);
    writeFileSync(p(`many/f${String(i).padStart(6, '0')}.bin`), b);
  }
  const r = await cli(['analyze', '--domain', 'a=many/*.bin', '--threads', '2', '--quiet', '--out', 'many.json'], { timeoutMs: 280_000 });
  expect(r.signal, r.stderr).toBeNull();
  expect(r.code, r.stderr).toBe(0);
  const d = JSON.parse(readFileSync(p('many.json'), 'utf8')).domains[0];
  expect(d.files.length).toBe(100_000);
  expect(d.tokens).toBe(800_000);
});
