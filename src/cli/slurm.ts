import path from 'node:path';
import { validateAnalyzeOptions } from '../analyze/index.js';
import { planDomains, planInputFiles } from '../analyze/plan.js';
import { checkOutputPath, refuseOutputAmongInputs, requirePath } from '../util/out-path.js';
import { BimixError } from '../errors.js';
import { slurmMemBytes, slurmScripts, validateResources } from '../exec/slurm/sbatch.js';
import { maxArraySize, submit, waitForMerge } from '../exec/slurm/submit.js';
import { parseInteger } from '../util/parse.js';
import type { RegisterCommand } from './commands.js';
import { runSignal } from './signals.js';
import type { Command } from 'commander';
import { addCorpusOptions, addMixtureOptions, corpusFromFlags, mixtureFlags, partialDirFromFlags, refuseSample, refuseIgnoredCorpusOptions, type CorpusFlags } from './analyze-options.js';
import { collect } from '../util/parse.js';
import { log } from './output.js';

interface SlurmFlags extends CorpusFlags {
  tasks?: string;
  partialDir?: string;
  partition?: string;
  time?: string;
  cpusPerTask?: string;
  mem?: string;
  account?: string;
  qos?: string;
  jobName?: string;
  sbatchArg?: string[];
  json?: boolean;
  dryRun?: boolean;
  wait?: boolean;
  out?: string;
  quiet?: boolean;
  tmpDir?: string;
}

const abs = (p: string) => path.resolve(p);

/** The `bimix count` arguments reproducing the corpus options, with every path made absolute. */
function countArgs(f: SlurmFlags, cpus: number | undefined): string[] {
  const a: string[] = [];
  if (f.config) a.push('--config', abs(f.config));
  for (const d of f.domain ?? []) {
    const eq = d.indexOf('=');
    const glob = d.slice(eq + 1);
    a.push('--domain', `${d.slice(0, eq)}=${path.isAbsolute(glob) ? glob : abs(glob)}`);
  }
  if (f.format !== undefined && f.format !== 'auto') a.push('--format', f.format);
  if (f.dtype !== undefined) a.push('--dtype', f.dtype);
  if (f.eos !== undefined) a.push('--eos', f.eos);
  if (f.vocab !== undefined) a.push('--vocab', f.vocab);
  if (f.threads !== undefined) a.push('--threads', f.threads);
  else if (cpus !== undefined) a.push('--threads', String(cpus));
  if (f.memory !== undefined) a.push('--memory', f.memory);
  // Counting tables default to 40% of the node's RAM; inside a --mem allocation use 3/4 of the allocation instead.
  else if (f.mem !== undefined) a.push('--memory', String(Math.floor((slurmMemBytes(f.mem) * 3) / 4)));
  if (f.chunkSize !== undefined) a.push('--chunk-size', f.chunkSize);
  if (f.unigramsOnly) a.push('--unigrams-only');
  if (f.tmpDir !== undefined) a.push('--tmp-dir', abs(f.tmpDir));
  return a;
}

/** The `bimix merge` arguments: mixture options as given and the report path. */
function mergeArgs(f: SlurmFlags, out: string): string[] {
  const a: string[] = [];
  if (f.base !== undefined && f.base !== 'e') a.push('--base', f.base);
  if (f.proxy !== undefined && f.proxy !== 'conditional') a.push('--proxy', f.proxy);
  if (f.temperature !== undefined && f.temperature !== '1') a.push('--temperature', f.temperature);
  for (const m of f.min ?? []) a.push('--min', m);
  for (const m of f.max ?? []) a.push('--max', m);
  a.push('--out', out);
  return a;
}

