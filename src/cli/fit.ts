import { optionError } from '../errors.js';
import { DEFAULT_TRANSFER_PENALTY, fitLaw, compareLaws, parseHoldout, readLossData, writeLawFile } from '../laws/index.js';
import type { BimixParams, ComparedLaw, ExpParams, LawComparison, LawName, LawReport, TransferParams } from '../laws/index.js';
import { parseNumber } from '../util/parse.js';
import type { RegisterCommand } from './commands.js';
import { fmt, log, printResult, table } from './output.js';
import { HTML_OPTION, writeHtml } from './html.js';

interface FitOpts {
  losses: string;
  mixtures?: string;
  law: string;
  holdout?: string;
  stepColumn?: string;
  transferPenalty?: string;
  out: string;
  json?: boolean;
  quiet?: boolean;
  html?: string;
}

/** `bimix fit`: fit a mixing law per domain from proxy-run losses and write a law file. */
export const register: RegisterCommand = (program) => {
  program
    .command('fit')
    .description('fit per-domain mixing laws (BiMix, exponential, transfer) to proxy-run losses and write a law file')
    .requiredOption('--losses <file>', 'long-format CSV/JSONL (run, step, domain, proportion, loss), or the wide losses CSV with --mixtures')
    .option('--mixtures <file>', 'wide-format mixtures CSV: run + one proportion column per domain')
    .option('--law <law>', 'bimix, exp, transfer, or all (compare every law by cross-validation)', 'bimix')
    .option('--holdout <protocol>', 'last (extrapolate each run\'s final step) or runs=K (K-fold over runs); --law all defaults to runs=5')
    .option('--step-column <name>', 'name of the step column (e.g. tokens)', 'step')
    .option('--transfer-penalty <x>', `L2 penalty on transfer coefficients (default ${DEFAULT_TRANSFER_PENALTY})`)
    .requiredOption('--out <file>', 'law file to write (with --law all: one file per law, FILE with .bimix/.exp/.transfer before .json)')
    .option('--json', 'print the report as JSON')
    .option('--quiet', 'no notes on stderr')
    .option(...HTML_OPTION)
    .action(async (opts: FitOpts) => {
      const law = opts.law;
      if (!['bimix', 'exp', 'transfer', 'all'].includes(law)) throw optionError('--law', 'bimix, exp, transfer or all', law);
      const holdout = opts.holdout !== undefined ? parseHoldout(opts.holdout) : undefined;
      const transferPenalty =
        opts.transferPenalty !== undefined ? parseNumber('--transfer-penalty', opts.transferPenalty, { min: 0 }) : DEFAULT_TRANSFER_PENALTY;
      const data = await readLossData({ losses: opts.losses, mixtures: opts.mixtures, stepColumn: opts.stepColumn });
      if (law === 'all') {
        const k = Math.min(5, data.runs.length);
        const cmp = compareLaws(data, { holdout: holdout ?? { kind: 'runs', k }, transferPenalty });
        for (const r of cmp.laws) {
          if ('error' in r) continue;
          const file = lawPath(opts.out, r.law);
          await writeLawFile(file, r);
          log(opts.quiet, `bimix: wrote ${file}`);
        }
        notes(opts.quiet, cmp.laws);
        if (opts.html) await writeHtml(opts.html, { comparisons: [{ file: opts.out, doc: cmp }], lossData: data }, opts.quiet);
        printResult(!!opts.json, cmp, () => comparisonText(cmp));
        return;
      }
      const report = fitLaw(data, { law: law as LawName, holdout, transferPenalty });
      await writeLawFile(opts.out, report);
      log(opts.quiet, `bimix: wrote ${opts.out}`);
      notes(opts.quiet, [report]);
      if (opts.html) await writeHtml(opts.html, { laws: [{ file: opts.out, doc: report }], lossData: data }, opts.quiet);
      printResult(!!opts.json, report, () => lawText(report));
    });
};

function lawPath(out: string, law: LawName): string {
  return /\.json$/i.test(out) ? out.replace(/\.json$/i, `.${law}.json`) : `${out}.${law}.json`;
}

