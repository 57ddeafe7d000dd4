import { withSchemaRef } from '../schemas/ids.js';
import { proxyEntropies } from '../analyze/index.js';
import { readReport } from '../check/report-input.js';
import { mixtureFromEntropies, PROXIES, type Proxy } from '../stats/mixture.js';
import { optionError } from '../errors.js';
import { checkOutputPath, refuseOutputAmongInputs, requirePath } from '../util/out-path.js';
import type { RegisterCommand } from './commands.js';
import { collect, parseNumber, parseNumberMap } from '../util/parse.js';
import { printResult, writeJson } from './output.js';
import { mixtureLines } from './mixture-bar.js';
import { EMIT_FORMATS, emitMixture, parseEmitFormat } from '../export/mixture-emit.js';

/** `bimix mix`: recompute the mixture from a saved report without recounting. */
export const register: RegisterCommand = (program) => {
  program
    .command('mix')
    .description('recompute an entropy-driven mixture from a saved analysis report')
    .requiredOption('--from <report.json>', 'a report written by bimix analyze --out')
    .option('--proxy <proxy>', 'conditional|shannon|joint|vne (default conditional; shannon for a --unigrams-only report)')
    .option('--temperature <t>', 'softmax temperature', '1')
    .option('--min <domain=r>', 'lower bound (repeatable)', collect)
    .option('--max <domain=r>', 'upper bound (repeatable)', collect)
    .option('--out <file>', 'write the mixture JSON here (atomically)')
    .option('--json', 'print JSON')
    .option('--emit <format>', `print the mixture for a trainer: ${EMIT_FORMATS.join('|')} (megatron: Megatron-LM --data-path pairs from the report's files)`)
    .action(async (f: { from: string; proxy?: string; temperature: string; min?: string[]; max?: string[]; out?: string; json?: boolean; emit?: string }) => {
      if (f.proxy !== undefined && !PROXIES.includes(f.proxy as Proxy)) throw optionError('--proxy', PROXIES.join('|'), f.proxy);
      requirePath('--from', f.from);
      checkOutputPath('--out', f.out);
      refuseOutputAmongInputs('--out', f.out, [f.from]);
      const emit = f.emit !== undefined ? parseEmitFormat(f.emit) : undefined;
      const report = await readReport(f.from);
      const proxy = (f.proxy ?? (report.unigramsOnly ? 'shannon' : 'conditional')) as Proxy;
      const mixture = mixtureFromEntropies(proxyEntropies(report, proxy), {
        proxy,
        temperature: parseNumber('--temperature', f.temperature, { min: 0, exclusiveMin: true }),
        ...(f.min ? { min: Object.fromEntries(parseNumberMap('--min', f.min)) } : {}),
        ...(f.max ? { max: Object.fromEntries(parseNumberMap('--max', f.max)) } : {}),
      });
      if (f.out !== undefined) await writeJson(f.out, withSchemaRef('mixture', mixture));
      if (emit !== undefined) {
        process.stdout.write(emitMixture(emit, mixture.proportions, report.domains, f.from));
        return;
      }
      printResult(f.json ?? false, withSchemaRef('mixture', mixture), () => mixtureLines(mixture.proportions));
    });
};
