import { withSchemaRef } from '../schemas/ids.js';
import { Option } from 'commander';
import { optionError } from '../errors.js';
import { poolJobRunner } from '../laws/law-pool.js';
import { defaultThreads } from '../exec/pool.js';
import { COMPARED_LAWS, DEFAULT_TRANSFER_PENALTY, compareLawsWith, fitLawWith, parseHoldout, readLossData, runJobsHere, writeLawFile } from '../laws/index.js';
import type { BimixParams, ComparedLaw, ExpParams, InteractionParams, JobRunner, LawComparison, LawName, LawReport, RegressionParams, TransferParams } from '../laws/index.js';
import { parseInteger, parseNumber } from '../util/parse.js';
import { debugPhase } from '../util/debug-phase.js';
import { checkOutputPath, refuseOutputAmongInputs } from '../util/out-path.js';
import type { RegisterCommand } from './commands.js';
import { fitProgressReporter } from './fit-progress.js';
import { printNotes } from './notes.js';
import { fmt, log, printResult, table } from './output.js';
import { HTML_OPTION, writeHtml } from './html.js';

/** Observations fitted (summed over jobs) below which the worker pool is not worth starting. */
const POOL_MIN_WORK = 20_000;

interface FitOpts {
  from?: string[];
  losses?: string;
  mixtures?: string;
  law: string;
  holdout?: string;
  stepColumn?: string;
  strictSums?: boolean;
  transferPenalty?: string;
  threads?: string;
  out?: string;
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  html?: string;
}

