import { optionError } from '../errors.js';
import { predictLoss, readMixtureFile } from '../laws/index.js';
import { collect, parseNumber, parseNumberMap } from '../util/parse.js';
import type { RegisterCommand } from './commands.js';
import { lawFileOptions, readLawInput } from './law-input.js';
import { printNotes } from './notes.js';
import { fmt, printResult, table, writeJsonOut } from './output.js';

interface PredictOpts {
  from?: string;
  law?: string;
  mixture?: string;
  proportions?: string[];
  steps?: string;
  weights?: string[];
  out?: string;
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

/** `bimix predict`: per-domain loss and its weighted mean for a mixture and a step count. */
export const register: RegisterCommand = (program) => {
  lawFileOptions(program.command('predict').description('predict per-domain loss and the weighted mean loss for a mixture from a law file'))
    .option('--mixture <file>', 'mixture JSON: { "domain": proportion, ... }')
    .option('--proportions <list>', 'mixture as domain=proportion pairs, e.g. web=0.6,code=0.4 (absent domains get 0)', collect)
    .option('--steps <S>', 'training steps (in the unit the law was fitted with); not needed when the law has no step dimension')
    .option('--weights <list>', 'domain=weight pairs for the weighted mean (default 1 each), as in optimize', collect)
    .option('--out <file>', 'also write the prediction as JSON to this file (atomically)')
    .option('--json', 'print the prediction as JSON')
    .option('--quiet', 'no warnings on stderr')
    .option('--verbose', 'list every warning (default: one line per kind with a count)')
    .action(async (opts: PredictOpts) => {
      if ((opts.mixture === undefined) === (opts.proportions === undefined)) throw optionError('--mixture/--proportions', 'exactly one of them', 'both or neither');
      const steps = opts.steps !== undefined ? parseNumber('--steps', opts.steps, { min: 0, exclusiveMin: true }) : undefined;
      const law = await readLawInput(opts);
      const mixture = opts.mixture !== undefined ? await readMixtureFile(opts.mixture) : Object.fromEntries(parseNumberMap('--proportions', opts.proportions));
      const weights = parseNumberMap('--weights', opts.weights);
      const p = predictLoss(law, mixture, steps, weights.size > 0 ? Object.fromEntries(weights) : undefined);
      printNotes(
        p.warnings.map((text) => ({ scope: `${p.law} law`, group: `${p.law} law`, text })),
        { ...opts, label: 'warning' },
      );
      if (opts.out !== undefined) await writeJsonOut(opts.out, p, opts.quiet);
      printResult(!!opts.json, p, () => {
        const at = p.steps === null ? '(no step dimension)' : `at ${law.stepUnit} ${fmt(p.steps)}`;
        const over = p.averageOver.length < p.domains.length ? ` over ${p.averageOver.length} of ${p.domains.length} domains` : '';
        return (
          `${p.law} law ${at}\n` +
          table([['domain', 'proportion', 'weight', 'loss'], ...p.domains.map((d) => [d.name, fmt(d.proportion, 6), fmt(d.weight, 4), fmt(d.loss, 6)])]) +
          `weighted mean loss (sum_i w_i L_i / sum_i w_i${over}): ${fmt(p.average, 7)}\n`
        );
      });
    });
};
