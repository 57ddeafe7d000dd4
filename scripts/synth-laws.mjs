#!/usr/bin/env node
/**
 * Synthetic proxy-run sweeps for the mixing-law tests and examples: losses drawn from the
 * transfer law (tau = 0 gives plain BiMix) with 0.5% multiplicative noise, seeded.
 *
 *   node scripts/synth-laws.mjs examples/laws   # writes the example CSV files
 *   node scripts/synth-laws.mjs --saturating DIR [SEED]   # DIR/sat-mixtures.csv, DIR/sat-losses.csv (seed 23),
 *                                              # and prints the ground truth's R^2(log) on the noisy losses
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** A seeded uniform generator (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws from a uniform generator (Box–Muller). */
export function normal(u) {
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

const DOMAINS = {
  web: { alpha: 0.1, beta: 0.45, b: 25, c: 2.4 },
  forum: { alpha: 0.12, beta: 0.5, b: 30, c: 2.6 },
  code: { alpha: 0.2, beta: 0.6, b: 60, c: 1.2 },
  math: { alpha: 0.25, beta: 0.5, b: 35, c: 1.1 },
};

/** Transfer coefficients tau[i][j] (domain i learns from j) for the "transfer" sweep. */
const TAU = {
  web: { forum: 0.35, code: 0.1, math: 0.1 },
  forum: { web: 0.5, code: 0.05, math: 0.05 },
  code: { math: 0.15 },
  math: { code: 0.2 },
};

/**
 * Generates a sweep. `transfer: true` draws losses with cross-domain transfer and includes
 * zero-share runs; `transfer: false` is plain BiMix with every share positive.
 * Returns { domains, runs: [{ name, mixture }], rows: [{ run, step, domain, proportion, loss }] }.
 */
export function makeSweep({ transfer, seed = 7, runs = 16, steps = [1000, 2000, 4000, 6000, 8000] }) {
  const u = rng(seed);
  const z = normal(u);
  const names = Object.keys(DOMAINS);
  const m = names.length;
  const mixes = [];
  for (let k = 0; k < runs; k++) {
    let v = names.map(() => (-Math.log(1 - u())) ** 1.3);
    // In the transfer sweep every third run drops one domain entirely.
    if (transfer && k % 3 === 2) v[(k / 3) % m | 0] = 0;
    const floor = transfer ? 0 : 0.04;
    v = v.map((x) => (x === 0 ? 0 : Math.max(floor, x)));
    const s = v.reduce((a, b) => a + b, 0);
    v = v.map((x) => Math.round((1e4 * x) / s) / 1e4);
    const last = v.findLastIndex((x) => x > 0);
    v[last] = Math.round(1e4 * (1 - v.reduce((a, b, j) => (j === last ? a : a + b), 0))) / 1e4;
    mixes.push(v);
  }
  const rows = [];
  mixes.forEach((mix, k) => {
    for (const step of steps) {
      names.forEach((d, i) => {
        const p = DOMAINS[d];
        let e = mix[i];
        if (transfer) names.forEach((o, j) => (e += (TAU[d][o] ?? 0) * mix[j]));
        const loss = Math.pow(e, -p.alpha) * (p.b * Math.pow(step, -p.beta) + p.c) * (1 + 0.005 * z());
        rows.push({ run: `run${k}`, step, domain: d, proportion: mix[i], loss: Number(loss.toFixed(6)) });
      });
    }
  });
  return { domains: names, runs: mixes.map((mixture, k) => ({ name: `run${k}`, mixture })), rows, truth: { params: DOMAINS, tau: transfer ? TAU : {} } };
}

/** Long-format CSV text of a sweep. */
export function toLongCsv(sweep) {
  return `run,step,domain,proportion,loss\n${sweep.rows.map((r) => `${r.run},${r.step},${r.domain},${r.proportion},${r.loss}`).join('\n')}\n`;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname);
if (isMain && process.argv[2] !== '--saturating') {
  const dir = process.argv[2] ?? 'examples/laws';
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'sweep-transfer.csv'), toLongCsv(makeSweep({ transfer: true })));
  writeFileSync(path.join(dir, 'sweep-plain.csv'), toLongCsv(makeSweep({ transfer: false })));
  // A small wide-format pair (plain BiMix data, 3 domains' worth of columns).
  const plain = makeSweep({ transfer: false, runs: 8, steps: [1000, 2000, 4000, 8000] });
  const mixCsv = `run,${plain.domains.join(',')}\n${plain.runs.map((r) => `${r.name},${r.mixture.join(',')}`).join('\n')}\n`;
  const byKey = new Map(plain.rows.map((r) => [`${r.run}|${r.step}|${r.domain}`, r.loss]));
  const steps = [...new Set(plain.rows.map((r) => r.step))];
  const lossLines = plain.runs.flatMap((r) => steps.map((s) => `${r.name},${s},${plain.domains.map((d) => byKey.get(`${r.name}|${s}|${d}`)).join(',')}`));
  writeFileSync(path.join(dir, 'mixtures.csv'), mixCsv);
  writeFileSync(path.join(dir, 'losses.csv'), `run,step,${plain.domains.join(',')}\n${lossLines.join('\n')}\n`);
  writeFileSync(path.join(dir, 'reference.json'), `${JSON.stringify({ web: 0.25, forum: 0.25, code: 0.25, math: 0.25 }, null, 2)}\n`);
  process.stderr.write(`wrote examples to ${dir}\n`);
}

