import { withSchemaRef } from '../schemas/ids.js';
import { analyze } from '../analyze/index.js';
import { readConfigFile } from '../corpus/config.js';
import { ensureSampleCorpus, defaultSampleDir } from '../corpus/sample.js';
import type { RegisterCommand } from './commands.js';
import { printResult } from './output.js';
import { renderReport } from './report-table.js';
import { fmt, table } from './output.js';
import path from 'node:path';

/** `bimix demo` (what `npm start` runs): generate the sample corpus once, analyze it, print the result. */
export const register: RegisterCommand = (program) => {
  program
    .command('demo')
    .description('generate the built-in sample corpus (once) and analyze it')
    .option('--dir <folder>', 'where the sample corpus is cached', defaultSampleDir())
    .option('--json', 'print the JSON report')
    .action(async (f: { dir: string; json?: boolean }) => {
      process.stderr.write(`bimix demo: sample corpus in ${f.dir}\n`);
      const sample = ensureSampleCorpus(path.resolve(f.dir));
      const cfg = await readConfigFile(sample.config, { format: 'auto' });
      const report = await analyze({ domains: cfg.domains, baseDir: cfg.baseDir });
      printResult(f.json ?? false, withSchemaRef('analysis', report), () => {
        let out = renderReport(report);
        out += '\nEach domain is a Markov chain whose true H(X\'|X) is known:\n';
        const rows = [['domain', 'format', 'true H(X\'|X)', 'measured', 'Miller-Madow']];
        for (const d of sample.domains) {
          const got = report.domains.find((x) => x.name === d.name)!;
          rows.push([d.name, d.format, `ln ${d.successors} = ${fmt(d.analyticConditional, 5)}`, fmt(got.entropy.conditional, 5), fmt(got.millerMadow.conditional, 5)]);
        }
        return out + table(rows);
      });
    });
};
