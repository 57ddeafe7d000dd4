// `npm run bench`: throughput of the counting engine against the streaming limit
// and numpy, on corpora generated (and cached) by the project's own generator.
// Every number is a median of --runs runs after one warm-up, each in a fresh
// process; ratios are taken within this run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const value = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const runs = Number(value('--runs', '3'));
const threadList = value('--threads', '1,2').split(',').map(Number);
const quick = flag('--quick');
// --tokens N: corpus size (default 400M; --quick 50M).
const size = Number(value('--tokens', quick ? '50000000' : '400000000'));
const { writeZipfMarkov, BENCH_SPECS } = await import(path.join(root, 'dist', 'corpus', 'zipf-markov.js'));

const corpusDir = path.join(root, 'bench', 'corpora');
mkdirSync(corpusDir, { recursive: true });
// `frequencyOrdered`: the same corpus with ids relabelled so that id 0 is the most
// frequent (as in BPE vocabularies); identical counts, different id order.
function corpus(kind, tokens, frequencyOrdered = false) {
  const file = path.join(corpusDir, `${kind}${frequencyOrdered ? '-freq' : ''}-${tokens / 1e6}M.bin`);
  if (!existsSync(file)) {
    process.stderr.write(`bench: generating ${file} ...\n`);
    writeZipfMarkov(file, { ...BENCH_SPECS[kind], frequencyOrdered }, tokens);
  }
  return { file, dtype: kind, eos: BENCH_SPECS[kind].eos, tokens };
}