function notes(quiet: boolean | undefined, laws: ComparedLaw[]): void {
  for (const r of laws) {
    if ('error' in r) {
      log(quiet, `bimix: ${r.law} law not fitted: ${r.error.code}: ${r.error.message}`);
      continue;
    }
    for (const w of r.warnings) log(quiet, `bimix: warning (${r.law} law): ${w}`);
    for (const d of r.domains) for (const n of d.notes ?? []) log(quiet, `bimix: note (${r.law} law, ${d.name}): ${n}`);
  }
}

/** Human-readable per-domain table of one law. */
export function lawText(r: LawReport): string {
  const hold = r.domains.some((d) => d.holdout);
  const head = ['domain', 'points', 'excl', ...paramHeads(r.law), 'R2(log)', 'RMSE', 'MRE'];
  if (hold) head.push(`hold R2(log)`, 'hold MRE');
  const rows = [head];
  for (const d of r.domains) {
    const row = [d.name, String(d.points), String(d.excluded), ...paramCells(r, d.params), fmt(d.fit.r2Log, 5), fmt(d.fit.rmse, 4), pct(d.fit.mre)];
    if (hold) row.push(fmt(d.holdout?.r2Log, 5), pct(d.holdout?.mre));
    rows.push(row);
  }
  let s = `${r.law} law, ${r.domains.length} domain(s), ${r.runs} run(s); step unit: ${r.stepUnit}\n${table(rows)}`;
  if (r.holdout) s += `holdout ${r.holdout.protocol}: ${r.holdout.points} points, MRE ${pct(r.holdout.mre)}, RMSE ${fmt(r.holdout.rmse, 4)}, mean R2(log) ${fmt(r.holdout.r2Log, 5)}\n`;
  s += `normalisation: ${r.normalisation}\n`;
  return s;
}

function paramHeads(law: LawName): string[] {
  if (law === 'exp') return ['c', 'k', 't(own)'];
  if (law === 'transfer') return ['alpha', 'beta', 'b', 'c', 'max tau'];
  return ['alpha', 'beta', 'b', 'c'];
}

function paramCells(r: LawReport, p: LawReport['domains'][number]['params']): string[] {
  if (r.law === 'exp') {
    const e = p as ExpParams;
    const own = r.domains.find((d) => d.params === p)!.name;
    return [fmt(e.c, 5), fmt(e.k, 5), fmt(e.t[own], 4)];
  }
  const b = p as BimixParams;
  const cells = [fmt(b.alpha, 5), fmt(b.beta, 5), fmt(b.b, 5), fmt(b.c, 5)];
  if (r.law === 'transfer') {
    const tau = Object.entries((p as TransferParams).tau).sort((x, y) => y[1] - x[1])[0];
    cells.push(tau ? `${fmt(tau[1], 3)} (${tau[0]})` : '-');
  }
  return cells;
}

function pct(v: number | null | undefined): string {
  return v === null || v === undefined ? '-' : `${fmt(100 * v, 3)}%`;
}

/** Human-readable comparison of every law. */
export function comparisonText(c: LawComparison): string {
  let s = '';
  for (const r of c.laws) {
    if ('error' in r) s += `${r.law} law: not fitted (${r.error.code}: ${r.error.message})\n\n`;
    else s += `${lawText(r)}\n`;
  }
  if (c.comparison) {
    const cmp = c.comparison;
    s += `held-out comparison (${cmp.protocol}) on the ${cmp.points} points every law could predict:\n`;
    s += table([['law', 'MRE', 'RMSE', 'mean R2(log)'], ...cmp.laws.map((l) => [l.law, pct(l.mre), fmt(l.rmse, 4), fmt(l.r2Log, 5)])]);
    const laws = cmp.laws.map((l) => l.law);
    s += table([['domain', 'points', ...laws.map((l) => `${l} MRE`)], ...cmp.domains.map((d) => [d.name, String(d.points), ...laws.map((l) => pct(d.mre[l]))])]);
    const best = [...cmp.laws].sort((a, b) => (a.mre ?? Infinity) - (b.mre ?? Infinity))[0];
    if (best) s += `lowest held-out MRE: ${best.law}\n`;
  }
  return s;
}
