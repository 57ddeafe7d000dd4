/** Types shared by the laws, their fits and the law file. */
import type { FitScores } from './metrics.js';

/** The laws bimix can fit. */
export type LawName = 'bimix' | 'exp' | 'transfer' | 'interaction';

/** BiMix parameters: identifiable alpha, beta, b, c, and A, B, C under the normalisation A = 1. */
export interface BimixParams {
  alpha: number;
  beta: number;
  b: number;
  c: number;
  A: number;
  B: number;
  C: number;
}

/** Exponential law c + k exp(sum_j t_j r_j) at a fixed step; t is centred (sum_j t_j = 0). */
export interface ExpParams {
  c: number;
  k: number;
  t: Record<string, number>;
  step: number;
}

/** Transfer law: BiMix on the effective share r_i + sum_j tau_j r_j. */
export interface TransferParams extends BimixParams {
  tau: Record<string, number>;
}

/**
 * Interaction law: the transfer law times exp(sum_k (r . u_k)(r . v_k)), a low-rank pairwise
 * interaction of the whole mixture (u[k] and v[k] map every domain to a coefficient).
 */
export interface InteractionParams extends TransferParams {
  u: Record<string, number>[];
  v: Record<string, number>[];
}

/** Any law's per-domain parameters. */
export type LawParams = BimixParams | ExpParams | TransferParams | InteractionParams;

/** Holdout scores of one domain. */
export interface HoldoutScores {
  protocol: string;
  r2Log: number | null;
  mre: number | null;
  rmse: number | null;
  /** Held-out points that were predicted. */
  points: number;
  /** Held-out points that could not be predicted (e.g. the training part was too small). */
  unscored: number;
}

/** One domain's entry in a law report / law file. */
export interface DomainReport {
  name: string;
  params: LawParams;
  points: number;
  excluded: number;
  rss: number;
  fit: FitScores;
  holdout?: HoldoutScores;
  undetermined?: string[];
  notes?: string[];
}

/** A fitted law: the content of a `bimix.law/1` file and of `bimix fit --json`. */
export interface LawReport {
  schema: 'bimix.law/1';
  law: LawName;
  normalisation: string;
  /** Every domain of the mixtures, in the order mixture vectors use. */
  domainOrder: string[];
  stepUnit: string;
  runs: number;
  domains: DomainReport[];
  /** Pooled holdout over all domains, when a holdout was requested. */
  holdout?: { protocol: string; r2Log: number | null; mre: number | null; rmse: number | null; points: number };
  options?: Record<string, unknown>;
  warnings: string[];
}

/** A fitted domain before scoring. */
export interface DomainFit {
  params: LawParams;
  points: number;
  excluded: number;
  rss: number;
  undetermined: string[];
  notes: string[];
}

/** Options every law's fitter accepts. */
export interface LawFitOptions {
  /** L2 penalty on the transfer coefficients (transfer and interaction laws; the interaction law's u and v too). */
  transferPenalty?: number;
}
