import { DEFAULT_SAMPLES, optimizeMixture, readMixtureFile } from '../laws/index.js';
import { collect, parseInteger, parseNumber, parseNumberMap } from '../util/parse.js';
import type { RegisterCommand } from './commands.js';
import { lawFileOptions, readLawInput } from './law-input.js';
import { printNotes } from './notes.js';
import { fmt, printResult, table, writeJsonOut } from './output.js';
import { EMIT_FORMATS, emitOptimized } from './emit.js';

interface OptimizeOpts {
  from?: string;
  law?: string;
  steps?: string;
  out?: string;
  verbose?: boolean;
  weights?: string[];
  min?: string[];
  max?: string[];
  available?: string[];
  totalTokens?: string;
  maxEpochs?: string;
  reference?: string;
  samples?: string;
  seed?: string;
  json?: boolean;
  quiet?: boolean;
  emit?: string;
  emitReport?: string;
}

/** `bimix optimize`: the mixture minimising the weighted predicted loss within bounds. */
export const register: RegisterCommand = (program) => {
  lawFileOptions(program.command('optimize').description('find the mixture minimising the weighted mean predicted loss within bounds, from a law file'))
    .option('--steps <S>', 'target training steps (in the unit the law was fitted with); not needed when the law has no step dimension')
    .option('--weights <list>', 'domain=weight pairs (default 1 each)', collect)
    .option('--min <list>', 'lower bounds, domain=proportion', collect)
    .option('--max <list>', 'upper bounds, domain=proportion', collect)
    .option('--available <list>', 'tokens available per domain, domain=tokens (needs --total-tokens)', collect)
    .option('--total-tokens <T>', 'total training tokens of the target run')
    .option('--max-epochs <E>', 'how many times a domain may be repeated (default 1)')
    .option('--reference <file>', 'reference mixture JSON to report the predicted gain against')
    .option('--samples <n>', `regression law: mixtures sampled within the bounds and scored; the best is returned (default ${DEFAULT_SAMPLES})`)
    .option('--seed <n>', 'regression law: seed of the mixture sampler (default 0)')
    .option('--out <file>', 'also write the result as JSON to this file (atomically)')
    .option('--json', 'print the result as JSON')
    .option('--emit <format>', `print the mixture for a trainer: ${EMIT_FORMATS.join('|')}`)
    .option('--emit-report <report.json>', 'analysis report whose files --emit megatron lists')
    .option('--quiet', 'no warnings on stderr')
    .option('--verbose', 'list every warning (default: one line per kind with a count)')
    .action(async (opts: OptimizeOpts) => {
      const law = await readLawInput(opts);
      const obj = (m: Map<string, number>) => (m.size > 0 ? Object.fromEntries(m) : undefined);
      const r = optimizeMixture(law, {
        steps: opts.steps !== undefined ? parseNumber('--steps', opts.steps, { min: 0, exclusiveMin: true }) : undefined,
        weights: obj(parseNumberMap('--weights', opts.weights)),
        min: obj(parseNumberMap('--min', opts.min)),
        max: obj(parseNumberMap('--max', opts.max)),
        available: obj(parseNumberMap('--available', opts.available)),
        totalTokens: opts.totalTokens !== undefined ? parseNumber('--total-tokens', opts.totalTokens, { min: 0, exclusiveMin: true }) : undefined,
        maxEpochs: opts.maxEpochs !== undefined ? parseNumber('--max-epochs', opts.maxEpochs, { min: 0, exclusiveMin: true }) : undefined,
        reference: opts.reference !== undefined ? await readMixtureFile(opts.reference) : undefined,
        samples: opts.samples !== undefined ? parseInteger('--samples', opts.samples, 1, 100_000_000) : undefined,
        seed: opts.seed !== undefined ? parseInteger('--seed', opts.seed, 0, 2 ** 32 - 1) : undefined,
      });
      printNotes(
        r.warnings.map((text) => ({ scope: `${r.law} law`, group: `${r.law} law`, text })),
        { ...opts, label: 'warning' },
      );
      if (opts.out !== undefined) await writeJsonOut(opts.out, r, opts.quiet);
      if (opts.emit !== undefined) {
        process.stdout.write(await emitOptimized(opts.emit, r.proportions, opts.emitReport));
        return;
      }
      printResult(!!opts.json, r, () => {
        const ref = r.reference;
        const head = ['domain', 'proportion', 'min', 'max', 'weight', 'loss', ...(ref ? ['ref proportion', 'ref loss'] : [])];
        const rows = r.domains.map((d, i) => [
          d.name,
          fmt(d.proportion, 6),
          fmt(d.min, 4),
          fmt(d.max, 4),
          fmt(d.weight, 4),
          fmt(d.loss, 6),
          ...(ref ? [fmt(ref.proportions[d.name], 6), fmt(ref.domains.find((x) => x.name === d.name)?.loss ?? null, 6)] : []),
        ]);
        const at = opts.steps === undefined ? '(no step dimension)' : `at ${law.stepUnit} ${fmt(r.steps)}`;
        let s = `${r.law} law ${at}; method: ${r.method}\n${table([head, ...rows])}`;
        s += `weighted mean loss (sum_i w_i L_i / sum_i w_i, as predict reports): ${fmt(r.weightedMean, 7)}\n`;
        if (ref) s += `reference weighted mean loss: ${fmt(ref.weightedMean, 7)}; predicted gain: ${fmt(ref.weightedMean !== null ? ref.weightedMean - r.weightedMean : null, 5)}\n`;
        return s;
      });
    });
};
