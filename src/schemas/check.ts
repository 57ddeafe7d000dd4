/** The result of `bimix check --reporter json` (schema tag "bimix.check/1"), also read by `bimix report`. */
import { z } from 'zod';
import { METRIC_NAMES } from './names.js';
import { baseSchema } from './analysis.js';
import { DIRECTIONS } from './policy.js';
import { bool, num, obj, oneOf, schemaRef, tool } from './fields.js';

/** Schema tag of check results. */
export const CHECK_SCHEMA = 'bimix.check/1';

const metricName = oneOf(METRIC_NAMES);

/**
 * pass: within tolerance; fail: a regression; missing: the domain (or metric) is absent on one
 * side (a regression unless the policy allows it); skip: not comparable (e.g. bigrams of a unigrams-only side).
 */
export const VERDICTS = ['pass', 'fail', 'missing', 'skip'] as const;

/** One domain × metric comparison. Entropies are in the baseline's unit. */
export const checkRowSchema = obj({
  domain: z.string({ error: 'a string' }),
  metric: metricName,
  baseline: num().nullable(),
  current: num().nullable(),
  /** current - baseline. */
  change: num().nullable(),
  /** change / |baseline| (null when either side is absent or the baseline is 0). */
  relChange: num().nullable(),
  tolerance: obj({ rtol: num(0), atol: num(0), direction: oneOf(DIRECTIONS), allowed: num().nullable() }),
  verdict: oneOf(VERDICTS),
  /** True when this row fails the check (exit code 1). */
  regression: bool(),
  reason: z.string({ error: 'a string' }),
});

/** Files of a domain that differ from the baseline's record (informational; never fails). */
export const fileChangesSchema = obj({
  domain: z.string({ error: 'a string' }),
  added: z.array(z.string()),
  removed: z.array(z.string()),
  changed: z.array(obj({ path: z.string(), bytes: z.tuple([num(), num()]), mtimeMs: z.tuple([num(), num()]) })),
});

/** Row counts by verdict; `regressions` decides the exit code. */
export const checkSummarySchema = obj({ checks: num(0), pass: num(0), fail: num(0), missing: num(0), skip: num(0), regressions: num(0) });

/** The outcome of `bimix check`. */
export const checkSchema = obj({
  $schema: schemaRef('check'),
  schema: z.literal(CHECK_SCHEMA, { error: JSON.stringify(CHECK_SCHEMA) }),
  ok: bool(),
  base: baseSchema,
  metrics: z.array(metricName),
  /** The current report is sampled: it was compared with the baseline's statistics of the same sample. */
  sampled: bool(),
  baseline: obj({ file: z.string().optional(), tool, createdAt: z.string().optional() }),
  current: obj({ file: z.string().optional(), tool, sample: obj({ fraction: num(0), seed: num(0) }).optional() }),
  summary: checkSummarySchema,
  rows: z.array(checkRowSchema, { error: 'an array' }),
  files: z.array(fileChangesSchema),
}).meta({ title: 'bimix check result', description: 'Written by bimix check --reporter json; read by bimix report.' });

