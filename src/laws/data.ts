/**
 * Loss data for the laws: readers for the long format (CSV or JSONL rows of
 * run, step, domain, proportion, loss) and the wide format (a mixtures CSV and a losses CSV),
 * and the validation both share. Every message names the file, row and column.
 */
import { BimixError } from '../errors.js';
import { READ_LIMITS, readTextFile } from '../util/read-file.js';
import { parseCsv } from './csv.js';

/** One observed validation loss: a run, a step and an evaluated domain. */
export interface Observation {
  runIndex: number;
  domainIndex: number;
  step: number;
  loss: number;
  file: string;
  row: number;
}

/** Validated loss data: domain and run order, each run's mixture and every observation. */
export interface LossData {
  domains: string[];
  /** Runs in input order (the order holdout folds use). */
  runs: string[];
  /** mixtures[run][domain]: the run's training share of each domain; rows sum to 1. */
  mixtures: number[][];
  observations: Observation[];
  /** Name of the step column (e.g. "step" or "tokens"). */
  stepUnit: string;
  /** False when the input had no step column: every observation is at step 1. */
  hasSteps: boolean;
  /** Indices of the domains that have losses (the others are training-only: features, no law of their own). */
  evaluated: number[];
  /** What reading changed or inferred (renormalised rows, training-only domains), one line per kind. */
  notes: string[];
}

/** Where to read loss data from. */
export interface ReadLossOptions {
  /** Long-format CSV/JSONL, or the wide losses CSV when `mixtures` is given. */
  losses: string;
  /** Wide-format mixtures CSV (`run` + one column per domain). */
  mixtures?: string;
  /** Name of the step column; default "step". */
  stepColumn?: string;
  /** Refuse rows whose proportions do not sum to 1 within 1e-6 instead of renormalising them. */
  strictSums?: boolean;
}

/** Options the parsers share. */
export interface ParseOptions {
  /** See {@link ReadLossOptions.strictSums}. */
  strictSums?: boolean;
}

/** Tolerance on a mixture's sum below which it is taken as is. */
export const MIXTURE_SUM_TOLERANCE = 1e-6;

/**
 * Largest |sum - 1| a row may have and still be renormalised: shares printed with 3 decimals over
 * 17 domains can drift by up to 17 * 0.0005, so 0.01 covers what printed precision allows.
 */
export const MIXTURE_RENORMALISE_TOLERANCE = 0.01;

/** Reads and validates loss data in either format. */
export async function readLossData(opts: ReadLossOptions): Promise<LossData> {
  const lossText = await readText(opts.losses);
  if (opts.mixtures !== undefined) {
    const mixText = await readText(opts.mixtures);
    return parseWide(mixText, opts.mixtures, lossText, opts.losses, opts.stepColumn, opts);
  }
  if (/\.jsonl?$/i.test(opts.losses)) return parseLongJsonl(lossText, opts.losses, opts.stepColumn, opts);
  return parseLongCsv(lossText, opts.losses, opts.stepColumn, opts);
}

async function readText(file: string): Promise<string> {
  return readTextFile(file, { maxBytes: READ_LIMITS.csv, what: /\.jsonl?$/i.test(file) ? 'JSON lines' : 'CSV' });
}

type Cell = string | number | null | undefined;
interface LongRow {
  row: number;
  get: (column: string) => Cell;
}

/** Parses long-format CSV text (columns run, [step], domain, proportion, loss; extra columns ignored). */
export function parseLongCsv(text: string, file: string, stepColumn = 'step', opts: ParseOptions = {}): LossData {
  const recs = parseCsv(text);
  if (recs.length === 0) throw new BimixError('E_DATA', 'no rows', { file });
  const header = recs[0]!.cells;
  const at = new Map(header.map((h, i) => [h, i]));
  requireColumns(header, file, stepColumn);
  const rows: LongRow[] = recs.slice(1).map((r) => ({
    row: r.line,
    get: (c) => {
      const i = at.get(c);
      return i === undefined ? undefined : r.cells[i];
    },
  }));
  return buildLong(rows, file, at.has(stepColumn), stepColumn, opts);
}