function timed(cmd, argv, env = {}) {
  const r = spawnSync('/usr/bin/time', ['-f', 'BENCHTIME %e %U %S %M', cmd, ...argv], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed: ${r.stderr}`);
  const m = /BENCHTIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
  return { stdout: r.stdout, wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), rssMB: Number(m[4]) / 1024 };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function measure(label, fn) {
  fn(); // warm-up (page cache, CPU frequency)
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(fn());
  const pick = samples.find((s) => s.seconds === median(samples.map((x) => x.seconds)));
  process.stderr.write(`bench: ${label}: ${(pick.tokens / pick.seconds / 1e6).toFixed(1)} M tokens/s\n`);
  return pick;
}

const spillDir = mkdtempSync(path.join(os.tmpdir(), 'bimix-bench-'));
function kernel(mode, c, threads, memoryBytes = Math.floor(os.totalmem() * 0.4)) {
  return () => {
    const spec = { mode, file: c.file, dtype: c.dtype, eos: c.eos, threads, memoryBytes, spillDir, tokens: c.tokens };
    const t = timed(process.execPath, [path.join(root, 'scripts', 'bench-worker.mjs'), JSON.stringify(spec)]);
    const out = JSON.parse(t.stdout.trim().split('\n').pop());
    return { seconds: out.seconds, tokens: out.tokens, cpu: t.cpu, rssMB: t.rssMB, check: out.check };
  };
}
function endToEnd(c, threads, memory) {
  return () => {
    const argv = [path.join(root, 'dist', 'cli', 'main.js'), 'analyze', '--domain', `bench=${c.file}`, '--format', 'raw', '--dtype', c.dtype, '--eos', String(c.eos), '--threads', String(threads), '--json', '--quiet'];
    if (memory) argv.push('--memory', memory);
    const t = timed(process.execPath, argv);
    const report = JSON.parse(t.stdout);
    const d = report.domains[0];
    return { seconds: t.wall, tokens: c.tokens, cpu: t.cpu, rssMB: t.rssMB, check: `${d.tokens + 0}/${d.bigrams.distinct}/${d.unigrams.distinct}`, entropy: d.entropy };
  };
}
function numpy(c, prefix) {
  const py = `
import numpy as np, time, sys
a = np.memmap(sys.argv[1], dtype=np.uint16 if sys.argv[2]=='u16' else np.uint32, mode='r')[:int(sys.argv[3])]
eos = int(sys.argv[4])
t = time.perf_counter()
x = np.asarray(a)
uni = np.bincount(x[x != eos])
kt, shift = (np.uint32, 16) if x.dtype == np.uint16 else (np.uint64, 32)
l = x[:-1].astype(kt); r = x[1:].astype(kt)
keep = (l != eos) & (r != eos)
keys = (l[keep] << kt(shift)) | r[keep]
u, counts = np.unique(keys, return_counts=True)
print(time.perf_counter() - t, len(u))
`;
  return () => {
    const env = { ...process.env };
    delete env.OPENBLAS_CORETYPE;
    delete env.OPENBLAS_L2_SIZE;
    const r = spawnSync('/usr/bin/time', ['-f', 'BENCHTIME %e %U %S %M', 'python3', '-c', py, c.file, c.dtype, String(prefix), String(c.eos)], { encoding: 'utf8', env });
    if (r.status !== 0) throw new Error(r.stderr);
    const [secs] = r.stdout.trim().split(/\s+/).map(Number);
    const m = /BENCHTIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
    return { seconds: secs, tokens: prefix, cpu: Number(m[2]) + Number(m[3]), rssMB: Number(m[4]) / 1024 };
  };
}
const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;

const rows = [];
function add(corpusName, method, threads, m) {
  rows.push({ corpus: corpusName, method, threads, tokensPerSecond: m.tokens / m.seconds, seconds: m.seconds, cpuSeconds: m.cpu, peakRssMB: m.rssMB, check: m.check });
}

const kinds = flag('--u16-only') ? ['u16'] : ['u16', 'u32'];
for (const kind of kinds) {
  const c = corpus(kind, size);
  const name = `${kind} ${size / 1e6}M`;
  if (hasNumpy) add(name, 'numpy np.unique (100M prefix)', 1, measure(`${name} numpy`, numpy(c, Math.min(size, 100_000_000))));
  for (const t of threadList) {
    add(name, 'streaming limit (sum over mmap)', t, measure(`${name} stream x${t}`, kernel('stream', c, t)));
    add(name, 'unigrams only', t, measure(`${name} unigram x${t}`, kernel('unigram', c, t)));
    add(name, 'full analysis, kernel', t, measure(`${name} kernel x${t}`, kernel('full', c, t)));
    add(name, 'full analysis, bimix analyze', t, measure(`${name} analyze x${t}`, endToEnd(c, t)));
  }
  if (kind === 'u16') {
    add(name, 'bimix analyze --memory 512MB', 1, measure(`${name} analyze 512MB`, endToEnd(c, 1, '512MB')));
    // Ids ordered by frequency instead of scattered: partitions must stay balanced.
    const f = corpus(kind, size, true);
    for (const t of threadList) add(name, 'bimix analyze, frequency-ordered ids', t, measure(`${name} analyze freq-ordered x${t}`, endToEnd(f, t)));
  }
}
if (flag('--large')) {
  const c = corpus('u16', 4_000_000_000);
  add('u16 4000M', 'full analysis, bimix analyze', 1, measure('u16 4000M analyze x1', endToEnd(c, 1)));
}
rmSync(spillDir, { recursive: true, force: true });

// Ratios within this run.
for (const r of rows) {
  const stream = rows.find((x) => x.corpus === r.corpus && x.method.startsWith('streaming') && x.threads === r.threads);
  const np = rows.find((x) => x.corpus === r.corpus && x.method.startsWith('numpy'));
  r.vsStreaming = stream ? r.tokensPerSecond / stream.tokensPerSecond : null;
  r.vsNumpy = np ? r.tokensPerSecond / np.tokensPerSecond : null;
}
const cpu = (readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) ?? [])[1] ?? os.cpus()[0]?.model;
const result = { date: new Date().toISOString(), cpu, cores: os.cpus().length, command: `npm run bench -- ${args.join(' ')}`.trim(), runs, rows };
mkdirSync(path.join(root, 'bench'), { recursive: true });
writeFileSync(path.join(root, 'bench', 'results.json'), `${JSON.stringify(result, null, 2)}\n`);
const f = (x, d = 2) => (x === null || x === undefined ? '-' : x.toFixed(d));
let md = `Measured ${result.date.slice(0, 10)} on ${cpu} (${result.cores} cores), \`${result.command}\`, median of ${runs} runs.\n\n`;
md += '| corpus | method | threads | M tokens/s | M tokens/s per thread | CPU s | peak RSS MB | vs streaming | vs numpy |\n|---|---|---|---|---|---|---|---|---|\n';
for (const r of rows) {
  md += `| ${r.corpus} | ${r.method} | ${r.threads} | ${f(r.tokensPerSecond / 1e6, 1)} | ${f(r.tokensPerSecond / 1e6 / r.threads, 1)} | ${f(r.cpuSeconds, 1)} | ${f(r.peakRssMB, 0)} | ${f(r.vsStreaming, 3)} | ${f(r.vsNumpy, 2)} |\n`;
}
// Same-run ratios the targets are stated in.
const row = (corpusName, method, t) => rows.find((r) => r.corpus === corpusName && r.method === method && r.threads === t);
md += '\n';
for (const kind of kinds) {
  const name = `${kind} ${size / 1e6}M`;
  const one = row(name, 'full analysis, bimix analyze', 1);
  for (const t of threadList.filter((x) => x > 1)) {
    const many = row(name, 'full analysis, bimix analyze', t);
    if (one && many) md += `- ${name}: ${t} threads / 1 thread (bimix analyze) = ${f(many.tokensPerSecond / one.tokensPerSecond)}x speed, ${f(many.peakRssMB / one.peakRssMB)}x peak RSS\n`;
  }
  for (const t of threadList) {
    const scattered = row(name, 'full analysis, bimix analyze', t);
    const freq = row(name, 'bimix analyze, frequency-ordered ids', t);
    if (scattered && freq) md += `- ${name}: frequency-ordered / scattered ids, ${t} thread(s) = ${f(freq.tokensPerSecond / scattered.tokensPerSecond, 3)}\n`;
    // The two corpora differ only in their ids' labels: their counts must agree.
    if (scattered && freq && scattered.check !== freq.check) md += `- WARNING: ${name} frequency-ordered counts ${freq.check} differ from scattered ${scattered.check}\n`;
  }
}
process.stdout.write(md);