/** `bimix fit`: fit a mixing law per domain from proxy-run losses and write a law file. */
export const register: RegisterCommand = (program) => {
  program
    .command('fit')
    .description('fit per-domain mixing laws (BiMix, exponential, transfer, interaction, RegMix-style trees) to proxy-run losses and write a law file')
    .option('--from <files...>', 'long-format CSV/JSONL (run, step, domain, proportion, loss), or two wide CSVs: mixtures (run + one share column per domain) then losses (run, [step], one column per evaluated domain)')
    .addOption(new Option('--losses <file>', 'old spelling of --from LOSSES').hideHelp())
    .addOption(new Option('--mixtures <file>', 'old spelling of --from MIXTURES LOSSES').hideHelp())
    .option('--law <law>', 'bimix, exp, transfer, interaction, regression (boosted trees, needs libxgboost), or all (compare every law by cross-validation)', 'bimix')
    .option('--holdout <protocol>', 'last (extrapolate each run\'s final step) or runs=K (K-fold over runs); --law all defaults to runs=5')
    .option('--step-column <name>', 'name of the step column (e.g. tokens)', 'step')
    .option('--strict-sums', 'refuse mixtures whose proportions do not sum to 1 within 1e-6 (default: renormalise rows within 0.01, with a note)')
    .option('--transfer-penalty <x>', `L2 penalty on transfer coefficients, and on the interaction law's u and v (default ${DEFAULT_TRANSFER_PENALTY})`)
    .option('--threads <n>', 'worker threads for the fits (default: one per core)')
    .option('--out <file>', 'law file to write (with --law all: one file per law, FILE with .bimix/.exp/.transfer/.interaction/.regression before .json)')
    .option('--json', 'print the report as JSON on stdout')
    .option('--quiet', 'no notes or progress on stderr')
    .option('--verbose', 'list every note (default: one line per kind with a count)')
    .option(...HTML_OPTION)
    .action(async (opts: FitOpts) => {
      const law = opts.law;
      if (![...COMPARED_LAWS, 'all'].includes(law)) throw optionError('--law', 'bimix, exp, transfer, interaction, regression or all', law);
      const input = inputFiles(opts);
      const inputs = [input.losses, ...(input.mixtures !== undefined ? [input.mixtures] : [])];
      const outs = opts.out === undefined ? [] : law === 'all' ? COMPARED_LAWS.map((l) => lawPath(opts.out!, l)) : [opts.out];
      for (const o of outs) {
        checkOutputPath('--out', o);
        refuseOutputAmongInputs('--out', o, inputs);
      }
      checkOutputPath('--html', opts.html);
      refuseOutputAmongInputs('--html', opts.html, inputs);
      const holdout = opts.holdout !== undefined ? parseHoldout(opts.holdout) : undefined;
      const transferPenalty =
        opts.transferPenalty !== undefined ? parseNumber('--transfer-penalty', opts.transferPenalty, { min: 0 }) : DEFAULT_TRANSFER_PENALTY;
      const threads = opts.threads !== undefined ? parseInteger('--threads', opts.threads, 1, 1024) : defaultThreads();
      const data = await readLossData({ ...input, stepColumn: opts.stepColumn, strictSums: opts.strictSums });
      printNotes(
        data.notes.map((text) => ({ scope: 'data', group: 'data', text })),
        opts,
      );
      // Starting workers costs a few hundred milliseconds: small fits run in this thread.
      const runner =
        (folds: number): JobRunner =>
        async (d, jobs, h, o) =>
          threads > 1 && jobs.length * (d.observations.length / d.evaluated.length) >= POOL_MIN_WORK
            ? poolJobRunner(threads, fitProgressReporter(opts.quiet, data.domains, folds))(d, jobs, h, o)
            : runJobsHere(d, jobs, h, o);
      debugPhase('fit');
      if (law === 'all') {
        const k = Math.min(5, data.runs.length);
        const spec = holdout ?? { kind: 'runs' as const, k };
        const cmp = await compareLawsWith(data, { holdout: spec, transferPenalty }, runner(spec.kind === 'runs' ? spec.k : 1));
        if (opts.out !== undefined) {
          for (const r of cmp.laws) {
            if ('error' in r) continue;
            const file = lawPath(opts.out, r.law);
            await writeLawFile(file, r);
            log(opts.quiet, `bimix: wrote ${file}`);
          }
        }
        notes(opts, cmp.laws);
        if (opts.html) await writeHtml(opts.html, { comparisons: [{ file: opts.out ?? 'bimix fit', doc: cmp }], lossData: data }, opts.quiet || opts.json);
        const rec = recommendation(cmp);
        printResult(!!opts.json, rec ? { ...cmp, recommendation: rec } : cmp, () => comparisonText(cmp));
        return;
      }
      const report = await fitLawWith(data, { law: law as LawName, holdout, transferPenalty }, runner(holdout?.kind === 'runs' ? holdout.k : 1));
      if (opts.out !== undefined) {
        await writeLawFile(opts.out, report);
        log(opts.quiet, `bimix: wrote ${opts.out}`);
      }
      notes(opts, [report]);
      if (opts.html) await writeHtml(opts.html, { laws: [{ file: opts.out ?? 'bimix fit', doc: report }], lossData: data }, opts.quiet || opts.json);
      printResult(!!opts.json, withSchemaRef('law', report), () => lawText(report));
    });
};

/** The input files: --from (one long-format file, or mixtures then losses), or the old --losses/--mixtures. */
function inputFiles(opts: FitOpts): { losses: string; mixtures?: string } {
  if (opts.from !== undefined) {
    if (opts.losses !== undefined || opts.mixtures !== undefined) throw optionError('--from', 'no --losses/--mixtures beside it (they are its old spelling)', 'both');
    if (opts.from.length === 1) return { losses: opts.from[0]! };
    if (opts.from.length === 2) return { mixtures: opts.from[0]!, losses: opts.from[1]! };
    throw optionError('--from', 'one long-format file, or the mixtures CSV then the losses CSV', opts.from.join(' '));
  }
  if (opts.losses === undefined) throw optionError('--from', 'the loss data to fit', 'nothing');
  return { losses: opts.losses, ...(opts.mixtures !== undefined ? { mixtures: opts.mixtures } : {}) };
}

