/**
 * Baselines (`bimix baseline --out`, schema tag "bimix.baseline/1"): the per-domain metrics of a
 * trusted analysis, with how they were produced (tool, options, files with sizes and modification times).
 */
import { z } from 'zod';
import { baseSchema, domainMetricsShape, uniqueNames } from './analysis.js';
import { bool, map, num, obj, schemaRef, str, tool } from './fields.js';

/** Schema tag of baseline files. */
export const BASELINE_SCHEMA = 'bimix.baseline/1';

/** One file of a domain as recorded for provenance. */
export const fileRecordSchema = obj({ path: str(), format: z.string().optional(), dtype: z.string().optional(), bytes: num(0), mtimeMs: num(), tokens: num(0) });

/** The per-domain numbers compared by `bimix check`. */
export const domainMetricsSchema = obj(domainMetricsShape);

/** A domain of a baseline: its metrics, its files and, when the baseline records a sample, the sample's metrics. */
export const baselineDomainSchema = obj({
  name: str(),
  ...domainMetricsShape,
  files: z.array(fileRecordSchema, { error: 'an array' }),
  /** The same domain's statistics in the sample of the baseline's `sampled`, counted in the same pass. */
  sampled: domainMetricsSchema.optional(),
});

/** How a baseline was produced. */
export const baselineProvenanceSchema = obj({
  /** The report file it was made from, as given. */
  report: z.string().optional(),
  /** Schema tag, tool and options of that report. */
  schema: str(),
  tool,
  options: map(z.unknown()),
  sample: obj({ fraction: num(0), seed: num(0) }).optional(),
  unigramsOnly: bool().optional(),
});

/** A baseline file. */
export const baselineSchema = obj({
  $schema: schemaRef('baseline'),
  schema: z.literal(BASELINE_SCHEMA, { error: JSON.stringify(BASELINE_SCHEMA) }),
  base: baseSchema,
  /** The tool that wrote the baseline. */
  tool,
  source: baselineProvenanceSchema,
  createdAt: z.string({ error: 'a string' }),
  /** A sample recorded beside the full statistics: `bimix check --sample F --seed S` compares with it, like with like. */
  sampled: obj({ fraction: num(0), seed: num(0) }).optional(),
  domains: z.array(baselineDomainSchema, { error: 'an array' }).superRefine(uniqueNames),
})
  .superRefine((b, ctx) => {
    if (b.sampled === undefined) return;
    b.domains.forEach((d, i) => {
      if (d.sampled === undefined) ctx.addIssue({ code: 'custom', message: `the sample's statistics (the baseline records a sample of fraction ${b.sampled!.fraction})`, path: ['domains', i, 'sampled'] });
    });
  })
  .meta({ title: 'bimix baseline', description: 'Written by bimix baseline --out; read by bimix check --baseline.' });
