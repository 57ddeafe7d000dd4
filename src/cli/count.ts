import { countTask } from '../exec/slurm/count.js';
import { BimixError } from '../errors.js';
import { requirePath } from '../util/out-path.js';
import { parseInteger } from '../util/parse.js';
import type { RegisterCommand } from './commands.js';
import { runSignal } from './signals.js';
import { addCorpusOptions, addMixtureOptions, corpusFromFlags, type CorpusFlags } from './analyze-options.js';
import { log } from './output.js';

interface CountFlags extends CorpusFlags {
  taskIndex?: string;
  taskCount?: string;
  partialDir?: string;
  json?: boolean;
  quiet?: boolean;
}

/** The task index: --task-index, else SLURM_ARRAY_TASK_ID. */
function taskIndexOf(flags: CountFlags, count: number): number {
  const raw = flags.taskIndex ?? process.env.SLURM_ARRAY_TASK_ID;
  if (raw === undefined) throw new BimixError('E_USAGE', '--task-index: expected a whole number (or SLURM_ARRAY_TASK_ID set), got nothing');
  return parseInteger('--task-index', raw, 0, count - 1);
}

/** `bimix count`: one map task of a multi-task run (its 1/N share of all chunks into partials). */
export const register: RegisterCommand = (program) => {
  const cmd = program.command('count').description('count task I of N: a deterministic 1/N share of all chunks into resumable partial-state files');
  addCorpusOptions(cmd);
  addMixtureOptions(cmd);
  cmd
    .option('--task-index <i>', 'this task, 0..N-1 (default: SLURM_ARRAY_TASK_ID)')
    .option('--task-count <n>', 'number of tasks N')
    .option('--partial-dir <dir>', 'folder of the partial-state files and manifests')
    .option('--json', 'print the task manifest on stdout')
    .option('--quiet', 'no progress on stderr')
    .action(async (flags: CountFlags) => {
      if (flags.sample !== undefined) throw new BimixError('E_USAGE', '--sample: not supported by count/merge (sampled analysis runs on one machine: bimix analyze --sample)');
      if (flags.taskCount === undefined) throw new BimixError('E_USAGE', '--task-count: expected a whole number, got nothing');
      if (flags.partialDir === undefined) throw new BimixError('E_USAGE', '--partial-dir: expected a folder, got nothing');
      requirePath('--partial-dir', flags.partialDir);
      const taskCount = parseInteger('--task-count', flags.taskCount, 1, 1_000_000);
      const taskIndex = taskIndexOf(flags, taskCount);
      const corpus = await corpusFromFlags(flags);
      const r = await countTask({ ...corpus, taskIndex, taskCount, partialDir: flags.partialDir, signal: runSignal(), onLog: (l) => log(flags.quiet, l), onNote: (l) => log(false, l) });
      if (flags.json) process.stdout.write(`${JSON.stringify({ skipped: r.skipped, manifest: r.manifestPath, ...r.manifest }, null, 2)}\n`);
    });
};
