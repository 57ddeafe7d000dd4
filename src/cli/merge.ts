import { withSchemaRef } from '../schemas/ids.js';
import { mergePartialDir } from '../analyze/slurm-merge.js';
import { BimixError } from '../errors.js';
import { checkOutputPath, requirePath } from '../util/out-path.js';
import type { RegisterCommand } from './commands.js';
import { runSignal } from './signals.js';
import { addMixtureOptions, mixtureFlags, type CorpusFlags } from './analyze-options.js';
import { printResult, writeJson } from './output.js';
import { renderReport } from './report-table.js';
import { printWarnings } from './warnings.js';

interface MergeFlags extends Pick<CorpusFlags, 'base' | 'proxy' | 'temperature' | 'min' | 'max'> {
  partialDir?: string;
  out?: string;
  json?: boolean;
  quiet?: boolean;
}

/** `bimix merge`: validates the partials of all N count tasks and merges them into the analysis report. */
export const register: RegisterCommand = (program) => {
  const cmd = program.command('merge').description('merge the partials of all count tasks into the report (identical to analyze)');
  cmd.option('--partial-dir <dir>', 'folder the count tasks wrote');
  addMixtureOptions(cmd);
  cmd
    .option('--out <file>', 'write the JSON report here (atomically)')
    .option('--json', 'print the JSON report on stdout')
    .option('--quiet', 'no notes or warnings on stderr (errors still print)')
    .action(async (flags: MergeFlags) => {
      if (flags.partialDir === undefined) throw new BimixError('E_USAGE', '--partial-dir: expected a folder, got nothing');
      requirePath('--partial-dir', flags.partialDir);
      checkOutputPath('--out', flags.out);
      const report = await mergePartialDir({ partialDir: flags.partialDir, ...mixtureFlags(flags), signal: runSignal() });
      if (!flags.quiet) printWarnings(report);
      if (flags.out !== undefined) await writeJson(flags.out, withSchemaRef('analysis', report));
      printResult(flags.json ?? false, withSchemaRef('analysis', report), () => renderReport(report));
    });
};
