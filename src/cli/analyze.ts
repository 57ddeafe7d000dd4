import { analyze } from '../analyze.js';
import type { RegisterCommand } from './commands.js';
import { addCorpusOptions, addMixtureOptions, corpusFromFlags, mixtureFlags, type CorpusFlags } from './analyze-options.js';
import { printResult, writeJson } from './output.js';
import { progressReporter } from './progress.js';
import { renderReport } from './report-table.js';

interface AnalyzeFlags extends CorpusFlags {
  out?: string;
  json?: boolean;
  quiet?: boolean;
}

/** `bimix analyze`: per-domain statistics and the entropy-driven mixture. */
export const register: RegisterCommand = (program) => {
  const cmd = program.command('analyze').description('exact unigram/bigram statistics, entropies and the BiMix mixture of each domain');
  addCorpusOptions(cmd);
  addMixtureOptions(cmd);
  cmd
    .option('--out <file>', 'write the JSON report here (atomically)')
    .option('--json', 'print the JSON report on stdout')
    .option('--quiet', 'no progress on stderr')
    .action(async (flags: AnalyzeFlags) => {
      const corpus = await corpusFromFlags(flags);
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once('SIGINT', onSigint);
      try {
        const progress = progressReporter(flags.quiet);
        const report = await analyze({ ...corpus, ...mixtureFlags(flags), ...(progress ? { onProgress: progress } : {}), signal: controller.signal });
        if (flags.out) await writeJson(flags.out, report);
        printResult(flags.json ?? false, report, () => renderReport(report));
      } finally {
        process.removeListener('SIGINT', onSigint);
      }
    });
};