/** `bimix slurm`: an array job of N count tasks plus a dependent merge job, submitted with sbatch. */
export const register: RegisterCommand = (program, setExit) => {
  const cmd = program.command('slurm').description('run count tasks as a Slurm job array and merge them in a dependent job');
  addCorpusOptions(cmd);
  addMixtureOptions(cmd);
  cmd
    .option('--tasks <n>', 'number of count tasks N')
    .option('--partial-dir <dir>', 'shared folder for partials, scripts and logs')
    .option('--partition <p>', 'Slurm partition')
    .option('--time <HH:MM:SS>', 'time limit of each job')
    .option('--cpus-per-task <c>', 'CPUs of each job (also the count threads unless --threads)')
    .option('--mem <size>', 'memory of each job, Slurm syntax (e.g. 8G)')
    .option('--account <name>', 'Slurm account charged for the jobs')
    .option('--qos <name>', 'Slurm quality of service of the jobs')
    .option('--tmp-dir <dir>', 'folder on the compute nodes for each count task\'s spilled runs and per-thread partials, e.g. node-local scratch; each task checks it when it starts (default: inside --partial-dir)')
    .option('--job-name <name>', 'prefix of the job names: NAME-count and NAME-merge (default bimix)')
    .option('--sbatch-arg <arg>', 'another sbatch option written as an #SBATCH line, e.g. --constraint=skylake (repeatable)', collect)
    .option('--out <file>', 'where the merge job writes the report (default: <partial-dir>/report.json)')
    .option('--json', 'print the job ids, scripts, logs and report path as JSON on stdout (with --dry-run: the scripts)')
    .option('--dry-run', 'print the scripts; submit nothing')
    .option('--wait', 'follow the jobs to the end and exit with the merge job\'s status')
    .option('--quiet', 'no progress on stderr while waiting')
    .action(async (f: SlurmFlags, command: Command) => {
      refuseSample('slurm', f.sample);
      refuseIgnoredCorpusOptions(command, f, f.format);
      if (f.tasks === undefined) throw new BimixError('E_USAGE', '--tasks: expected a whole number, got nothing');
      const partialDirFlag = partialDirFromFlags(f.partialDir);
      requirePath('--out', f.out);
      const tasks = parseInteger('--tasks', f.tasks, 1, 1_000_000);
      const cpus = f.cpusPerTask !== undefined ? parseInteger('--cpus-per-task', f.cpusPerTask, 1, 4096) : undefined;
      const resources = {
        ...(f.partition ? { partition: f.partition } : {}),
        ...(f.time ? { time: f.time } : {}),
        ...(cpus ? { cpusPerTask: cpus } : {}),
        ...(f.mem ? { mem: f.mem } : {}),
        ...(f.account !== undefined ? { account: f.account } : {}),
        ...(f.qos !== undefined ? { qos: f.qos } : {}),
        ...(f.jobName !== undefined ? { jobName: f.jobName } : {}),
        ...(f.sbatchArg ? { sbatchArgs: f.sbatchArg } : {}),
      };
      validateResources(resources);
      // Fail here, not in N jobs: options, mixture and corpus are checked before anything is submitted.
      const corpus = await corpusFromFlags(f);
      const mix = mixtureFlags(f);
      if (mix.proxy === 'vne') throw new BimixError('E_USAGE', '--proxy vne is not available with slurm: partials carry counts, not the embedding sample VNE needs; use bimix analyze');
      const v = validateAnalyzeOptions({ ...corpus, ...mix });
      const plans = await planDomains(corpus.domains, process.cwd(), v.chunkBytes);
      const chunks = plans.reduce((s, p) => s + p.chunks.length, 0);
      const partialDir = abs(partialDirFlag);
      const out = abs(f.out ?? path.join(partialDir, 'report.json'));
      // The merge job writes the report hours from now: a bad --out fails here instead. The partial
      // folder itself is created on submission, so a report inside it needs no existing folder.
      if (!out.startsWith(`${partialDir}${path.sep}`)) checkOutputPath('--out', out);
      refuseOutputAmongInputs('--out', out, [...planInputFiles(plans), ...(f.config !== undefined ? [f.config] : [])]);
      const plan = slurmScripts({
        tasks,
        partialDir,
        ...resources,
        countArgs: countArgs(f, cpus),
        mergeArgs: mergeArgs(f, out),
        maxArraySize: maxArraySize(),
      });
      const summary = `${plans.length} domains, ${chunks} chunks over ${tasks} tasks in ${plan.arrays.length} array job${plan.arrays.length > 1 ? 's' : ''}${tasks > chunks ? ` (${tasks - chunks} tasks get no chunk)` : ''}`;
      const counts = { domains: plans.length, chunks, tasks };
      if (f.dryRun && f.json) {
        const scripts = [...plan.arrays.map((a) => ({ kind: 'count', tasks: [a.offset, a.offset + a.size - 1], file: a.file, log: a.log, text: a.text })), { kind: 'merge', file: plan.merge.file, log: plan.merge.log, text: plan.merge.text }];
        process.stdout.write(`${JSON.stringify({ dryRun: true, ...counts, scripts, report: out }, null, 2)}\n`);
        return;
      }
      if (f.dryRun) {
        process.stdout.write(`# ${summary}\n`);
        for (const s of plan.arrays) process.stdout.write(`# ==== ${s.file} (submitted as: sbatch --parsable ${s.file})\n${s.text}`);
        process.stdout.write(`# ==== ${plan.merge.file} (submitted as: sbatch --parsable --dependency=afterok:<count array job ids> --kill-on-invalid-dep=yes ${plan.merge.file})\n${plan.merge.text}`);
        return;
      }
      const ids = submit(plan);
      if (f.json) {
        const arrays = plan.arrays.map((a, i) => ({ jobId: ids.arrayJobs[i], tasks: [a.offset, a.offset + a.size - 1], script: a.file, log: a.log }));
        const merge = { jobId: ids.mergeJob, script: plan.merge.file, log: plan.merge.log };
        process.stdout.write(`${JSON.stringify({ ...counts, arrays, merge, report: out, logDir: plan.logDir }, null, 2)}\n`);
      } else {
        process.stdout.write(`${summary}\n`);
        plan.arrays.forEach((a, i) => process.stdout.write(`count array job ${ids.arrayJobs[i]} (tasks ${a.offset}-${a.offset + a.size - 1}): ${a.file}\n  logs: ${a.log}\n`));
        process.stdout.write(`merge job ${ids.mergeJob} (afterok): ${plan.merge.file}\n  log: ${plan.merge.log}\n  report: ${out}\n`);
      }
      if (!f.wait) return;
      const code = await waitForMerge(ids, (l) => log(f.quiet, l), 2000, runSignal());
      const outcome = code === 0 ? `merge job ${ids.mergeJob} finished: ${out}\n` : `merge job ${ids.mergeJob} failed (exit ${code}); see ${plan.logDir}\n`;
      // With --json stdout holds one JSON document; the outcome is the exit code, and a line on stderr.
      if (f.json) log(f.quiet, outcome.trimEnd());
      else process.stdout.write(outcome);
      setExit(code);
    });
};