/** Parses long-format JSONL text: one object per line with run, [step], domain, proportion, loss. */
export function parseLongJsonl(text: string, file: string, stepColumn = 'step', opts: ParseOptions = {}): LossData {
  const rows: LongRow[] = [];
  let sawStep = false;
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch (e) {
      throw new BimixError('E_DATA', `not valid JSON: ${(e as Error).message}`, { file, row: i + 1 });
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      throw new BimixError('E_DATA', 'expected a JSON object per line', { file, row: i + 1 });
    }
    const rec = obj as Record<string, Cell>;
    if (rec[stepColumn] !== undefined) sawStep = true;
    rows.push({ row: i + 1, get: (c) => rec[c] });
  });
  if (rows.length === 0) throw new BimixError('E_DATA', 'no rows', { file });
  for (const r of rows) {
    for (const c of ['run', 'domain', 'proportion', 'loss']) {
      if (r.get(c) === undefined) throw new BimixError('E_DATA', `missing field "${c}"`, { file, row: r.row, column: c });
    }
    if (sawStep && r.get(stepColumn) === undefined) {
      throw new BimixError('E_DATA', `missing field "${stepColumn}" (other rows have it)`, { file, row: r.row, column: stepColumn });
    }
  }
  return buildLong(rows, file, sawStep, stepColumn, opts);
}

function requireColumns(header: string[], file: string, stepColumn: string): void {
  const missing = ['run', 'domain', 'proportion', 'loss'].filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new BimixError(
      'E_DATA',
      `long format needs columns run, ${stepColumn} (optional), domain, proportion, loss; missing ${missing.join(', ')} ` +
        `(found ${header.join(', ')}). For the wide format pass --mixtures too.`,
      { file, row: 1 },
    );
  }
}

function buildLong(rows: LongRow[], file: string, hasSteps: boolean, stepColumn: string, opts: ParseOptions): LossData {
  const runIndex = new Map<string, number>();
  const domainIndex = new Map<string, number>();
  const share = new Map<string, { value: number; row: number }>();
  const firstRow = new Map<number, number>();
  const seen = new Map<string, number>();
  const raw: { run: number; domain: number; step: number; loss: number; row: number }[] = [];
  for (const r of rows) {
    const where = (column: string) => ({ file, row: r.row, column });
    const run = text(r.get('run'), where('run'), 'run');
    const domain = text(r.get('domain'), where('domain'), 'domain');
    const step = hasSteps ? positive(r.get(stepColumn), where(stepColumn), stepColumn) : 1;
    const proportion = proportionCell(r.get('proportion'), where('proportion'));
    // An empty loss cell: the run trained on the domain but was not evaluated on it.
    const loss = isEmpty(r.get('loss')) ? null : positive(r.get('loss'), where('loss'), 'loss');
    if (!runIndex.has(run)) {
      runIndex.set(run, runIndex.size);
      firstRow.set(runIndex.size - 1, r.row);
    }
    if (!domainIndex.has(domain)) domainIndex.set(domain, domainIndex.size);
    const key = `${run}\u0000${domain}`;
    const prev = share.get(key);
    if (prev && prev.value !== proportion) {
      throw new BimixError(
        'E_DATA',
        `run "${run}", domain "${domain}": proportion ${proportion} differs from ${prev.value} given on row ${prev.row}`,
        where('proportion'),
      );
    }
    share.set(key, { value: proportion, row: r.row });
    const obsKey = `${key}\u0000${step}`;
    const dup = seen.get(obsKey);
    if (dup !== undefined) {
      throw new BimixError('E_DATA', `duplicate row for run "${run}", domain "${domain}", ${stepColumn} ${step} (first on row ${dup})`, {
        file,
        row: r.row,
      });
    }
    seen.set(obsKey, r.row);
    if (loss !== null) raw.push({ run: runIndex.get(run)!, domain: domainIndex.get(domain)!, step, loss, row: r.row });
  }
  const domains = [...domainIndex.keys()];
  const runs = [...runIndex.keys()];
  const sums = new SumCheck(opts);
  const mixtures = runs.map((run, i) => sums.check(domains.map((d) => share.get(`${run}\u0000${d}`)?.value ?? 0), run, { file, row: firstRow.get(i)! }));
  const observations = raw.map((o) => ({ runIndex: o.run, domainIndex: o.domain, step: o.step, loss: o.loss, file, row: o.row }));
  return finish({ domains, runs, mixtures, observations, stepUnit: stepColumn, hasSteps, evaluated: [], notes: sums.notes() }, file);
}

