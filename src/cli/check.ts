import { Command, Option } from 'commander';
import { analyze } from '../analyze/index.js';
import { readBaseline } from '../check/baseline.js';
import { compareReports } from '../check/compare.js';
import { comparableBaseline } from '../check/like-with-like.js';
import type { AnalysisReport } from '../report.js';
import { parseMetricList } from '../check/metrics.js';
import { readPolicy } from '../check/policy.js';
import { CHECK_FORMATS, renderCheck, type CheckFormat } from '../check/reporters/index.js';
import { headline } from '../check/reporters/cells.js';
import { readReport } from '../check/report-input.js';
import { FORMATS } from '../corpus/types.js';
import { BimixError, optionError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { checkOutputPath, refuseOutputAmongInputs, requirePath } from '../util/out-path.js';
import { collect, parseNumber } from '../util/parse.js';
import type { RegisterCommand } from './commands.js';
import { runSignal } from './signals.js';
import { addCorpusOptions, addMixtureOptions, addTmpDirOption, corpusFromFlags, mixtureFlags, refuseCountingOptionsWithReport, refuseIgnoredCorpusOptions, tmpDirFromFlags, type CorpusFlags } from './analyze-options.js';
import { progressReporter } from './progress.js';
import { printWarnings } from './warnings.js';
import { HTML_OPTION, writeHtml } from './html.js';

interface CheckFlags extends Omit<CorpusFlags, 'format'> {
  baseline: string;
  current?: string;
  from?: string;
  policy?: string;
  rtol?: string;
  atol?: string;
  metrics?: string[];
  format?: string[];
  reporter?: string;
  tmpDir?: string;
  out?: string;
  quiet?: boolean;
  html?: string;
}

/**
 * `--format` is the corpus format, as in analyze; `--reporter` the output format. For one
 * release an output name given to `--format` still selects the reporter (the two value sets
 * are disjoint), with a note on stderr.
 */
function splitFormats(values: string[] | undefined, reporter: string | undefined): { corpus?: string; output: CheckFormat; deprecated?: CheckFormat } {
  if (reporter !== undefined && !CHECK_FORMATS.includes(reporter as CheckFormat)) throw optionError('--reporter', CHECK_FORMATS.join('|'), reporter);
  let corpus: string | undefined;
  let output = reporter as CheckFormat | undefined;
  let deprecated: CheckFormat | undefined;
  for (const v of values ?? []) {
    if (CHECK_FORMATS.includes(v as CheckFormat)) {
      if (output !== undefined && output !== v) throw optionError('--reporter', 'one output format', `${output} and ${v}`);
      output = v as CheckFormat;
      deprecated = v as CheckFormat;
    } else if ((FORMATS as readonly string[]).includes(v)) {
      if (corpus !== undefined && corpus !== v) throw optionError('--format', 'one corpus format', `${corpus} and ${v}`);
      corpus = v;
    } else {
      throw optionError('--format', `a corpus format (${FORMATS.join('|')})`, v);
    }
  }
  return { ...(corpus !== undefined ? { corpus } : {}), output: output ?? 'text', ...(deprecated !== undefined ? { deprecated } : {}) };
}

/** The analyze options, minus their `--format`, which `check` redefines (see {@link splitFormats}). */
function addAnalyzeOptions(cmd: Command): void {
  const donor = new Command();
  addCorpusOptions(donor);
  addMixtureOptions(donor);
  addTmpDirOption(donor);
  for (const opt of donor.options) if (opt.long !== '--format') cmd.addOption(opt);
}

/** `bimix check`: compare the current corpus (or a saved report) with a baseline; exit 1 on regressions. */
export const register: RegisterCommand = (program, setExit) => {
  const cmd = program
    .command('check')
    .description('compare a corpus analysis with a baseline; exit 1 when a metric moves beyond its tolerance')
    .requiredOption('--baseline <file>', 'baseline written by bimix baseline')
    .option('--from <report.json>', 'a report written by bimix analyze --out (instead of analyzing now)')
    .addOption(new Option('--current <report.json>', 'old spelling of --from').hideHelp())
    .option('--policy <file>', 'policy file: per-metric and per-domain tolerances, directions, allowed missing domains')
    .option('--rtol <r>', 'default relative tolerance (default 0.01)')
    .option('--atol <a>', 'default absolute tolerance (default 0)')
    .option('--metrics <list>', 'metrics to compare, comma-separated, or all (default conditional,shannon,joint,tokens,documents,unigrams,bigrams,bigramTotal)', collect)
    .option('--reporter <name>', `output format: ${CHECK_FORMATS.join('|')} (default text)`)
    .option('--format <format>', `corpus format: ${FORMATS.join('|')} (default auto)`, collect)
    .option('--out <file>', 'write the output here (atomically) instead of stdout')
    .option('--quiet', 'no progress or summary on stderr')
    .option(...HTML_OPTION);
  addAnalyzeOptions(cmd);
  cmd.action(async (flags: CheckFlags, command: Command) => {
    flags.current ??= flags.from;
    const formats = splitFormats(flags.format, flags.reporter);
    refuseIgnoredCorpusOptions(command, flags, formats.corpus);
    if (formats.deprecated !== undefined) {
      process.stderr.write(`bimix: note: --format ${formats.deprecated} for the output is deprecated; use --reporter ${formats.deprecated}\n`);
    }
    for (const [option, value] of [['--baseline', flags.baseline], ['--from', flags.current], ['--policy', flags.policy]] as const) requirePath(option, value);
    const checkInputs = [flags.baseline, flags.current, flags.policy, flags.config].filter((x): x is string => x !== undefined);
    for (const [option, file] of [['--out', flags.out], ['--html', flags.html]] as const) {
      checkOutputPath(option, file);
      refuseOutputAmongInputs(option, file, checkInputs);
    }
    const analyzeGiven = flags.domain !== undefined || flags.config !== undefined;
    if (flags.current !== undefined && (analyzeGiven || flags.sample !== undefined || formats.corpus !== undefined)) {
      throw new BimixError('E_USAGE', '--from takes a saved report; do not combine it with analyze options (--domain, --config, --format <corpus format>, --sample)');
    }
    if (flags.current !== undefined) refuseCountingOptionsWithReport(command);
    if (flags.current === undefined && !analyzeGiven) {
      throw new BimixError('E_USAGE', 'nothing to check: give --from REPORT or analyze options (--domain NAME=GLOB ... or --config FILE)');
    }
    const tmp = tmpDirFromFlags(flags.tmpDir);
    const rtol = flags.rtol !== undefined ? parseNumber('--rtol', flags.rtol, { min: 0 }) : undefined;
    const atol = flags.atol !== undefined ? parseNumber('--atol', flags.atol, { min: 0 }) : undefined;
    const metrics = flags.metrics !== undefined ? parseMetricList(flags.metrics) : undefined;
    // Inputs that can be wrong are read before any counting starts.
    const baseline = await readBaseline(flags.baseline);
    const policy = flags.policy !== undefined ? await readPolicy(flags.policy) : undefined;

    let current;
    if (flags.current !== undefined) current = await readReport(flags.current);
    else {
      const corpus = await corpusFromFlags({ ...flags, format: formats.corpus ?? 'auto' });
      // A sample the baseline cannot be compared with is refused before anything is counted.
      comparableBaseline(baseline, { sample: corpus.sample } as AnalysisReport, flags.baseline);
      const progress = progressReporter(flags.quiet);
      current = await analyze({
        ...corpus,
        ...tmp,
        ...mixtureFlags({ ...flags, format: formats.corpus }),
        ...(progress ? { onProgress: progress } : {}),
        onNote: (l) => process.stderr.write(`${l}\n`),
        signal: runSignal(),
        outputs: { ...(flags.out !== undefined ? { '--out': flags.out } : {}), ...(flags.html !== undefined ? { '--html': flags.html } : {}) },
      });
      printWarnings(current);
    }

    const result = compareReports(baseline, current, {
      ...(policy ? { policy } : {}),
      ...(metrics ? { metrics } : {}),
      ...(rtol !== undefined ? { rtol } : {}),
      ...(atol !== undefined ? { atol } : {}),
      baselineFile: flags.baseline,
      ...(flags.current !== undefined ? { currentFile: flags.current } : {}),
    });
    if (flags.html !== undefined) {
      await writeHtml(flags.html, { checks: [{ file: flags.out ?? 'bimix check', doc: result }], analyses: [{ file: flags.current ?? 'current analysis', doc: current }] }, flags.quiet);
    }
    const text = renderCheck(result, formats.output);
    if (flags.out !== undefined) {
      await writeFileAtomic(flags.out, text);
      if (!flags.quiet) process.stderr.write(`bimix check: ${headline(result)}\n`);
    } else process.stdout.write(text);
    setExit(result.ok ? 0 : 1);
  });
};
