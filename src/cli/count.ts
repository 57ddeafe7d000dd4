import { countTask } from '../analyze/slurm-count.js';
import { BimixError, optionError } from '../errors.js';
import { parseInteger } from '../util/parse.js';
import type { RegisterCommand } from './commands.js';
import { runSignal } from './signals.js';
import { Option, type Command } from 'commander';
import { addCorpusOptions, addTmpDirOption, corpusFromFlags, partialDirFromFlags, refuseSample, refuseIgnoredCorpusOptions, tmpDirFromFlags, type CorpusFlags } from './analyze-options.js';
import { log } from './output.js';

interface CountFlags extends CorpusFlags {
  taskIndex?: string;
  tasks?: string;
  /** Hidden alias of --tasks for one release. */
  taskCount?: string;
  partialDir?: string;
  tmpDir?: string;
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
  // No mixture options: partials hold counts; the mixture is computed by bimix merge.
  addTmpDirOption(cmd);
  cmd
    .option('--task-index <i>', 'this task, 0..N-1 (default: SLURM_ARRAY_TASK_ID)')
    .option('--tasks <n>', 'number of tasks N')
    .addOption(new Option('--task-count <n>', 'old spelling of --tasks').hideHelp())
    .option('--partial-dir <dir>', 'folder of the partial-state files and manifests')
    .option('--json', 'print the task manifest on stdout')
    .option('--quiet', 'no progress on stderr')
    .action(async (flags: CountFlags, cmd: Command) => {
      refuseSample('count/merge', flags.sample);
      refuseIgnoredCorpusOptions(cmd, flags, flags.format);
      if (flags.tasks !== undefined && flags.taskCount !== undefined && flags.tasks !== flags.taskCount) {
        throw optionError('--tasks', 'one number of tasks (--task-count is its old spelling)', `${flags.tasks} and ${flags.taskCount}`);
      }
      const tasksFlag = flags.tasks !== undefined ? '--tasks' : '--task-count';
      const tasksRaw = flags.tasks ?? flags.taskCount;
      if (tasksRaw === undefined) throw new BimixError('E_USAGE', '--tasks: expected a whole number, got nothing');
      const partialDir = partialDirFromFlags(flags.partialDir);
      const taskCount = parseInteger(tasksFlag, tasksRaw, 1, 1_000_000);
      const taskIndex = taskIndexOf(flags, taskCount);
      const tmp = tmpDirFromFlags(flags.tmpDir);
      const corpus = await corpusFromFlags(flags);
      const r = await countTask({ ...corpus, ...tmp, taskIndex, taskCount, partialDir, signal: runSignal(), onLog: (l) => log(flags.quiet, l), onNote: (l) => log(false, l) });
      if (flags.json) {
        const { $schema: _ref, ...manifest } = r.manifest;
        process.stdout.write(`${JSON.stringify({ skipped: r.skipped, manifest: r.manifestPath, ...manifest }, null, 2)}\n`);
      }
    });
};
