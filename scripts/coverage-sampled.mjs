#!/usr/bin/env node
/**
 * Measures sampled mode's whole-corpus estimators: for each fraction, seed and domain,
 * does the 95% interval contain the value `analyze` reports without --sample?
 *
 *   npx tsc -p . && node scripts/coverage-sampled.mjs --config CORPUS/bimix.json \
 *     [--fractions 0.25,0.1] [--seeds 10] [--threads 2] [--json out.json]
 *
 * Prints, per fraction and estimator, the coverage of H(X'|X), H(X) and H(X,X') over
 * (domain, seed) cases, the mean error of the estimate and the mean half-width.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyze, countDomains } from '../dist/analyze/index.js';
import { readConfigFile } from '../dist/corpus/config.js';
import { planDomains } from '../dist/analyze/plan.js';
import { WorkerPool } from '../dist/exec/pool.js';
import { ESTIMATORS, estimateCorpus } from '../dist/stats/corpus-estimate.js';

function arg(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
}
const config = arg('config');
if (!config) {
  process.stderr.write('usage: node scripts/coverage-sampled.mjs --config FILE [--fractions 0.25,0.1] [--seeds 10] [--threads 2]\n');
  process.exit(2);
}
const fractions = arg('fractions', '0.25,0.1').split(',').map(Number);
const seeds = Number(arg('seeds', '10'));
const threads = Number(arg('threads', '2'));
const estimators = arg('estimators', ESTIMATORS.join(',')).split(',');

const cfg = await readConfigFile(config, { format: 'auto' });
const full = await analyze({ domains: cfg.domains, baseDir: cfg.baseDir, threads });
const truth = Object.fromEntries(full.domains.map((d) => [d.name, d.entropy]));
const plans = await planDomains(cfg.domains, cfg.baseDir);
const pool = new WorkerPool(threads);
const tmpDir = mkdtempSync(path.join(os.tmpdir(), 'bimix-coverage-'));
const KEYS = ['conditional', 'shannon', 'joint'];
const results = [];
try {
  for (const fraction of fractions) {
    for (let seed = 1; seed <= seeds; seed++) {
      const tables = await countDomains(plans, pool, { threads, memoryBytes: 1 << 30, simd: 'auto', unigramsOnly: false, tmpDir, sample: { fraction, seed } });
      plans.forEach((p, i) => {
        for (const est of estimators) {
          const e = estimateCorpus(tables[i], fraction, est);
          const row = { fraction, seed, domain: p.name, estimator: est };
          for (const k of KEYS) {
            const [lo, hi] = e.intervals[k];
            row[k] = { covered: lo <= truth[p.name][k] && truth[p.name][k] <= hi, error: e.value[k] - truth[p.name][k], half: (hi - lo) / 2 };
          }
          results.push(row);
        }
      });
      process.stderr.write(`fraction ${fraction} seed ${seed} done\n`);
    }
  }
} finally {
  await pool.close();
  rmSync(tmpDir, { recursive: true, force: true });
}

const lines = [`corpus ${config}: ${plans.length} domains, ${seeds} seeds; 95% intervals; H in nats`, ''];
lines.push('| fraction | estimator | covers H(X\'\\|X) | covers H(X) | covers H(X,X\') | mean error H(X\'\\|X) | mean \\|error\\| | mean half-width |');
lines.push('|---|---|---|---|---|---|---|---|');
for (const fraction of fractions) {
  for (const est of estimators) {
    const rs = results.filter((r) => r.fraction === fraction && r.estimator === est);
    const cov = (k) => `${rs.filter((r) => r[k].covered).length}/${rs.length}`;
    const mean = (f) => (rs.reduce((a, r) => a + f(r), 0) / rs.length).toFixed(4);
    lines.push(`| ${fraction} | ${est} | ${cov('conditional')} | ${cov('shannon')} | ${cov('joint')} | ${mean((r) => r.conditional.error)} | ${mean((r) => Math.abs(r.conditional.error))} | ${mean((r) => r.conditional.half)} |`);
  }
}
const perDomain = ['', 'H(X\'|X) coverage of each estimator by domain (all fractions):'];
for (const est of estimators) {
  const cells = plans.map((p) => {
    const rs = results.filter((r) => r.estimator === est && r.domain === p.name);
    return `${p.name} ${rs.filter((r) => r.conditional.covered).length}/${rs.length}`;
  });
  perDomain.push(`  ${est}: ${cells.join(', ')}`);
}
process.stdout.write(`${[...lines, ...perDomain].join('\n')}\n`);
const json = arg('json');
if (json) writeFileSync(json, JSON.stringify({ config, fractions, seeds, truth, results }, null, 1));