/**
 * Parses the wide format: mixtures CSV (`run`, one column per domain) and losses CSV (`run`, optional
 * step, one column per evaluated domain). A mixture column without a loss column is a training-only
 * domain; a loss column without a mixture column is an error.
 */
export function parseWide(mixText: string, mixFile: string, lossText: string, lossFile: string, stepColumn = 'step', opts: ParseOptions = {}): LossData {
  const mix = parseCsv(mixText);
  const los = parseCsv(lossText);
  if (mix.length < 2) throw new BimixError('E_DATA', 'no mixture rows', { file: mixFile });
  if (los.length < 2) throw new BimixError('E_DATA', 'no loss rows', { file: lossFile });
  const mh = mix[0]!.cells;
  const lh = los[0]!.cells;
  if (mh[0] !== 'run') throw new BimixError('E_DATA', `first column must be "run", found "${mh[0]}"`, { file: mixFile, row: 1, column: 1 });
  if (lh[0] !== 'run') throw new BimixError('E_DATA', `first column must be "run", found "${lh[0]}"`, { file: lossFile, row: 1, column: 1 });
  const hasSteps = lh.includes(stepColumn);
  const mixDomains = mh.slice(1);
  const lossDomains = lh.slice(1).filter((c) => c !== stepColumn);
  const onlyLoss = lossDomains.filter((d) => !mixDomains.includes(d));
  if (onlyLoss.length > 0) {
    throw new BimixError(
      'E_DATA',
      `loss column${onlyLoss.length > 1 ? 's' : ''} ${onlyLoss.map((d) => `"${d}"`).join(', ')} ha${onlyLoss.length > 1 ? 've' : 's'} no mixture column in ${mixFile} ` +
        `(mixtures has [${mixDomains.join(', ')}])`,
      { file: lossFile, row: 1, column: onlyLoss[0]! },
    );
  }
  for (const [h, f] of [
    [mh, mixFile],
    [lh, lossFile],
  ] as const) {
    const dup = h.find((c, i) => h.indexOf(c) !== i);
    if (dup !== undefined) throw new BimixError('E_DATA', `column "${dup}" appears twice`, { file: f, row: 1, column: dup });
  }
  const domains = mixDomains;
  const sums = new SumCheck(opts);
  const mixByRun = new Map<string, { values: number[]; row: number }>();
  for (const r of mix.slice(1)) {
    const run = text(r.cells[0], { file: mixFile, row: r.line, column: 'run' }, 'run');
    if (mixByRun.has(run)) {
      throw new BimixError('E_DATA', `run "${run}" appears twice (first on row ${mixByRun.get(run)!.row})`, { file: mixFile, row: r.line, column: 'run' });
    }
    const values = sums.check(
      domains.map((d, j) => proportionCell(r.cells[j + 1], { file: mixFile, row: r.line, column: d })),
      run,
      { file: mixFile, row: r.line },
    );
    mixByRun.set(run, { values, row: r.line });
  }
  const lossCol = domains.map((d) => lh.indexOf(d));
  const stepCol = lh.indexOf(stepColumn);
  const used = new Set<string>();
  const seen = new Map<string, number>();
  const pending: { run: string; domainIndex: number; step: number; loss: number; row: number }[] = [];
  for (const r of los.slice(1)) {
    const run = text(r.cells[0], { file: lossFile, row: r.line, column: 'run' }, 'run');
    if (!mixByRun.has(run)) throw new BimixError('E_DATA', `run "${run}" has no row in ${mixFile}`, { file: lossFile, row: r.line, column: 'run' });
    const step = hasSteps ? positive(r.cells[stepCol], { file: lossFile, row: r.line, column: stepColumn }, stepColumn) : 1;
    const key = `${run}\u0000${step}`;
    if (seen.has(key)) {
      throw new BimixError('E_DATA', `duplicate row for run "${run}", ${stepColumn} ${step} (first on row ${seen.get(key)})`, { file: lossFile, row: r.line });
    }
    seen.set(key, r.line);
    used.add(run);
    domains.forEach((d, j) => {
      if (lossCol[j]! < 0) return; // training-only domain
      const cell = r.cells[lossCol[j]!];
      if (cell === undefined || cell === '') return; // not evaluated on this domain
      pending.push({ run, domainIndex: j, step, loss: positive(cell, { file: lossFile, row: r.line, column: d }, 'loss'), row: r.line });
    });
  }
  const runs = [...mixByRun.keys()].filter((r) => used.has(r));
  const idx = new Map(runs.map((r, i) => [r, i]));
  const observations = pending.map((p) => ({
    runIndex: idx.get(p.run)!,
    domainIndex: p.domainIndex,
    step: p.step,
    loss: p.loss,
    file: lossFile,
    row: p.row,
  }));
  const mixtures = runs.map((r) => mixByRun.get(r)!.values);
  return finish({ domains, runs, mixtures, observations, stepUnit: stepColumn, hasSteps, evaluated: [], notes: sums.notes() }, lossFile);
}

