/** Public, typed API of the mixing laws: read loss data, fit, compare, predict and optimize. */
export { readLossData, parseLongCsv, parseLongJsonl, parseWide, MIXTURE_SUM_TOLERANCE, MIXTURE_RENORMALISE_TOLERANCE } from './data.js';
export type { LossData, Observation, ReadLossOptions, ParseOptions } from './data.js';
export { fitLaw, fitLawWith, compareLaws, compareLawsWith, COMPARED_LAWS } from './fit-laws.js';
export { planJobs, runJob, runJobsHere, foldsOf, jobKey } from './fit-jobs.js';
export type { FitJob, FitOutcome, JobRunner, Fold } from './fit-jobs.js';
export type { FitLawOptions, LawComparison, ComparedLaw, CommonComparison } from './fit-laws.js';
export { parseHoldout, holdoutName, holdoutPredictions } from './holdout.js';
export type { HoldoutSpec } from './holdout.js';
export { fitBimixPoints, bimixValue, bimixRss } from './bimix-fit.js';
export type { BimixPoint, BimixPointFit } from './bimix-fit.js';
export { nnls } from './nnls.js';
export { r2Log, rmse, mre, scores } from './metrics.js';
export type { FitScores } from './metrics.js';
export { predictLoss, lawUsesSteps, resolveSteps } from './predict.js';
export type { Prediction } from './predict.js';
export { optimizeMixture, bounds as mixtureBounds, sampleMixtures, DEFAULT_SAMPLES } from './optimize.js';
export { REGRESSION_SETTINGS, REGRESSION_ROUNDS, requireXgboost, xgboostVersion, predictRegressionRows } from './regression-law.js';
export type { OptimizeOptions, OptimizeResult } from './optimize.js';
export { readMixtureFile, mixtureFromJson, mixtureVector } from './mixture.js';
export { readLawFile, writeLawFile, validateLaw, LAW_SCHEMA } from './law-file.js';
export { DEFAULT_TRANSFER_PENALTY } from './transfer-law.js';
export { predictDomain } from './registry.js';
export type * from './law-types.js';

import type { LossData } from './data.js';
import { compareLaws, fitLaw, type FitLawOptions, type LawComparison } from './fit-laws.js';
import type { LawReport } from './law-types.js';

/** Fits one law (`law: 'bimix' | 'exp' | 'transfer' | 'regression'`) or, with `law: 'all'`, every law side by side. */
export function fitLaws(data: LossData, opts: Omit<FitLawOptions, 'law'> & { law: 'all' }): LawComparison;
export function fitLaws(data: LossData, opts?: FitLawOptions): LawReport;
export function fitLaws(data: LossData, opts: Omit<FitLawOptions, 'law'> & { law?: FitLawOptions['law'] | 'all' } = {}): LawReport | LawComparison {
  if (opts.law === 'all') {
    const k = Math.min(5, data.runs.length);
    return compareLaws(data, { ...opts, holdout: opts.holdout ?? { kind: 'runs', k } });
  }
  return fitLaw(data, opts as FitLawOptions);
}
