/**
 * The law file (`bimix fit --out`, schema tag "bimix.law/1"), read by predict, optimize and report.
 * Each law declares its per-domain parameters once in {@link LAW_PARAMS}; a new law adds one entry
 * there, its name to `LAW_NAMES` and its document to {@link lawSchema}; the type and the JSON Schema follow.
 */
import { z } from 'zod';
import { map, num, obj, schemaRef, str, strict } from './fields.js';

/** Schema tag of law files. */
export const LAW_SCHEMA = 'bimix.law/1';

/** BiMix parameters: identifiable alpha, beta, b, c, and A, B, C under the normalisation A = 1. */
export const bimixParamsSchema = strict({ alpha: num(), beta: num(), b: num(), c: num(), A: num(), B: num(), C: num() });

/** Exponential law c + k exp(sum_j t_j r_j) at a fixed step; t is centred (sum_j t_j = 0). */
export const expParamsSchema = strict({ c: num(), k: num(), t: map(num()), step: num() });

/** Transfer law: BiMix on the effective share r_i + sum_j tau_j r_j. */
export const transferParamsSchema = strict({ ...bimixParamsSchema.shape, tau: map(num()) });

/**
 * Interaction law: the transfer law times exp(sum_k (r . u_k)(r . v_k)), a low-rank pairwise
 * interaction of the whole mixture (u[k] and v[k] map every domain to a coefficient).
 */
export const interactionParamsSchema = strict({
  ...transferParamsSchema.shape,
  u: z.array(map(num()), { error: 'a list of maps from domains to numbers' }),
  v: z.array(map(num()), { error: 'a list of maps from domains to numbers' }),
}).refine((p) => p.u.length === p.v.length, { error: 'u and v of the same length', path: ['v'] });

/** Regression law: one XGBoost model of the loss over the whole mixture (RegMix's method). */
export const regressionParamsSchema = strict({
  /** How `model` is stored: XGBoost's JSON model text, raw DEFLATE, base64. */
  encoding: str(),
  /** The model. */
  model: str(),
  /** The model's feature columns: the law's domain order. */
  features: z.array(str(), { error: 'a list of domain names' }),
  /** Boosting rounds (trees). */
  trees: num(1),
  /** The base score (mean training loss) as given to XGBoost. */
  baseScore: str(),
  /** The (largest) step the final-step losses were taken at; the trees do not depend on steps. */
  step: num(),
});

/** The laws bimix can fit, in documentation order. */
export const LAW_NAMES = ['bimix', 'exp', 'transfer', 'interaction', 'regression'] as const;
/** A law's name. */
export type LawName = (typeof LAW_NAMES)[number];

/** Each law's per-domain parameters: strict, so a misspelt or foreign parameter is refused by name. */
export const LAW_PARAMS = {
  bimix: bimixParamsSchema,
  exp: expParamsSchema,
  transfer: transferParamsSchema,
  interaction: interactionParamsSchema,
  regression: regressionParamsSchema,
} as const satisfies Record<LawName, z.ZodType>;

/** Fit scores of one domain (null where undefined, e.g. a single point). */
export const fitScoresSchema = obj({ r2Log: num().nullable(), rmse: num().nullable(), mre: num().nullable() });

/** Holdout scores of one domain. */
export const holdoutScoresSchema = obj({
  protocol: str(),
  r2Log: num().nullable(),
  mre: num().nullable(),
  rmse: num().nullable(),
  /** Held-out points that were predicted. */
  points: num(0),
  /** Held-out points that could not be predicted (e.g. the training part was too small). */
  unscored: num(0),
});

function lawDomain<P extends z.ZodType>(params: P) {
  return obj({
    name: str(),
    params,
    points: num(0),
    excluded: num(0),
    rss: num(0),
    fit: fitScoresSchema,
    holdout: holdoutScoresSchema.optional(),
    undetermined: z.array(z.string()).optional(),
    notes: z.array(z.string()).optional(),
  });
}

function lawDocument<L extends z.ZodType, P extends z.ZodType>(law: L, params: P) {
  return obj({
    $schema: schemaRef('law'),
    schema: z.literal(LAW_SCHEMA, { error: JSON.stringify(LAW_SCHEMA) }),
    law,
    normalisation: z.string({ error: 'a string' }),
    /** Every domain of the mixtures, in the order mixture vectors use. */
    domainOrder: z.array(str(), { error: 'a list of domain names' }).min(1, { error: 'a list of domain names' }),
    stepUnit: z.string({ error: 'a string' }),
    runs: num(0),
    domains: z.array(lawDomain(params), { error: 'an array' }).min(1, { error: 'a non-empty list' }),
    /** Pooled holdout over all domains, when a holdout was requested. */
    holdout: obj({ protocol: str(), r2Log: num().nullable(), mre: num().nullable(), rmse: num().nullable(), points: num(0) }).optional(),
    options: map(z.unknown()).optional(),
    warnings: z.array(z.string(), { error: 'an array' }),
  });
}

/** Every domain named in `domains` is one of `domainOrder`; a regression model's features are `domainOrder`. */
function domainsInOrder(doc: { domainOrder: string[]; domains: { name: string; params: object }[] }, ctx: z.core.$RefinementCtx): void {
  doc.domains.forEach((d, i) => {
    if (!doc.domainOrder.includes(d.name)) ctx.addIssue({ code: 'custom', message: `one of domainOrder (${doc.domainOrder.join(', ')})`, path: ['domains', i, 'name'] });
    const features = (d.params as { features?: unknown }).features;
    if (Array.isArray(features) && (features.length !== doc.domainOrder.length || features.some((f, j) => f !== doc.domainOrder[j]))) {
      ctx.addIssue({ code: 'custom', message: `the list domainOrder (${doc.domainOrder.join(', ')})`, path: ['domains', i, 'params', 'features'] });
    }
  });
}

const lawWords = `one of ${LAW_NAMES.map((l) => JSON.stringify(l)).join(', ')}`;

/** A law file: one document shape per law, chosen by `law`. */
export const lawSchema = z
  .discriminatedUnion(
    'law',
    [
      lawDocument(z.literal('bimix'), LAW_PARAMS.bimix),
      lawDocument(z.literal('exp'), LAW_PARAMS.exp),
      lawDocument(z.literal('transfer'), LAW_PARAMS.transfer),
      lawDocument(z.literal('interaction'), LAW_PARAMS.interaction),
      lawDocument(z.literal('regression'), LAW_PARAMS.regression),
    ],
    { error: (iss) => (iss.code === 'invalid_union' ? lawWords : 'an object') },
  )
  .superRefine(domainsInOrder)
  .meta({ title: 'bimix law file', description: 'Written by bimix fit --out / --json; read by predict, optimize and report.' });

/** Any law's per-domain parameters. */
export const lawParamsSchema = z.union([bimixParamsSchema, expParamsSchema, transferParamsSchema, interactionParamsSchema, regressionParamsSchema]);
/** One domain's entry in a law file, whatever the law. */
export const lawDomainSchema = lawDomain(lawParamsSchema);
/** A law file whatever the law (the type of fitted reports; files are checked with {@link lawSchema}). */
export const lawReportSchema = lawDocument(z.enum(LAW_NAMES), lawParamsSchema);
