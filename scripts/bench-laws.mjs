// `npm run bench:laws` (also the last section of `npm run bench`): wall time of
// `bimix fit --law all --holdout runs=5` on the real-shaped sweep of test/fixtures/laws
// (1000 runs, 17 domains, 13 evaluated; every law of --law all, the interaction law included),
// per thread count, then of the regression law alone
// (`--law regression`, RegMix's boosted trees; needs libxgboost). Each number is the median of
// --runs runs, each in a fresh process; the load average is printed because the targets
// (<= 30 s on 2 cores for the parametric laws, interaction included, <= 60 s with the trees) are about a machine
// that is not shared. `--laws all,regression` picks the sections.
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
const sections = value('--laws', 'all,regression').split(',');
const fix = path.join(root, 'test', 'fixtures', 'laws');

function once(law, threads) {
  const argv = [path.join(root, 'dist', 'cli', 'main.js'), 'fit', '--from', path.join(fix, 'sweep-mixtures.csv'), path.join(fix, 'sweep-losses.csv'),
    '--law', law, '--holdout', 'runs=5', '--threads', String(threads), '--json', '--quiet'];
  const load = os.loadavg()[0];
  const r = spawnSync('/usr/bin/time', ['-f', 'BENCHTIME %e %U %S', process.execPath, ...argv], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`bench-laws: fit failed (${r.status}): ${r.stderr}`);
  const m = /BENCHTIME (\S+) (\S+) (\S+)/.exec(r.stderr);
  const out = JSON.parse(r.stdout);
  return { wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), load, out };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const law of sections) {
  console.log(`laws: fit --law ${law} --holdout runs=5 on the 1000-run, 17-domain sweep (${os.availableParallelism()} cores; median of ${runs})`);
  console.log('threads  wall s  cpu s  load avg (1 min, at start)');
  let last;
  const walls = new Map();
  for (const t of threadList) {
    const rs = Array.from({ length: runs }, () => once(law, t));
    last = rs[0].out;
    walls.set(t, median(rs.map((r) => r.wall)));
    console.log(`${String(t).padStart(7)}  ${median(rs.map((r) => r.wall)).toFixed(2).padStart(6)}  ${median(rs.map((r) => r.cpu)).toFixed(2).padStart(5)}  ${rs.map((r) => r.load.toFixed(1)).join(', ')}`);
  }
  const trees = law === 'regression' || (last.laws ?? []).some((l) => l.law === 'regression' && !l.error);
  const skipped = (last.laws ?? []).find((l) => l.law === 'regression' && l.error);
  if (skipped) console.log(`  regression law skipped: ${skipped.error.code} (the time is without trees)`);
  for (const l of last.comparison?.laws ?? []) console.log(`  ${l.law.padEnd(11)} held-out mean R2(log) ${l.r2Log?.toFixed(4)}  MRE ${(100 * l.mre).toFixed(3)}%`);
  if (law === 'regression') console.log(`  regression held-out mean R2(log) ${last.holdout?.r2Log?.toFixed(4)}  MRE ${(100 * last.holdout?.mre).toFixed(3)}%`);
  if (last.recommendation) console.log(`  ${last.recommendation}`);
  const target = trees ? 60 : 30;
  if (law === 'all' && walls.has(2)) {
    const w = walls.get(2);
    const what = trees ? 'with trees' : 'without trees';
    console.log(w <= target ? `target <= ${target} s on 2 threads (${what}): met (${w.toFixed(1)} s)` : `target <= ${target} s on 2 threads (${what}): missed by ${(w - target).toFixed(1)} s (see the load average and the CPU time)`);
  }
}