function lawPath(out: string, law: LawName): string {
  return /\.json$/i.test(out) ? out.replace(/\.json$/i, `.${law}.json`) : `${out}.${law}.json`;
}

function notes(opts: { quiet?: boolean; verbose?: boolean }, laws: ComparedLaw[]): void {
  for (const r of laws) {
    if ('error' in r) {
      log(opts.quiet, `bimix: warning: ${r.law} law not fitted: ${r.error.code}: ${r.error.message}`);
      continue;
    }
    printNotes(
      r.warnings.map((text) => ({ scope: `${r.law} law`, group: `${r.law} law`, text })),
      { ...opts, label: 'warning' },
    );
    printNotes(
      r.domains.flatMap((d) => (d.notes ?? []).map((text) => ({ scope: `${r.law} law, ${d.name}`, group: `${r.law} law`, text }))),
      opts,
    );
  }
}

/** One line naming the law with the best held-out mean R^2(log) and its margin over the next. */
export function recommendation(c: LawComparison): string | undefined {
  const ranked = (c.comparison?.laws ?? []).filter((l) => l.r2Log !== null).sort((a, b) => b.r2Log! - a.r2Log!);
  if (ranked.length === 0) return undefined;
  const [best, next] = ranked;
  const margin = next ? `, ${fmt(best!.r2Log! - next.r2Log!, 3)} above ${next.law} (${fmt(next.r2Log, 4)})` : '';
  return `recommendation: ${best!.law} law: best held-out mean R2(log) ${fmt(best!.r2Log, 4)} (${c.comparison!.protocol})${margin}`;
}

/** Human-readable per-domain table of one law. */
function lawText(r: LawReport): string {
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
  if (law === 'regression') return ['trees', 'base score'];
  if (law === 'transfer') return ['alpha', 'beta', 'b', 'c', 'max tau'];
  if (law === 'interaction') return ['alpha', 'beta', 'b', 'c', 'max tau', '|u||v|'];
  return ['alpha', 'beta', 'b', 'c'];
}

function paramCells(r: LawReport, p: LawReport['domains'][number]['params']): string[] {
  if (r.law === 'exp') {
    const e = p as ExpParams;
    const own = r.domains.find((d) => d.params === p)!.name;
    return [fmt(e.c, 5), fmt(e.k, 5), fmt(e.t[own], 4)];
  }
  if (r.law === 'regression') {
    const g = p as RegressionParams;
    return [String(g.trees), fmt(Number(g.baseScore), 5)];
  }
  const b = p as BimixParams;
  const cells = [fmt(b.alpha, 5), fmt(b.beta, 5), fmt(b.b, 5), fmt(b.c, 5)];
  if (r.law === 'transfer') {
    const tau = Object.entries((p as TransferParams).tau).sort((x, y) => y[1] - x[1])[0];
    cells.push(tau ? `${fmt(tau[1], 3)} (${tau[0]})` : '-');
  }
  if (r.law === 'interaction') {
    const ip = p as InteractionParams;
    const tau = Object.entries(ip.tau).sort((x, y) => y[1] - x[1])[0];
    const norm = (m: Record<string, number>) => Math.sqrt(Object.values(m).reduce((a, x) => a + x * x, 0));
    cells.push(tau ? `${fmt(tau[1], 3)} (${tau[0]})` : '-', fmt(ip.u.reduce((a, uk, k) => a + norm(uk) * norm(ip.v[k]!), 0), 3));
  }
  return cells;
}

function pct(v: number | null | undefined): string {
  return v === null || v === undefined ? '-' : `${fmt(100 * v, 3)}%`;
}

/** Human-readable comparison of every law. */
function comparisonText(c: LawComparison): string {
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
    const rec = recommendation(c);
    if (rec) s += `${rec}\n`;
  }
  return s;
}
