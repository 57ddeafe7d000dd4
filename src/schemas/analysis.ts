/** The analysis report (`bimix analyze --out`, `bimix merge --out`): schema tag "bimix.analysis/1". Field names are a contract. */
import { z } from 'zod';
import { bool, map, num, obj, oneOf, schemaRef, str, tool } from './fields.js';
import { mixtureSchema } from './mixture.js';

/** Schema tag of analysis reports. */
export const ANALYSIS_SCHEMA = 'bimix.analysis/1';

/** Entropy unit: "e" (nats) or "2" (bits). */
export const baseSchema = oneOf(['e', '2'], '"e" or "2"');

/** A two-sided interval [low, high]. */
export const intervalSchema = z
  .tuple([num(), num()], { error: '[low, high]' })
  .refine(([lo, hi]) => lo <= hi, { error: 'low <= high' });

/** One file of a domain, as analysed (`tokens` counts every token position, separators included). */
export const fileEntrySchema = obj({ path: str(), format: str(), dtype: str(), bytes: num(0), mtimeMs: num(), tokens: num(0) });

/** Intervals of a sampled analysis: the whole corpus's values, delete-a-group jackknife with Student t. */
export const intervalsSchema = obj({
  level: num(0),
  replicates: num(0),
  shannon: intervalSchema,
  joint: intervalSchema,
  conditional: intervalSchema,
  tokens: intervalSchema.optional(),
  documents: intervalSchema.optional(),
  /** What the intervals bracket: the whole corpus's value. */
  of: z.literal('corpus', { error: '"corpus"' }).optional(),
  /** The estimator at their centre. */
  estimator: str().optional(),
  /** How they were made (replicates - 1 degrees of freedom). */
  method: z.literal('jackknife', { error: '"jackknife"' }).optional(),
});

/** Sampled mode: estimates of the whole corpus's values (not the sample's). */
export const estimateSchema = obj({
  of: z.literal('corpus', { error: '"corpus"' }),
  estimator: str(),
  shannon: num(),
  joint: num(),
  conditional: num(),
  tokens: num(0),
  documents: num(0),
});

/** Entropies of a domain (nats unless the base is "2"); null = not measured (--unigrams-only). */
export const entropySchema = obj({ shannon: num(), joint: num().nullable(), conditional: num().nullable(), vne: num().optional() });

/** The per-domain numbers a report and a baseline share. */
export const domainMetricsShape = {
  tokens: num(0),
  documents: num(0),
  unigrams: obj({ distinct: num(0) }),
  /** Null with --unigrams-only: bigrams were not counted. */
  bigrams: obj({ total: num(0).nullable(), distinct: num(0).nullable() }),
  entropy: entropySchema,
  millerMadow: obj({ shannon: num(), joint: num().nullable(), conditional: num().nullable() }),
  intervals: intervalsSchema.optional(),
};

/** Refuses two entries with the same `name` (the issue names the second). */
export function uniqueNames(list: readonly { name: string }[], ctx: z.core.$RefinementCtx): void {
  const seen = new Set<string>();
  list.forEach((d, i) => {
    if (seen.has(d.name)) ctx.addIssue({ code: 'custom', message: 'a domain name not used before', path: [i, 'name'] });
    seen.add(d.name);
  });
}

/** One domain of a report. In sampled mode the counts and entropies are the sample's; `estimate` holds the whole corpus's. */
export const domainReportSchema = obj({
  name: str(),
  ...domainMetricsShape,
  files: z.array(fileEntrySchema, { error: 'an array' }),
  estimate: estimateSchema.optional(),
});

/** One warning of a report: something to know before trusting the numbers. */
export const reportWarningSchema = obj({ code: str(), domain: z.string({ error: 'a string' }), message: str() });

/** The analysis report. */
export const analysisSchema = obj({
  $schema: schemaRef('analysis'),
  schema: z.literal(ANALYSIS_SCHEMA, { error: JSON.stringify(ANALYSIS_SCHEMA) }),
  base: baseSchema,
  domains: z.array(domainReportSchema, { error: 'an array' }).superRefine(uniqueNames),
  tool,
  /** How the report was produced (never affects the numbers). */
  options: map(z.unknown()),
  /** Sampled mode: the fraction and seed of whole documents analysed, with nested halvings for the estimates. */
  sample: obj({ fraction: num(0), seed: num(0), groups: num(0), halvings: num(0) }).optional(),
  unigramsOnly: bool().optional(),
  mixture: mixtureSchema,
  warnings: z.array(reportWarningSchema, { error: 'an array' }).optional(),
  /** The VNE proxy's sample: windows of `window` tokens, `target` per domain, and how many each domain had. */
  vne: obj({ window: num(0), dims: num(0), seed: num(0), target: num(0), samples: map(num(0)) }).optional(),
  /** Sampled mode: the mixture's proportions' intervals. */
  mixtureIntervals: map(intervalSchema).optional(),
}).meta({ title: 'bimix analysis report', description: 'Written by bimix analyze --out / --json and bimix merge; read by check, baseline, mix and report.' });