function finish(data: LossData, file: string): LossData {
  if (data.observations.length === 0) throw new BimixError('E_DATA', 'no loss observations', { file });
  const has = new Set(data.observations.map((o) => o.domainIndex));
  data.evaluated = data.domains.map((_, j) => j).filter((j) => has.has(j));
  const trainingOnly = data.domains.filter((_, j) => !has.has(j));
  if (trainingOnly.length > 0) {
    data.notes.push(
      `${trainingOnly.length} training-only domain(s) without losses (${trainingOnly.join(', ')}): features of the exp, transfer, interaction and regression laws, no law of their own`,
    );
  }
  data.domains.forEach((d, j) => {
    const observed = data.observations.some((o) => o.domainIndex === j);
    if (observed && data.mixtures.every((m) => !(m[j]! > 0))) {
      throw new BimixError('E_DATA', `domain "${d}" has losses but a zero share in every mixture, so its law cannot be fitted`, { file, column: d });
    }
  });
  return data;
}

/** Checks mixture sums row by row, renormalising rows within printed precision and remembering how many it changed. */
class SumCheck {
  private readonly tolerance: number;
  private renormalised = 0;
  private worst = 0;

  constructor(private readonly opts: ParseOptions) {
    this.tolerance = opts.strictSums ? MIXTURE_SUM_TOLERANCE : MIXTURE_RENORMALISE_TOLERANCE;
  }

  /** Returns the row as given, or renormalised to sum to 1; throws E_DATA beyond the tolerance. */
  check(values: number[], run: string, where: { file: string; row: number }): number[] {
    const sum = values.reduce((a, b) => a + b, 0);
    const dev = Math.abs(sum - 1);
    // The slack absorbs binary rounding of the sum itself (0.33 * 3 is not exactly 0.99).
    if (!(dev <= this.tolerance + 1e-12)) {
      const hint = this.opts.strictSums ? ' (--strict-sums)' : '';
      throw new BimixError('E_DATA', `run "${run}": proportions sum to ${Number(sum.toPrecision(12))}, expected 1 within ${this.tolerance.toExponential()}${hint}`, where);
    }
    if (dev <= MIXTURE_SUM_TOLERANCE) return values;
    this.renormalised++;
    this.worst = Math.max(this.worst, dev);
    return values.map((v) => v / sum);
  }

  notes(): string[] {
    if (this.renormalised === 0) return [];
    return [
      `${this.renormalised} mixture row(s) renormalised to sum to 1 (largest |sum - 1| = ${Number(this.worst.toPrecision(3))}; --strict-sums refuses them instead)`,
    ];
  }
}

function isEmpty(v: Cell): boolean {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
}

function text(v: Cell, where: { file: string; row: number; column: string }, what: string): string {
  const s = v === null || v === undefined ? '' : String(v).trim();
  if (s === '') throw new BimixError('E_DATA', `${what} is empty`, where);
  return s;
}

function num(v: Cell): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return NaN;
}

function positive(v: Cell, where: { file: string; row: number; column: string }, what: string): number {
  const x = num(v);
  if (!Number.isFinite(x) || x <= 0) throw new BimixError('E_DATA', `${what} must be a positive finite number, got ${JSON.stringify(v ?? null)}`, where);
  return x;
}

function proportionCell(v: Cell, where: { file: string; row: number; column: string }): number {
  const x = num(v);
  if (!Number.isFinite(x) || x < 0 || x > 1) {
    throw new BimixError('E_DATA', `proportion must lie in (0, 1] (or be 0 for a domain absent from the run), got ${JSON.stringify(v ?? null)}`, where);
  }
  return x;
}
