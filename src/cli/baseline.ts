import path from 'node:path';
import { analyze, analyzeFullAndSampled } from '../analyze/index.js';
import { makeBaseline, writeBaseline, type Baseline } from '../check/baseline.js';
import { readReport } from '../check/report-input.js';
import { BimixError } from '../errors.js';
import type { AnalysisReport } from '../report.js';
import type { RegisterCommand } from './commands.js';
import { runSignal } from './signals.js';
import { printWarnings } from './warnings.js';
import { checkOutputPath, refuseOutputAmongInputs, requirePath } from '../util/out-path.js';
import type { Command } from 'commander';
import { addCorpusOptions, addTmpDirOption, corpusFromFlags, refuseCountingOptionsWithReport, refuseIgnoredCorpusOptions, tmpDirFromFlags, type CorpusFlags } from './analyze-options.js';
import { progressReporter } from './progress.js';

interface BaselineFlags extends CorpusFlags {
  from?: string;
  out: string;
  quiet?: boolean;
  tmpDir?: string;
}

/**
 * `bimix baseline`: turn a trusted analysis report into a baseline for `bimix check`, or
 * count the corpus now; with --sample F --seed S the same pass also records that sample's
 * statistics, which `bimix check --sample F --seed S` then compares with.
 */
export const register: RegisterCommand = (program) => {
  const cmd = program
    .command('baseline')
    .description('write a baseline for bimix check (atomically), from a report or by counting the corpus, recording how it was produced')
    .option('--from <report.json>', 'a report written by bimix analyze --out (instead of counting now)')
    .requiredOption('--out <file>', 'where to write the baseline')
    .option('--quiet', 'print nothing');
  addCorpusOptions(cmd);
  addTmpDirOption(cmd);
  cmd.action(async (f: BaselineFlags, command: Command) => {
    refuseIgnoredCorpusOptions(command, f, f.format);
    const counting = f.domain !== undefined || f.config !== undefined;
    if (f.from !== undefined && (counting || f.sample !== undefined)) {
      throw new BimixError('E_USAGE', '--from takes a saved report; to count the corpus (and record a sample with --sample) give --config or --domain instead');
    }
    if (f.from !== undefined) refuseCountingOptionsWithReport(command);
    if (f.from === undefined && !counting) throw new BimixError('E_USAGE', 'nothing to record: give --from REPORT, or --config FILE / --domain NAME=GLOB to count the corpus now');
    checkOutputPath('--out', f.out);
    if (f.from !== undefined) {
      requirePath('--from', f.from);
      refuseOutputAmongInputs('--out', f.out, [f.from]);
    }
    if (f.config !== undefined) refuseOutputAmongInputs('--out', f.out, [f.config]);
    const tmp = tmpDirFromFlags(f.tmpDir);
    let baseline: Baseline;
    let report: AnalysisReport;
    if (f.from !== undefined) {
      report = await readReport(f.from);
      baseline = makeBaseline(report, { reportFile: f.from });
    } else {
      const corpus = await corpusFromFlags(f);
      const progress = progressReporter(f.quiet);
      const common = {
        ...corpus,
        ...tmp,
        ...(progress ? { onProgress: progress } : {}),
        onNote: (l: string) => process.stderr.write(`${l}\n`),
        signal: runSignal(),
        outputs: { '--out': f.out },
      };
      if (corpus.sample) {
        const both = await analyzeFullAndSampled({ ...common, sample: corpus.sample });
        report = both.full;
        baseline = makeBaseline(both.full, { sampled: both.sampled });
      } else {
        report = await analyze(common);
        baseline = makeBaseline(report);
      }
      printWarnings(report);
    }
    await writeBaseline(f.out, baseline);
    if (!f.quiet) {
      const files = baseline.domains.reduce((n, d) => n + d.files.length, 0);
      const how = baseline.sampled
        ? `, full and sampled ${baseline.sampled.fraction} seed ${baseline.sampled.seed}`
        : report.sample
          ? `, sampled ${report.sample.fraction} seed ${report.sample.seed}`
          : '';
      process.stdout.write(
        `wrote ${path.normalize(f.out)}: ${baseline.domains.length} domain${baseline.domains.length === 1 ? '' : 's'}, ${files} file${files === 1 ? '' : 's'}` +
          ` (${f.from !== undefined ? 'report' : 'counted'} by ${report.tool.name} ${report.tool.version}${how})\n`,
      );
    }
  });
};
