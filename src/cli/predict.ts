import { optionError } from '../errors.js';
import { predictLoss, readLawFile, readMixtureFile } from '../laws/index.js';
import { collect, parseNumber, parseNumberMap } from '../util/parse.js';
import type { RegisterCommand } from './commands.js';
import { fmt, log, printResult, table } from './output.js';

interface PredictOpts {
  law: string;
  mixture?: string;
  proportions?: string[];
  steps: string;
  json?: boolean;
  quiet?: boolean;
}

/** `bimix predict`: per-domain and average predicted loss for a mixture and a step count. */
export const register: RegisterCommand = (program) => {
  program
    .command('predict')
    .description('predict per-domain and average loss for a mixture at a number of steps from a law file')
    .requiredOption('--law <file>', 'law file written by bimix fit (schema bimix.law/1)')
    .option('--mixture <file>', 'mixture JSON: { "domain": proportion, ... }')
    .option('--proportions <list>', 'mixture as domain=proportion pairs, e.g. web=0.6,code=0.4 (absent domains get 0)', collect)
    .requiredOption('--steps <S>', 'training steps (in the unit the law was fitted with)')
    .option('--json', 'print the prediction as JSON')
    .option('--quiet', 'no warnings on stderr')
    .action(async (opts: PredictOpts) => {
      if ((opts.mixture === undefined) === (opts.proportions === undefined)) throw optionError('--mixture/--proportions', 'exactly one of them', 'both or neither');
      const steps = parseNumber('--steps', opts.steps, { min: 0, exclusiveMin: true });
      const law = await readLawFile(opts.law);
      const mixture = opts.mixture !== undefined ? await readMixtureFile(opts.mixture) : Object.fromEntries(parseNumberMap('--proportions', opts.proportions));
      const p = predictLoss(law, mixture, steps);
      for (const w of p.warnings) log(opts.quiet, `bimix: warning: ${w}`);
      printResult(!!opts.json, p, () =>
        `${p.law} law at ${law.stepUnit} ${fmt(steps)}\n` +
        table([['domain', 'proportion', 'loss'], ...p.domains.map((d) => [d.name, fmt(d.proportion, 6), fmt(d.loss, 6)]), ['average', '', fmt(p.average, 6)]]),
      );
    });
};
