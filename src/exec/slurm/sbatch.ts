/**
 * Slurm job scripts for a multi-task run: one or more array jobs of `bimix count`
 * (split so no array exceeds the cluster's MaxArraySize) and one `bimix merge`
 * job depending on all of them (afterok). Scripts call node and dist/cli/main.js
 * by absolute path so they run from any working directory.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BimixError, optionError } from '../../errors.js';

/** Default MaxArraySize of Slurm. */
export const DEFAULT_MAX_ARRAY_SIZE = 1001;

export interface SlurmResources {
  partition?: string;
  /** HH:MM:SS, or any Slurm time format (MM, MM:SS, D-HH, D-HH:MM:SS). */
  time?: string;
  cpusPerTask?: number;
  /** Slurm --mem, e.g. 4G, 16000M. */
  mem?: string;
  /** Slurm --account and --qos, passed through. */
  account?: string;
  qos?: string;
  /** Prefix of the job names: `<jobName>-count` and `<jobName>-merge` (default bimix). */
  jobName?: string;
  /** Further sbatch options, each written as its own `#SBATCH` line, e.g. `--constraint=skylake`. */
  sbatchArgs?: string[];
}

/** sbatch options bimix itself sets on every script; a pass-through argument may not set them again. */
const OWN_SBATCH_OPTIONS = ['--array', '--output', '--dependency', '--job-name', '--partition', '--time', '--cpus-per-task', '--mem', '--account', '--qos', '--parsable'];

export interface SlurmPlanOptions extends SlurmResources {
  tasks: number;
  /** Absolute partial folder. */
  partialDir: string;
  /** Arguments of `bimix count` selecting the corpus (absolute paths), without the task options. */
  countArgs: string[];
  /** Arguments of `bimix merge` besides --partial-dir (mixture options, --out). */
  mergeArgs: string[];
  maxArraySize?: number;
  /** The command running bimix: [node, main.js] by default. */
  bimix?: string[];
}

/** One array job of count tasks [offset, offset + size). */
export interface ArrayScript {
  offset: number;
  size: number;
  file: string;
  log: string;
  text: string;
}

export interface SlurmPlan {
  arrays: ArrayScript[];
  merge: { file: string; log: string; text: string };
  scriptDir: string;
  logDir: string;
}

/** The absolute node binary and CLI entry of this installation. */
function bimixCommand(): string[] {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  return [process.execPath, path.join(root, 'dist', 'cli', 'main.js')];
}

/** Quotes a word for bash. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_\/.,:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Control characters (newline, tab, ESC, DEL, ...): a generated script cannot carry them safely, so they are refused. */
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Refuses a word bound for a generated script when it holds control characters (E_USAGE naming `what`). */
function refuseUnscriptable(what: string, value: string): void {
  const m = CONTROL.exec(value);
  if (m) {
    throw new BimixError(
      'E_USAGE',
      `${what}: ${JSON.stringify(value)} contains the control character U+${m[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}, which cannot go into a Slurm script; rename it`,
    );
  }
}

/**
 * A path as the value of an `#SBATCH --output=` line. sbatch reads those lines itself
 * (not bash): double quotes group, a backslash escapes the next character, an unquoted
 * `#` starts a comment, and `%` starts a filename pattern (`%%` is a literal `%`). A
 * backslash would also switch the patterns off, so paths holding one are refused.
 */
function sbatchPath(what: string, dir: string, patternName: string): string {
  refuseUnscriptable(what, dir);
  if (dir.includes('\\')) throw new BimixError('E_USAGE', `${what}: ${JSON.stringify(dir)} contains a backslash, which sbatch reads as an escape in #SBATCH --output; rename it`);
  const literal = path.join(dir, 'x').slice(0, -1).replace(/%/g, '%%');
  return sbatchQuote(`${literal}${patternName}`);
}

/**
 * A word of an `#SBATCH` line in sbatch's own quoting: double quotes around a word holding
 * blanks, quotes, `#` or a backslash, with `"` and `\` escaped inside. Control characters
 * must have been refused before (see {@link refuseUnscriptable}).
 */
