import { withSchemaRef } from '../schemas/ids.js';
import { Option, type Command } from 'commander';
import { analyze } from '../analyze/index.js';
import type { RegisterCommand } from './commands.js';
import { runSignal } from './signals.js';
import { addCorpusOptions, addMixtureOptions, addTmpDirOption, corpusFromFlags, mixtureFlags, refuseIgnoredCorpusOptions, tmpDirFromFlags, userGave, type CorpusFlags } from './analyze-options.js';
import { printResult, writeJson } from './output.js';
import { progressReporter } from './progress.js';
import { collect, parseInteger } from '../util/parse.js';
import { BimixError, optionError } from '../errors.js';
import { checkOutputPath, refuseOutputAmongInputs } from '../util/out-path.js';
import { renderReport } from './report-table.js';
import { printWarnings } from './warnings.js';
import { HTML_OPTION, writeHtml } from './html.js';

interface AnalyzeFlags extends CorpusFlags {
  vne?: boolean;
  vneSamples: string;
  /** Hidden alias of --vne-samples for one release (VNE now samples windows, not documents). */
  vneDocs?: string;
  vneWindow: string;
  vneDims: string;
  embeddings?: string[];
  out?: string;
  json?: boolean;
  quiet?: boolean;
  html?: string;
  tmpDir?: string;
}

/** The VNE tuning options, refused when nothing computes VNE (they would be ignored). */
const VNE_TUNING = [
  ['vneSamples', '--vne-samples'],
  ['vneDocs', '--vne-docs'],
  ['vneWindow', '--vne-window'],
  ['vneDims', '--vne-dims'],
] as const;

/** `bimix analyze`: per-domain statistics and the entropy-driven mixture. */
export const register: RegisterCommand = (program) => {
  const cmd = program.command('analyze').description('exact unigram/bigram statistics, entropies and the BiMix mixture of each domain');
  addCorpusOptions(cmd);
  addMixtureOptions(cmd);
  addTmpDirOption(cmd);
  cmd
    .option('--vne', 'also compute the von Neumann entropy proxy (on by default with --proxy vne)')
    .option('--vne-samples <n>', 'windows sampled per domain for VNE', '2048')
    .option('--vne-window <tokens>', 'tokens per VNE window', '512')
    .addOption(new Option('--vne-docs <n>', 'old spelling of --vne-samples').hideHelp())
    .option('--vne-dims <d>', 'embedding dimension for VNE', '256')
    .option('--embeddings <domain=file.npy>', 'float32 N x d embeddings of a domain from a real model (repeatable)', collect)
    .option('--out <file>', 'write the JSON report here (atomically)')
    .option('--json', 'print the JSON report on stdout')
    .option(...HTML_OPTION)
    .option('--quiet', 'no progress on stderr')
    .action(async (flags: AnalyzeFlags, cmd: Command) => {
      refuseIgnoredCorpusOptions(cmd, flags, flags.format);
      const wantVne = flags.vne || flags.proxy === 'vne' || flags.embeddings !== undefined;
      for (const [key, option] of VNE_TUNING) {
        if (!wantVne && userGave(cmd, key)) throw new BimixError('E_USAGE', `${option} needs --vne (or --proxy vne, or --embeddings)`);
      }
      const tmp = tmpDirFromFlags(flags.tmpDir);
      checkOutputPath('--out', flags.out);
      checkOutputPath('--html', flags.html);
      const corpus = await corpusFromFlags(flags);
      if (flags.config !== undefined) {
        refuseOutputAmongInputs('--out', flags.out, [flags.config]);
        refuseOutputAmongInputs('--html', flags.html, [flags.config]);
      }
      const progress = progressReporter(flags.quiet);
      const embeddings: Record<string, string> = {};
      for (const e of flags.embeddings ?? []) {
        const eq = e.indexOf('=');
        if (eq <= 0 || eq === e.length - 1) throw optionError('--embeddings', 'DOMAIN=FILE.npy', e);
        embeddings[e.slice(0, eq)] = e.slice(eq + 1);
      }
      const vne = {
        dims: parseInteger('--vne-dims', flags.vneDims, 1, 4096),
        samples:
          flags.vneDocs !== undefined
            ? parseInteger('--vne-docs', flags.vneDocs, 2, 10_000_000)
            : parseInteger('--vne-samples', flags.vneSamples, 2, 10_000_000),
        window: parseInteger('--vne-window', flags.vneWindow, 1, 1 << 24),
      };
      const report = await analyze({
        ...corpus,
        ...mixtureFlags(flags),
        ...tmp,
        ...(wantVne ? { vne } : {}),
        ...(flags.embeddings ? { embeddings } : {}),
        ...(progress ? { onProgress: progress } : {}),
        onNote: (l) => process.stderr.write(`${l}\n`),
        signal: runSignal(),
        outputs: { ...(flags.out !== undefined ? { '--out': flags.out } : {}), ...(flags.html !== undefined ? { '--html': flags.html } : {}) },
      });
      printWarnings(report);
      if (flags.out !== undefined) await writeJson(flags.out, withSchemaRef('analysis', report));
      if (flags.html) await writeHtml(flags.html, { analyses: [{ file: flags.out ?? 'bimix analyze', doc: report }] }, flags.quiet || flags.json);
      printResult(flags.json ?? false, withSchemaRef('analysis', report), () => renderReport(report));
    });
};
