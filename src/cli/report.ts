import { readLossData, readMixtureFile } from '../laws/index.js';
import { checkOutputPath, refuseOutputAmongInputs } from '../util/out-path.js';
import { readReportInputs, REPORT_INPUTS, writeReportHtml } from '../report-html/index.js';
import { parseNumber } from '../util/parse.js';
import type { RegisterCommand } from './commands.js';
import { log } from './output.js';

interface ReportOpts {
  out: string;
  title?: string;
  reference?: string;
  losses?: string;
  mixtures?: string;
  stepColumn?: string;
  steps?: string;
  quiet?: boolean;
}

/** `bimix report`: one self-contained HTML page (charts and tables) from saved JSON outputs. */
export const register: RegisterCommand = (program) => {
  program
    .command('report')
    .description('write one self-contained HTML page (charts + tables, no network needed) from analysis reports, check results, law files and optimizer results')
    .argument('<files...>', `JSON files: ${REPORT_INPUTS.join(', ')}`)
    .requiredOption('--out <report.html>', 'the page to write (atomically)')
    .option('--title <text>', 'page title', 'bimix report')
    .option('--reference <mix.json>', 'a reference mixture to draw beside the others')
    .option('--losses <file>', 'the loss data the law was fitted on (adds observed points to the law charts)')
    .option('--mixtures <file>', 'wide-format mixtures CSV that goes with --losses')
    .option('--step-column <name>', 'step column of the loss data', 'step')
    .option('--steps <S>', 'training steps at which law curves are drawn (default: the data\'s last step or the optimizer\'s)')
    .option('--quiet', 'print nothing on stderr')
    .action(async (files: string[], opts: ReportOpts) => {
      checkOutputPath('--out', opts.out);
      refuseOutputAmongInputs('--out', opts.out, [...files, ...[opts.reference, opts.losses, opts.mixtures].filter((x): x is string => x !== undefined)]);
      const inputs = await readReportInputs(files);
      if (opts.reference !== undefined) inputs.reference = { file: opts.reference, doc: await readMixtureFile(opts.reference) };
      if (opts.losses !== undefined) inputs.lossData = await readLossData({ losses: opts.losses, mixtures: opts.mixtures, stepColumn: opts.stepColumn });
      if (opts.steps !== undefined) inputs.steps = parseNumber('--steps', opts.steps, { min: 0, exclusiveMin: true });
      await writeReportHtml(opts.out, inputs, opts.title);
      log(opts.quiet, `bimix: wrote ${opts.out}`);
    });
};
