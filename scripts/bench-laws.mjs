// `npm run bench:laws` (also the last section of `npm run bench`): wall time of
// `bimix fit --law all --holdout runs=5` on the real-shaped sweep of test/fixtures/laws
// (1000 runs, 17 domains, 13 evaluated; every law of --law all, the interaction law included), per thread count. Each number is the median of
// --runs runs, each in a fresh process; the load average is printed because the target
// (<= 30 s on 2 cores) is about a machine that is not shared.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const value = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const runs = Number(value('--runs', '3'));
const threadList = value('--threads', '1,2').split(',').map(Number);
const fix = path.join(root, 'test', 'fixtures', 'laws');
const TARGET_S = 30;

function once(threads) {
  const argv = [path.join(root, 'dist', 'cli', 'main.js'), 'fit', '--from', path.join(fix, 'sweep-mixtures.csv'), path.join(fix, 'sweep-losses.csv'),
    '--law', 'all', '--holdout', 'runs=5', '--threads', String(threads), '--json', '--quiet'];
  const load = os.loadavg()[0];
  const r = spawnSync('/usr/bin/time', ['-f', 'BENCHTIME %e %U %S', process.execPath, ...argv], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`bench-laws: fit failed (${r.status}): ${r.stderr}`);
  const m = /BENCHTIME (\S+) (\S+) (\S+)/.exec(r.stderr);
  const out = JSON.parse(r.stdout);
  return { wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), load, out };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`laws: fit --law all --holdout runs=5 on the 1000-run, 17-domain sweep (${os.availableParallelism()} cores; median of ${runs})`);
console.log('threads  wall s  cpu s  load avg (1 min, at start)');
let last;
const walls = new Map();
for (const t of threadList) {
  const rs = Array.from({ length: runs }, () => once(t));
  last = rs[0].out;
  walls.set(t, median(rs.map((r) => r.wall)));
  console.log(`${String(t).padStart(7)}  ${median(rs.map((r) => r.wall)).toFixed(2).padStart(6)}  ${median(rs.map((r) => r.cpu)).toFixed(2).padStart(5)}  ${rs.map((r) => r.load.toFixed(1)).join(', ')}`);
}
for (const l of last.comparison?.laws ?? []) console.log(`  ${l.law.padEnd(11)} held-out mean R2(log) ${l.r2Log?.toFixed(4)}  MRE ${(100 * l.mre).toFixed(3)}%`);
if (last.recommendation) console.log(`  ${last.recommendation}`);
if (walls.has(2)) {
  const w = walls.get(2);
  console.log(w <= TARGET_S ? `target <= ${TARGET_S} s on 2 threads: met (${w.toFixed(1)} s)` : `target <= ${TARGET_S} s on 2 threads: missed by ${(w - TARGET_S).toFixed(1)} s (see the load average)`);
}
