#!/usr/bin/env node
/**
 * Size and render time of the HTML report at scale: 50 domains (analysis report, check result)
 * and a BiMix law fitted on 1000 loss points (50 domains x 10 runs x 2 steps) with its data and
 * an optimizer result, all on one page. Needs the TypeScript build (dist/) and, for the render
 * time, Debian's chromium.
 *
 *   npx tsc -p tsconfig.json && node scripts/report-bench.mjs [--runs 5] [--keep DIR]
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { compareReports } from '../dist/check/compare.js';
import { fitLaw, optimizeMixture, parseLongCsv } from '../dist/laws/index.js';
import { buildReportHtml, emptyInputs } from '../dist/report-html/index.js';
import { mixtureFromEntropies } from '../dist/stats/mixture.js';
import { HAVE_CHROMIUM, CHROMIUM, openReport } from './report-browser.mjs';
import { normal, rng } from './synth-laws.mjs';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '5' }, keep: { type: 'string' } } });
const DOMAINS = 50;
const u = rng(16);
const z = normal(rng(17));
const names = Array.from({ length: DOMAINS }, (_, i) => `domain-${String(i).padStart(2, '0')}`);

// An analysis report in the shape `bimix analyze` writes.
const domains = names.map((name, i) => {
  const tokens = Math.round(1e6 * (1 + 9 * u()));
  const h = 2 + 3 * u();
  return {
    name,
    files: [{ path: `/data/${name}/part-00000.bin`, format: 'megatron', dtype: 'u16', bytes: 2 * tokens, mtimeMs: 1, tokens }],
    tokens,
    documents: Math.round(tokens / (200 + 800 * u())),
    unigrams: { distinct: 1024 },
    bigrams: { total: tokens - 1000, distinct: 10_000 + i * 1000 },
    entropy: { shannon: 6.9, joint: 6.9 + h, conditional: h },
    millerMadow: { shannon: 6.91, joint: 6.92 + h, conditional: h + 0.02 },
  };
});
const analysis = {
  schema: 'bimix.analysis/1',
  tool: { name: 'bimix', version: 'bench' },
  base: 'e',
  options: {},
  domains,
  mixture: mixtureFromEntropies(Object.fromEntries(domains.map((d) => [d.name, d.entropy.conditional]))),
};
const current = structuredClone(analysis);
current.domains[3].entropy.conditional += 0.2;
current.domains[7].documents = Math.round(current.domains[7].documents * 0.8);
const check = compareReports(analysis, current, { metrics: ['conditional', 'shannon', 'joint', 'tokens', 'documents', 'unigrams', 'bigrams', 'bigramTotal'] });

// 1000 loss points from known BiMix laws with 0.5% noise: 10 runs x 2 steps x 50 domains.
let csv = 'run,step,domain,proportion,loss\n';
const truth = names.map(() => ({ alpha: 0.05 + 0.25 * u(), beta: 0.4 + 0.2 * u(), b: 20 + 30 * u(), c: 1 + 2 * u() }));
for (let run = 0; run < 10; run++) {
  const raw = names.map(() => -Math.log(1 - u()));
  const sum = raw.reduce((a, b) => a + b, 0);
  const shares = raw.map((x) => x / sum);
  shares[DOMAINS - 1] = 1 - shares.slice(0, -1).reduce((a, b) => a + b, 0);
  for (const step of [4000, 8000]) {
    names.forEach((name, i) => {
      const t = truth[i];
      const loss = shares[i] ** -t.alpha * (t.b * step ** -t.beta + t.c) * (1 + 0.005 * z());
      csv += `r${run},${step},${name},${shares[i]},${loss}\n`;
    });
  }
}
const data = parseLongCsv(csv, 'bench.csv');
const t0 = performance.now();
const law = fitLaw(data, { holdout: { kind: 'runs', k: 5 } });
const fitMs = performance.now() - t0;
const opt = optimizeMixture(law, { steps: 8000 });

const inputs = { ...emptyInputs(), analyses: [{ file: 'analysis.json', doc: analysis }], checks: [{ file: 'check.json', doc: check }], laws: [{ file: 'law.json', doc: law }], optimizations: [{ file: 'opt.json', doc: opt }], lossData: data };
const dir = args.keep ?? mkdtempSync(path.join(tmpdir(), 'bimix-report-bench-'));
const page = path.join(dir, 'report-50-domains.html');
const b0 = performance.now();
const html = buildReportHtml(inputs, 'bimix report benchmark: 50 domains, 1000 law points');
const buildMs = performance.now() - b0;
writeFileSync(page, html);
const bytes = statSync(page).size;
const libBytes = [...html.matchAll(/<script>\/\* vega[\s\S]*?<\/script>/g)].reduce((a, m) => a + Buffer.byteLength(m[0]), 0);
console.log(`page: ${page}`);
console.log(`loss points: ${data.observations.length}; domains: ${DOMAINS}; law fit (not part of the page build): ${(fitMs / 1000).toFixed(1)} s`);
console.log(`size: ${(bytes / 1e6).toFixed(3)} MB (${bytes} bytes), of which inlined chart library ${(libBytes / 1e6).toFixed(3)} MB; build in node: ${buildMs.toFixed(0)} ms`);

if (!HAVE_CHROMIUM) {
  console.log(`render: SKIPPED, no Chromium at ${CHROMIUM}`);
} else {
  const times = [];
  const cpu = [];
  for (let i = 0; i < Number(args.runs); i++) {
    const r = await openReport(page);
    const marks = await r.page.evaluate(() => document.querySelectorAll('svg g.role-mark > *').length);
    const charts = await r.page.evaluate(() => document.querySelectorAll('.vis svg.marks').length);
    if (r.blocked.length + r.consoleErrors.length + r.pageErrors.length > 0) throw new Error(`page not clean: ${JSON.stringify([r.blocked, r.consoleErrors, r.pageErrors])}`);
    times.push(r.renderMs);
    if (r.renderCpuMs !== null) cpu.push(r.renderCpuMs);

    await r.close();
    if (i === 0) console.log(`charts: ${charts}, SVG mark items: ${marks}`);
  }
  times.sort((a, b) => a - b);
  console.log(`render (navigation to every chart drawn), ${times.length} runs: median ${times[times.length >> 1].toFixed(0)} ms, min ${times[0].toFixed(0)} ms, max ${times[times.length - 1].toFixed(0)} ms`);
  cpu.sort((a, b) => a - b);
  if (cpu.length > 0) console.log(`browser CPU time (all its processes, user + system) for the same span: median ${cpu[cpu.length >> 1].toFixed(0)} ms, min ${cpu[0].toFixed(0)} ms`);
  // Wall time depends on what else the machine runs: say how busy it was.
  console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} cores`);
}
if (!args.keep) rmSync(dir, { recursive: true, force: true });