/** Gamma(shape, 1) draws (Marsaglia–Tsang; shape < 1 by the boosting identity). */
function gammaDraw(u, z, shape) {
  if (shape < 1) return gammaDraw(u, z, shape + 1) * Math.pow(1 - u(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x;
    let v;
    do {
      x = z();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const w = 1 - u();
    if (Math.log(w) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/**
 * A real-shaped sweep whose ground truth is NOT the transfer law's form, to check that a law's
 * cross-validated gain does not come from matching one generator: 1000 runs over 17 domains
 * (13 evaluated), Dirichlet mixtures with shares below 0.02 set to 0 and printed with 3 decimals,
 * one step per run, 0.5% multiplicative noise, and losses
 *   L_i = c_i + k_i (e_i + 0.01)^-alpha_i - sum_{(j,l) in P_i} g_ijl sqrt(r_j r_l),
 * with an additive floor c_i, transfer e_i = r_i + sum_j T_ij r_j, and synergies between a few
 * random pairs of domains P_i (geometric-mean terms, not a low-rank quadratic form).
 * Returns { domains, evaluated, mixtures, losses (null = not evaluated), truth (noise-free losses) }.
 */
export function makeSaturatingSweep({ seed = 23, runs = 1000, noise = 0.005 } = {}) {
  const u = rng(seed);
  const z = normal(u);
  const domains = [
    'pile_cc', 'github', 'pubmed_central', 'arxiv', 'freelaw', 'stackexchange', 'wikipedia', 'uspto', 'pubmed_abstracts',
    'gutenberg', 'dm_mathematics', 'hackernews', 'nih_exporter', 'philpapers', 'europarl', 'enron_emails', 'ubuntu_irc',
  ];
  const m = domains.length;
  const e = 13;
  const dirichlet = (a) => {
    const g = a.map((x) => gammaDraw(u, z, x));
    const s = g.reduce((p, q) => p + q, 0);
    return g.map((x) => x / s);
  };
  const prior = dirichlet(new Array(m).fill(2));
  const mixtures = [];
  while (mixtures.length < runs) {
    const conc = [0.3, 1, 3][Math.floor(3 * u())];
    let v = dirichlet(prior.map((p) => Math.max(p * conc * m * 0.4, 1e-3)));
    v = v.map((x) => (x < 0.02 ? 0 : x));
    const s = v.reduce((p, q) => p + q, 0);
    if (!(s > 0)) continue;
    mixtures.push(v.map((x) => Math.round((1000 * x) / s) / 1000));
  }
  const par = Array.from({ length: e }, (_, i) => {
    const T = Array.from({ length: m }, (_, j) => (j === i ? 1 : u() < 0.3 ? 0.3 * u() : 0));
    const pairs = Array.from({ length: 3 }, () => {
      const j = Math.floor(u() * m);
      let l = Math.floor(u() * (m - 1));
      if (l >= j) l++;
      return { j, l, g: 0.3 * u() };
    });
    return { alpha: 0.05 + 0.2 * u(), k: 0.5 + u(), c: 1 + 1.5 * u(), T, pairs };
  });
  const truth = mixtures.map((r) =>
    par.map((p) => {
      let eff = 0.01;
      for (let j = 0; j < m; j++) eff += p.T[j] * r[j];
      let syn = 0;
      for (const q of p.pairs) syn += q.g * Math.sqrt(r[q.j] * r[q.l]);
      return p.c + p.k * Math.pow(eff, -p.alpha) - syn;
    }),
  );
  const losses = truth.map((row) => row.map((t) => (u() < 0.005 ? null : Number((t * (1 + noise * z())).toFixed(4)))));
  return { domains, evaluated: domains.slice(0, e), mixtures, losses, truth, params: par };
}

/** Wide CSV texts (mixtures, losses) of a sweep from {@link makeSaturatingSweep}. */
export function toWideCsv(sweep) {
  const fmt = (x) => x.toFixed(3).replace(/\.?0+$/, '');
  const mix = `run,${sweep.domains.join(',')}\n${sweep.mixtures.map((r, i) => `run${i},${r.map(fmt).join(',')}`).join('\n')}\n`;
  const loss = `run,${sweep.evaluated.join(',')}\n${sweep.losses.map((r, i) => `run${i},${r.map((x) => (x === null ? '' : x.toFixed(4))).join(',')}`).join('\n')}\n`;
  return { mixtures: mix, losses: loss };
}

if (isMain && process.argv[2] === '--saturating') {
  const dir = process.argv[3] ?? '.';
  const sweep = makeSaturatingSweep({ seed: Number(process.argv[4] ?? 23) });
  const w = toWideCsv(sweep);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'sat-mixtures.csv'), w.mixtures);
  writeFileSync(path.join(dir, 'sat-losses.csv'), w.losses);
  // The ceiling: R^2 on log loss of the noise-free truth against the noisy losses, per domain.
  const r2s = sweep.evaluated.map((d, i) => {
    const o = [];
    const t = [];
    sweep.losses.forEach((row, k) => {
      if (row[i] !== null) {
        o.push(Math.log(row[i]));
        t.push(Math.log(sweep.truth[k][i]));
      }
    });
    const mean = o.reduce((a, b) => a + b, 0) / o.length;
    const res = o.reduce((a, x, j) => a + (x - t[j]) ** 2, 0);
    const tot = o.reduce((a, x) => a + (x - mean) ** 2, 0);
    const r2 = 1 - res / tot;
    process.stdout.write(`${d.padEnd(18)} R2(log) of the ground truth ${r2.toFixed(4)}\n`);
    return r2;
  });
  process.stdout.write(`mean ${(r2s.reduce((a, b) => a + b, 0) / r2s.length).toFixed(4)}  min ${Math.min(...r2s).toFixed(4)}\n`);
  process.stderr.write(`wrote ${dir}/sat-mixtures.csv and ${dir}/sat-losses.csv\n`);
}