function sbatchQuote(value: string): string {
  return /[\s"'#\\]/.test(value) ? `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"` : value;
}

/** A pass-through value as an `#SBATCH` word: no control characters, nothing empty, sbatch-quoted. */
function sbatchValue(option: string, value: string): string {
  refuseUnscriptable(option, value);
  if (value.trim() === '') throw optionError(option, 'a non-empty value', value);
  return sbatchQuote(value);
}

/** Validates the Slurm resource options (which option, what was expected, what was given). */
export function validateResources(r: SlurmResources): void {
  if (r.partition !== undefined && !/^[A-Za-z0-9_.,-]+$/.test(r.partition)) throw optionError('--partition', 'a partition name (letters, digits, _ . , -)', r.partition);
  if (r.time !== undefined && !/^(\d+-)?\d+(:\d{1,2}){0,2}$/.test(r.time)) throw optionError('--time', 'HH:MM:SS (or D-HH:MM:SS, MM, MM:SS)', r.time);
  if (r.cpusPerTask !== undefined && (!Number.isInteger(r.cpusPerTask) || r.cpusPerTask < 1 || r.cpusPerTask > 4096)) {
    throw optionError('--cpus-per-task', 'a whole number from 1 to 4096', r.cpusPerTask);
  }
  if (r.mem !== undefined && !/^\d+[KMGT]?$/i.test(r.mem)) throw optionError('--mem', 'a Slurm memory size such as 4G or 16000M', r.mem);
  for (const [option, value] of [['--account', r.account], ['--qos', r.qos], ['--job-name', r.jobName]] as const) if (value !== undefined) sbatchValue(option, value);
  for (const a of r.sbatchArgs ?? []) {
    sbatchValue('--sbatch-arg', a);
    if (!a.startsWith('-')) throw optionError('--sbatch-arg', 'an sbatch option such as --constraint=skylake', a);
    const name = a.split('=')[0]!;
    if (OWN_SBATCH_OPTIONS.includes(name)) throw optionError('--sbatch-arg', `an option bimix does not set itself (${name} has its own option or is set by bimix)`, a);
  }
}

/** Bytes of a Slurm memory size (no suffix: megabytes, as Slurm reads it). */
export function slurmMemBytes(mem: string): number {
  const m = /^(\d+)([KMGT]?)$/i.exec(mem);
  if (!m) throw optionError('--mem', 'a Slurm memory size such as 4G or 16000M', mem);
  const unit = { K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 }[(m[2] || 'M').toUpperCase() as 'K' | 'M' | 'G' | 'T'];
  return Number(m[1]) * unit;
}

function header(role: 'count' | 'merge', output: string, r: SlurmResources, extra: string[]): string[] {
  const name = r.jobName !== undefined ? sbatchValue('--job-name', `${r.jobName}-${role}`) : `bimix-${role}`;
  const lines = ['#!/bin/bash', `#SBATCH --job-name=${name}`, `#SBATCH --output=${output}`];
  if (r.partition) lines.push(`#SBATCH --partition=${r.partition}`);
  if (r.time) lines.push(`#SBATCH --time=${r.time}`);
  if (r.cpusPerTask) lines.push(`#SBATCH --cpus-per-task=${r.cpusPerTask}`);
  if (r.mem) lines.push(`#SBATCH --mem=${r.mem}`);
  if (r.account !== undefined) lines.push(`#SBATCH --account=${sbatchValue('--account', r.account)}`);
  if (r.qos !== undefined) lines.push(`#SBATCH --qos=${sbatchValue('--qos', r.qos)}`);
  lines.push(...(r.sbatchArgs ?? []).map((a) => `#SBATCH ${sbatchValue('--sbatch-arg', a)}`));
  lines.push(...extra.map((e) => `#SBATCH ${e}`));
  return lines;
}

/** Generates the array and merge scripts (nothing is written or submitted). */
export function slurmScripts(o: SlurmPlanOptions): SlurmPlan {
  validateResources(o);
  if (!Number.isInteger(o.tasks) || o.tasks < 1 || o.tasks > 1_000_000) throw optionError('--tasks', 'a whole number from 1 to 1000000', o.tasks);
  const max = o.maxArraySize ?? DEFAULT_MAX_ARRAY_SIZE;
  if (!Number.isInteger(max) || max < 1) throw optionError('MaxArraySize', 'a positive whole number', max);
  const scriptDir = path.join(o.partialDir, 'slurm');
  const logDir = path.join(scriptDir, 'logs');
  // Everything below ends up in a script: no control characters anywhere, bash quoting on
  // the command lines, sbatch's own quoting on the #SBATCH lines.
  refuseUnscriptable('--partial-dir', o.partialDir);
  for (const a of o.countArgs) refuseUnscriptable('count argument', a);
  for (const a of o.mergeArgs) refuseUnscriptable('merge argument', a);
  for (const a of o.bimix ?? bimixCommand()) refuseUnscriptable('bimix command', a);
  const bimix = (o.bimix ?? bimixCommand()).map(shellQuote).join(' ');
  const arrays: ArrayScript[] = [];
  const many = o.tasks > max;
  for (let offset = 0, k = 0; offset < o.tasks; offset += max, k++) {
    const size = Math.min(max, o.tasks - offset);
    const file = path.join(scriptDir, many ? `count-${k}.sbatch` : 'count.sbatch');
    const log = path.join(logDir, 'count-%A_%a.out');
    const output = sbatchPath('--partial-dir', logDir, 'count-%A_%a.out');
    // Array indices must stay below MaxArraySize, so later arrays add an offset to SLURM_ARRAY_TASK_ID.
    const index = offset === 0 ? '"$SLURM_ARRAY_TASK_ID"' : `"$((SLURM_ARRAY_TASK_ID + ${offset}))"`;
    const lines = header('count', output, o, [`--array=0-${size - 1}`]);
    lines.push(
      'set -euo pipefail',
      `# bimix count tasks ${offset}..${offset + size - 1} of ${o.tasks}`,
      `exec ${bimix} count ${o.countArgs.map(shellQuote).join(' ')} \\`,
      `  --task-index ${index} --tasks ${o.tasks} --partial-dir ${shellQuote(o.partialDir)}`,
      '',
    );
    arrays.push({ offset, size, file, log, text: lines.join('\n') });
  }
  const mergeFile = path.join(scriptDir, 'merge.sbatch');
  const mergeLog = path.join(logDir, 'merge-%j.out');
  const mergeLines = header('merge', sbatchPath('--partial-dir', logDir, 'merge-%j.out'), o, []);
  mergeLines.push(
    'set -euo pipefail',
    '# runs after every count task succeeded (sbatch --dependency=afterok:<array ids>)',
    `exec ${bimix} merge --partial-dir ${shellQuote(o.partialDir)} ${o.mergeArgs.map(shellQuote).join(' ')}`.trimEnd(),
    '',
  );
  return { arrays, merge: { file: mergeFile, log: mergeLog, text: mergeLines.join('\n') }, scriptDir, logDir };
}
