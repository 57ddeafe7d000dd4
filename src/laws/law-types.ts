/** Types shared by the laws, their fits and the law file. */
import type { z } from 'zod';
import type {
  bimixParamsSchema,
  expParamsSchema,
  holdoutScoresSchema,
  lawDomainSchema,
  lawReportSchema,
  interactionParamsSchema,
  regressionParamsSchema,
  transferParamsSchema,
} from '../schemas/law.js';

export type { LawName } from '../schemas/law.js';

/** BiMix parameters: identifiable alpha, beta, b, c, and A, B, C under the normalisation A = 1. */
export type BimixParams = z.infer<typeof bimixParamsSchema>;

/** Exponential law c + k exp(sum_j t_j r_j) at a fixed step; t is centred (sum_j t_j = 0). */
export type ExpParams = z.infer<typeof expParamsSchema>;

/** Transfer law: BiMix on the effective share r_i + sum_j tau_j r_j. */
export type TransferParams = z.infer<typeof transferParamsSchema>;

/** Regression law: one XGBoost model of the loss over the whole mixture (RegMix's method). */
export type RegressionParams = z.infer<typeof regressionParamsSchema>;

/**
 * Interaction law: the transfer law times exp(sum_k (r . u_k)(r . v_k)), a low-rank pairwise
 * interaction of the whole mixture (u[k] and v[k] map every domain to a coefficient).
 */
export type InteractionParams = z.infer<typeof interactionParamsSchema>;

/** Any law's per-domain parameters. */
export type LawParams = BimixParams | ExpParams | TransferParams | InteractionParams | RegressionParams;

/** Holdout scores of one domain. */
export type HoldoutScores = z.infer<typeof holdoutScoresSchema>;

/** One domain's entry in a law report / law file. */
export type DomainReport = z.infer<typeof lawDomainSchema>;

/** A fitted law: the content of a `bimix.law/1` file and of `bimix fit --json` (see schemas/law.ts). */
export type LawReport = z.infer<typeof lawReportSchema>;

/** A fitted domain before scoring. */
export interface DomainFit {
  params: LawParams;
  points: number;
  excluded: number;
  rss: number;
  undetermined: string[];
  notes: string[];
  /**
   * Laws that predict inside the fit job (see LawImpl.fitAndPredict): predictions of the law's
   * scored observations, in-sample for a fit on all data, the held-out ones for a fold.
   */
  predicted?: number[];
}

/** Options every law's fitter accepts. */
export interface LawFitOptions {
  /** L2 penalty on the transfer coefficients (transfer and interaction laws; the interaction law's u and v too). */
  transferPenalty?: number;
}
