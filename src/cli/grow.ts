import { optionError } from '../errors.js';
import { planGrowth } from '../growth/index.js';
import { parseInteger } from '../util/parse.js';
import type { RegisterCommand } from './commands.js';
import { checkOutputPath } from '../util/out-path.js';
import { fmt, log, printResult, writeJsonOut } from './output.js';

const SUFFIX: Record<string, number> = { '': 1, k: 1e3, m: 1e6, b: 1e9, g: 1e9, t: 1e12 };

/** Parses a count such as 8e9, 8000000000, 8B, 410M or 15T (decimal suffixes). */
function parseCount(name: string, raw: unknown): number {
  const m = typeof raw === 'string' ? /^\s*(\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*([kKmMbBgGtT]?)\s*$/.exec(raw) : null;
  const v = m ? Number(m[1]) * SUFFIX[m[2]!.toLowerCase()]! : NaN;
  if (!(Number.isFinite(v) && v > 0)) throw optionError(name, 'a positive count such as 8e9, 410M, 7B or 15T', raw);
  return v;
}

/** `bimix grow`: the Gstack growth guideline. */
export const register: RegisterCommand = (program) => {
  program
    .command('grow')
    .description('Gstack growth planner: when to grow a small model 4x by depthwise stacking (Du et al. 2024)')
    .requiredOption('--params <N>', 'parameters of the target model, e.g. 7B or 7e9')
    .requiredOption('--tokens <D>', 'training tokens of the target model, e.g. 2T or 2e12')
    .option('--layers <L>', 'layers of the target model, a multiple of 4 (the small model gets L/4)')
    .option('--out <file>', 'also write the plan as JSON to this file (atomically)')
    .option('--json', 'print the plan as JSON')
    .option('--quiet', 'no warnings on stderr')
    .action(async (opts: { params: string; tokens: string; layers?: string; out?: string; json?: boolean; quiet?: boolean }) => {
      checkOutputPath('--out', opts.out);
      const plan = planGrowth({
        params: parseCount('--params', opts.params),
        tokens: parseCount('--tokens', opts.tokens),
        layers: opts.layers !== undefined ? parseInteger('--layers', opts.layers, 1) : undefined,
      });
      for (const w of plan.warnings) log(opts.quiet, `bimix: warning: ${w}`);
      if (opts.out !== undefined) await writeJsonOut(opts.out, plan, opts.quiet);
      printResult(!!opts.json, plan, () => {
        let s = `grow after d = ${fmt(plan.growthTokens / 1e9, 4)}B tokens (${fmt(100 * plan.tokenShare, 3)}% of the budget), growth factor g = ${plan.growthFactor}\n`;
        s += `compute C = 6ND = ${plan.computeFlops.toExponential(3)} FLOPs\n`;
        if (plan.smallModelLayers !== undefined) s += `small model: ${fmt(plan.smallModelLayers)} layers, stacked ${plan.growthFactor}x to ${opts.layers}\n`;
        return s;
      });
    });
};
