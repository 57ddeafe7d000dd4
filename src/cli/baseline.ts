import path from 'node:path';
import { makeBaseline, writeBaseline } from '../check/baseline.js';
import { readReport } from '../check/report-input.js';
import type { RegisterCommand } from './commands.js';
import { checkOutputPath, refuseOutputAmongInputs, requirePath } from '../util/out-path.js';

/** `bimix baseline`: turn a trusted analysis report into a baseline for `bimix check`. */
export const register: RegisterCommand = (program) => {
  program
    .command('baseline')
    .description('write a baseline for bimix check from an analysis report (atomically), recording how it was produced')
    .requiredOption('--from <report.json>', 'a report written by bimix analyze --out')
    .requiredOption('--out <file>', 'where to write the baseline')
    .option('--quiet', 'print nothing')
    .action(async (f: { from: string; out: string; quiet?: boolean }) => {
      requirePath('--from', f.from);
      checkOutputPath('--out', f.out);
      refuseOutputAmongInputs('--out', f.out, [f.from]);
      const report = await readReport(f.from);
      const baseline = makeBaseline(report, { reportFile: f.from });
      await writeBaseline(f.out, baseline);
      if (!f.quiet) {
        const files = baseline.domains.reduce((n, d) => n + d.files.length, 0);
        process.stdout.write(
          `wrote ${path.normalize(f.out)}: ${baseline.domains.length} domain${baseline.domains.length === 1 ? '' : 's'}, ${files} file${files === 1 ? '' : 's'}` +
            ` (report by ${report.tool.name} ${report.tool.version}${report.sample ? `, sampled ${report.sample.fraction} seed ${report.sample.seed}` : ''})\n`,
        );
      }
    });
};
