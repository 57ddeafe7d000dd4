/** Check policies (`bimix check --policy`, schema tag "bimix.policy/1", optional): written by hand, so unknown keys are refused. */
import { z } from 'zod';
import { METRIC_NAMES } from './names.js';
import { bool, num, oneOf, schemaRef, strict } from './fields.js';

/** Schema tag of policy files (optional in the file). */
export const POLICY_SCHEMA = 'bimix.policy/1';

/** Every direction, in documentation order: a regression is any move, only a fall, only a rise. */
export const DIRECTIONS = ['both', 'decrease', 'increase'] as const;

const metricWords = `a metric name (${METRIC_NAMES.join(', ')})`;
const metricName = oneOf(METRIC_NAMES, metricWords);

const toleranceShape = {
  /** Allowed relative change: |change| <= atol + rtol * |baseline|. */
  rtol: num(0).optional(),
  atol: num(0).optional(),
  /** Which move is a regression: any ("both"), only a fall ("decrease"), only a rise ("increase"). */
  direction: oneOf(DIRECTIONS).optional(),
};

/** A partial tolerance as written in a policy layer. */
export const toleranceSpecSchema = strict(toleranceShape);

/** Per-metric tolerances. */
export const metricMapSchema = z.partialRecord(metricName, toleranceSpecSchema, {
  error: (iss) => ((iss.code as string) === 'unrecognized_keys' ? metricWords : 'an object'),
});

/** Per-domain settings: a tolerance for all its metrics, per-metric ones, and whether it may be missing. */
export const domainPolicySchema = strict({ ...toleranceShape, allowMissing: bool().optional(), metrics: metricMapSchema.optional() });

/** A policy file. */
export const policySchema = strict({
  $schema: schemaRef('policy'),
  schema: z.literal(POLICY_SCHEMA, { error: JSON.stringify(POLICY_SCHEMA) }).optional(),
  /** Metrics to compare (default: the built-in set plus every metric the policy names). */
  check: z
    .array(metricName, { error: 'an array' })
    .min(1, { error: 'at least one metric name' })
    .superRefine((list, ctx) => {
      list.forEach((m, i) => {
        if (list.indexOf(m) !== i) ctx.addIssue({ code: 'custom', message: 'each metric once', path: [i] });
      });
    })
    .optional(),
  default: toleranceSpecSchema.optional(),
  metrics: metricMapSchema.optional(),
  domains: z.record(z.string(), domainPolicySchema, { error: 'an object' }).optional(),
  allowMissing: bool().optional(),
  description: z.string({ error: 'a string' }).optional(),
}).meta({ title: 'bimix check policy', description: 'Read by bimix check --policy: tolerances per metric and domain, and which domains may be missing.' });
