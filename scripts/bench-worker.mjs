// One benchmark measurement in a fresh process (so CPU time and peak RSS are its
// own). Prints one JSON line: { seconds, tokens, check }.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { loadAddon } = await import(path.join(root, 'dist', 'engine', 'native.js'));

function openSource(a, spec) {
  return new a.Source({ path: spec.file, format: 'raw', dtype: spec.dtype, eos: spec.eos });
}

// Work of one thread over [begin, end) of the file.
function runPart(spec, begin, end, name) {
  const a = loadAddon();
  const src = openSource(a, spec);
  const chunk = 32 << 20;
  if (spec.mode === 'stream') {
    let sum = 0n;
    for (let b = begin; b < end; b += chunk) sum += a.streamSum(src, b, Math.min(end, b + chunk));
    return String(sum);
  }
  const acc = new a.Accumulator({
    memoryBytes: spec.memoryBytes / spec.threads,
    spillDir: spec.spillDir,
    simd: 'auto',
    layout: name,
    vocab: 0,
    unigramsOnly: spec.mode === 'unigram',
  });
  for (let b = begin; b < end; b += chunk) acc.add(src, b, Math.min(end, b + chunk));
  acc.register(name);
  return name;
}

if (!isMainThread) {
  const { spec, begin, end, name } = workerData;
  parentPort.postMessage(runPart(spec, begin, end, name));
} else {
  const spec = JSON.parse(process.argv[2]);
  const a = loadAddon();
  const n = Math.min(openSource(a, spec).info.tokens, spec.tokens ?? Infinity);
  const t0 = performance.now();
  const per = Math.ceil(n / spec.threads);
  const parts = [];
  for (let t = 0; t < spec.threads; t++) {
    const begin = t * per;
    const end = Math.min(n, begin + per);
    const name = `bench-${process.pid}`;
    if (spec.threads === 1) parts.push(Promise.resolve(runPart(spec, begin, end, name)));
    else
      parts.push(
        new Promise((resolve, reject) => {
          const w = new Worker(fileURLToPath(import.meta.url), { workerData: { spec, begin, end, name } });
          w.once('message', resolve);
          w.once('error', reject);
        }),
      );
  }
  const results = await Promise.all(parts);
  let check;
  if (spec.mode === 'stream') check = results.reduce((s, x) => s + BigInt(x), 0n).toString();
  else {
    const r = a.reduceRegistered(results[0], { threads: spec.threads });
    check = `${r.tokens}/${r.bigramDistinct}/${r.unigramDistinct}`;
  }
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(`${JSON.stringify({ seconds, tokens: n, check })}\n`);
  process.exit(0);
}
